#include "sdk/pki/openssl_error.h"

#include <openssl/err.h>

#include <array>

namespace certctl::sdk::pki {

std::string drainOpenSslErrors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    if (!out.empty()) out += "; ";
    out += buf.data();
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      out += " (";
      out += data;
      out += ')';
    }
  }
  return out;
}

PkiError::PkiError(const std::string& context) : PkiError(context, drainOpenSslErrors()) {}

PkiError::PkiError(const std::string& context, std::string queue)
    : std::runtime_error(queue.empty() ? context : context + ": " + queue),
      opensslErrors_(std::move(queue)) {}

}  // namespace certctl::sdk::pki
