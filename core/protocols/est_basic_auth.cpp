#include "core/protocols/est_basic_auth.h"

#include <cctype>

#include "sdk/pki/base64.h"

namespace certctl::protocols {

namespace {

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

EstBasicAuth::EstBasicAuth(std::string password) : password_(password) {}

bool EstBasicAuth::allows(std::string_view authorizationHeader) const {
  if (!required()) return true;
  std::string password;
  return basicPassword(authorizationHeader, password) && password_.matches(password);
}

}  // namespace certctl::protocols
