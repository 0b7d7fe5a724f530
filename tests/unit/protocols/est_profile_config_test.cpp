// CERTCTL_EST_PROFILES and the CERTCTL_EST_PROFILE_<NAME>_* family: prefix
// matching, the legacy shim, and the boot-time cross-checks of docs/est.md.
#include <catch2/catch.hpp>

#include "core/config/config.h"

using namespace certctl::config;

namespace {

std::map<std::string, std::string> corp(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> env = {{"CERTCTL_EST_ENABLED", "true"},
                                            {"CERTCTL_EST_PROFILES", "corp, IoT-A"},
                                            {"CERTCTL_EST_PROFILE_CORP_ISSUER_ID", "iss-local"},
                                            {"CERTCTL_EST_PROFILE_IOT_A_ISSUER_ID", "iss-iot"}};
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

}  // namespace

TEST_CASE("EST profiles: names, path ids and per-profile settings", "[config][est]") {
  Config c = loadConfig(corp({{"CERTCTL_EST_PROFILE_CORP_ENROLLMENT_PASSWORD", "pw"},
                              {"CERTCTL_EST_PROFILE_IOT_A_MTLS_ENABLED", "true"},
                              {"CERTCTL_EST_PROFILE_IOT_A_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH", "/b"},
                              {"CERTCTL_EST_PROFILE_IOT_A_RATE_LIMIT_PER_PRINCIPAL_24H", "3"}}));
  REQUIRE(c.estProfiles.size() == 2);
  CHECK(c.estProfiles[0].pathId == "corp");
  CHECK(c.estProfiles[0].authModes == std::vector<std::string>{"basic"});  // inferred
  CHECK(c.estProfiles[1].pathId == "iot-a");
  CHECK(c.estProfiles[1].name == "IOT_A");
  CHECK(c.estProfiles[1].issuerId == "iss-iot");
  CHECK(c.estProfiles[1].authModes == std::vector<std::string>{"mtls"});
  CHECK(c.estProfiles[1].rateLimitPerPrincipal24h == 3);

  // The legacy shim: one profile at the root.
  Config legacy =
      loadConfig({{"CERTCTL_EST_ENABLED", "true"}, {"CERTCTL_EST_ENROLLMENT_PASSWORD", "pw"}});
  REQUIRE(legacy.estProfiles.size() == 1);
  CHECK(legacy.estProfiles[0].pathId.empty());
  CHECK(legacy.estProfiles[0].issuerId == "iss-local");
  CHECK(legacy.estProfiles[0].allowsBasic());
  CHECK(loadConfig({}).estProfiles.empty());

  // From a config file too; the environment wins.
  Config file = loadConfig({{"CERTCTL_EST_PROFILE_CORP_PROFILE_ID", "prof-env"}},
                           corp({{"CERTCTL_EST_PROFILE_CORP_PROFILE_ID", "prof-file"}}));
  CHECK(file.estProfiles[0].profileId == "prof-env");
}

TEST_CASE("EST profiles: every cross-check refuses by name", "[config][est]") {
  using Env = std::map<std::string, std::string>;
  const std::vector<std::pair<Env, std::string>> cases = {
      {corp({{"CERTCTL_EST_PROFILE_CORP_COLOUR", "x"}}), "unknown EST profile setting"},
      {corp({{"CERTCTL_EST_PROFILE_WIFI_ISSUER_ID", "x"}}), "no EST profile \"WIFI\""},
      {corp({{"CERTCTL_EST_PROFILE_CORP_ALLOWED_AUTH_MODES", "token"}}), "unknown auth mode"},
      {corp({{"CERTCTL_EST_PROFILE_CORP_ALLOWED_AUTH_MODES", "mtls"}}), "MTLS_ENABLED=true"},
      {corp({{"CERTCTL_EST_PROFILE_CORP_MTLS_ENABLED", "true"}}), "trust bundle"},
      {corp({{"CERTCTL_EST_PROFILE_CORP_ALLOWED_AUTH_MODES", "basic"}}), "enrollment password"},
      {corp({{"CERTCTL_EST_PROFILE_CORP_CHANNEL_BINDING_REQUIRED", "true"}}), "channel binding"},
      {corp({{"CERTCTL_EST_PROFILE_CORP_SERVERKEYGEN_ENABLED", "true"}}), "PROFILE_ID"},
      {corp({{"CERTCTL_EST_PROFILE_CORP_MTLS_ENABLED", "maybe"}}), "true or false"},
      {corp({{"CERTCTL_EST_PROFILES", "est"}}), "reserved"},
      {corp({{"CERTCTL_EST_PROFILES", "corp,corp"}}), "listed twice"},
      {corp({{"CERTCTL_EST_PROFILES", "a/b"}}), "letters, digits"},
      {corp({{"CERTCTL_EST_PROFILES", "corp-"}}), "neither starts nor ends"},
      {corp({{"CERTCTL_EST_ENABLED", "false"}}), "needs CERTCTL_EST_ENABLED"},
      {{{"CERTCTL_EST_ENABLED", "true"}, {"CERTCTL_EST_PROFILES", "corp"}}, "must be set"},
  };
  for (const auto& [env, message] : cases) {
    INFO(message);
    CHECK_THROWS_WITH(loadConfig(env), Catch::Contains(message));
  }
  // A misspelt family key in a file is refused like the rest of the file's keys.
  CHECK_THROWS_WITH(loadConfig({}, corp({{"CERTCTL_EST_PROFILE_CORP_ISSUERID", "x"}})),
                    Catch::Contains("CERTCTL_EST_PROFILE_CORP_ISSUERID"));
}
