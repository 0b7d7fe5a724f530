#pragma once

#include <stdexcept>
#include <string>

namespace certctl::sdk::pki {

// Every failure in sdk/pki surfaces as one exception type so callers (plugin
// wrappers, HTTP handlers) can map it to a single status. It carries the
// OpenSSL error queue because OpenSSL's own reason ("bad decrypt", "wrong tag")
// is usually what an operator needs to fix the input.
class PkiError : public std::runtime_error {
 public:
  // Drains the calling thread's OpenSSL error queue into the message, so a
  // stale entry cannot leak into the next, unrelated failure.
  explicit PkiError(const std::string& context);

  // The drained queue alone ("" when OpenSSL reported nothing).
  const std::string& opensslErrors() const { return opensslErrors_; }

 private:
  PkiError(const std::string& context, std::string queue);

  std::string opensslErrors_;
};

// Reads and clears the thread's OpenSSL error queue, entries joined by "; ".
std::string drainOpenSslErrors();

}  // namespace certctl::sdk::pki
