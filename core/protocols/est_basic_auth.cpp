#include "core/protocols/est_basic_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cctype>

#include "sdk/pki/base64.h"

namespace certctl::protocols {

namespace {

std::string sha256(std::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

// The password of "Basic base64(user:password)"; false for any other header.
bool basicPassword(std::string_view header, std::string& password) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  std::string decoded;
  try {
    decoded = sdk::pki::base64Decode(header.substr(kScheme.size()), "Authorization");
  } catch (const std::exception&) {
    return false;
  }
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  password = decoded.substr(colon + 1);
  return true;
}

}  // namespace

EstBasicAuth::EstBasicAuth(std::string password)
    : passwordDigest_(password.empty() ? std::string() : sha256(password)) {}

bool EstBasicAuth::allows(std::string_view authorizationHeader) const {
  if (!required()) return true;
  std::string password;
  if (!basicPassword(authorizationHeader, password)) return false;
  std::string presented = sha256(password);
  return CRYPTO_memcmp(presented.data(), passwordDigest_.data(), presented.size()) == 0;
}

}  // namespace certctl::protocols
