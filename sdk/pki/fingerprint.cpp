#include "sdk/pki/fingerprint.h"

#include <openssl/evp.h>

#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

std::string hexEncode(std::string_view bytes, bool uppercase) {
  const char* digits = uppercase ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0x0f];
  }
  return out;
}

std::string sha256(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw PkiError("SHA-256 digest failed");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string sha256Hex(std::string_view bytes) { return hexEncode(sha256(bytes)); }

}  // namespace certctl::sdk::pki
