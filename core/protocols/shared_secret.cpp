#include "core/protocols/shared_secret.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace certctl::protocols {

namespace {

std::string sha256(std::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

}  // namespace

SharedSecret::SharedSecret(std::string_view secret)
    : digest_(secret.empty() ? std::string() : sha256(secret)) {}

bool SharedSecret::matches(std::string_view presented) const {
  if (empty()) return false;
  std::string digest = sha256(presented);
  return CRYPTO_memcmp(digest.data(), digest_.data(), digest.size()) == 0;
}

}  // namespace certctl::protocols
