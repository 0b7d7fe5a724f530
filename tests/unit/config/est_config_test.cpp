// The EST settings: off by default, bound to iss-local, anonymous unless a
// password is set.
#include <catch2/catch.hpp>

#include "core/config/config.h"

using namespace certctl::config;

TEST_CASE("EST settings: defaults and overrides", "[config][est]") {
  Config defaults = loadConfig({});
  CHECK_FALSE(defaults.estEnabled);
  CHECK(defaults.estIssuerId == "iss-local");
  CHECK(defaults.estEnrollmentPassword.empty());

  Config c = loadConfig({{"CERTCTL_EST_ENABLED", "true"},
                         {"CERTCTL_EST_ISSUER_ID", "iss-corp"},
                         {"CERTCTL_EST_ENROLLMENT_PASSWORD", "pw"}});
  CHECK(c.estEnabled);
  CHECK(c.estIssuerId == "iss-corp");
  CHECK(c.estEnrollmentPassword == "pw");
}

TEST_CASE("EST settings: an empty issuer id is refused by name", "[config][est]") {
  CHECK_THROWS_WITH(loadConfig({{"CERTCTL_EST_ISSUER_ID", " "}}),
                    Catch::Contains("CERTCTL_EST_ISSUER_ID"));
  CHECK_THROWS_AS(loadConfig({{"CERTCTL_EST_ENABLED", "maybe"}}), ConfigError);
}
