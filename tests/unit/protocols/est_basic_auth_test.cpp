// The EST enrollment password gate: only "Basic base64(user:password)" with
// the configured password passes; no password configured means anonymous.
#include <catch2/catch.hpp>

#include "core/protocols/est_basic_auth.h"
#include "sdk/pki/base64.h"

using certctl::protocols::EstBasicAuth;

namespace {

std::string basic(const std::string& userPassword) {
  return "Basic " + certctl::sdk::pki::base64Encode(userPassword);
}

}  // namespace

TEST_CASE("EST Basic auth accepts the password with any user name", "[protocols][est]") {
  EstBasicAuth auth("s3cret-password");
  CHECK(auth.required());
  CHECK(auth.allows(basic("device-001:s3cret-password")));
  CHECK(auth.allows(basic(":s3cret-password")));
  CHECK(auth.allows("basic " + certctl::sdk::pki::base64Encode("x:s3cret-password")));
  // The password itself may contain ':'; only the first one splits.
  EstBasicAuth colon("a:b");
  CHECK(colon.allows(basic("user:a:b")));
}

TEST_CASE("EST Basic auth refuses anything else", "[protocols][est]") {
  EstBasicAuth auth("s3cret-password");
  CHECK_FALSE(auth.allows(""));
  CHECK_FALSE(auth.allows("Basic "));
  CHECK_FALSE(auth.allows(basic("device-001:wrong")));
  CHECK_FALSE(auth.allows(basic("device-001:s3cret-passwor")));
  CHECK_FALSE(auth.allows(basic("device-001:s3cret-password ")));
  CHECK_FALSE(auth.allows(basic("s3cret-password")));  // no ':'
  CHECK_FALSE(auth.allows("Bearer s3cret-password"));
  CHECK_FALSE(auth.allows("Basic !!!not-base64!!!"));
}

TEST_CASE("EST without a password is anonymous", "[protocols][est]") {
  EstBasicAuth auth("");
  CHECK_FALSE(auth.required());
  CHECK(auth.allows(""));
  CHECK(auth.allows(basic("anyone:anything")));
}
