#pragma once

#include <string>
#include <string_view>

namespace certctl::protocols {

// A configured password (EST enrollment password, SCEP challenge password)
// compared in constant time: over SHA-256 digests with CRYPTO_memcmp, so the
// time depends on neither the secret's length nor the first differing byte.
// Only the digest is kept.
class SharedSecret {
 public:
  explicit SharedSecret(std::string_view secret);

  bool empty() const { return digest_.empty(); }
  // False when no secret is configured.
  bool matches(std::string_view presented) const;

 private:
  std::string digest_;  // raw SHA-256, "" = none configured
};

}  // namespace certctl::protocols
