// CERTCTL_SCEP_PROFILES and the CERTCTL_SCEP_PROFILE_<NAME>_* family.
#include <catch2/catch.hpp>

#include "core/config/config.h"

using namespace certctl::config;

namespace {

using Env = std::map<std::string, std::string>;

Env twoProfiles(Env extra = {}) {
  Env env = {{"CERTCTL_SCEP_ENABLED", "true"}, {"CERTCTL_SCEP_PROFILES", "corp, IoT-A"}};
  for (const char* name : {"CORP", "IOT_A"}) {
    const std::string p = std::string("CERTCTL_SCEP_PROFILE_") + name + "_";
    env[p + "ISSUER_ID"] = "iss-local";
    env[p + "CHALLENGE_PASSWORD"] = std::string("secret-") + name;
    env[p + "RA_CERT_PATH"] = "/ra/" + std::string(name) + ".pem";
    env[p + "RA_KEY_PATH"] = "/ra/" + std::string(name) + ".key";
  }
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

}  // namespace

TEST_CASE("SCEP profiles: names, path ids and per-profile settings", "[config][scep]") {
  Config c = loadConfig(twoProfiles({{"CERTCTL_SCEP_PROFILE_IOT_A_PROFILE_ID", "prof-iot"}}));
  REQUIRE(c.scepProfiles.size() == 2);
  CHECK(c.scepProfiles[0].pathId == "corp");
  CHECK(c.scepProfiles[0].challengePassword == "secret-CORP");
  CHECK(c.scepProfiles[0].profileId.empty());
  CHECK(c.scepProfiles[1].pathId == "iot-a");
  CHECK(c.scepProfiles[1].raKeyPath == "/ra/IOT_A.key");
  CHECK(c.scepProfiles[1].profileId == "prof-iot");
  CHECK_FALSE(c.scepProfiles[0].mtlsEnabled);

  // The mTLS sibling route of one profile.
  Config mtls = loadConfig(twoProfiles(
      {{"CERTCTL_SCEP_PROFILE_CORP_MTLS_ENABLED", "true"},
       {"CERTCTL_SCEP_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH", "/trust/corp.pem"}}));
  CHECK(mtls.scepProfiles[0].mtlsEnabled);
  CHECK(mtls.scepProfiles[0].mtlsClientCaTrustBundlePath == "/trust/corp.pem");
  CHECK_FALSE(mtls.scepProfiles[1].mtlsEnabled);

  // The legacy endpoint: no profiles, its own PROFILE_ID (not a family member).
  Config legacy =
      loadConfig({{"CERTCTL_SCEP_ENABLED", "true"}, {"CERTCTL_SCEP_PROFILE_ID", "prof-legacy"}});
  CHECK(legacy.scepProfiles.empty());
  CHECK(legacy.scepProfileId == "prof-legacy");
}

TEST_CASE("SCEP profiles: wrong settings refuse the start by name", "[config][scep]") {
  const std::vector<std::pair<Env, std::string>> cases = {
      {twoProfiles({{"CERTCTL_SCEP_PROFILE_CORP_COLOUR", "x"}}), "known suffixes"},
      {twoProfiles({{"CERTCTL_SCEP_PROFILE_WIFI_ISSUER_ID", "x"}}), "names no profile"},
      {twoProfiles({{"CERTCTL_SCEP_PROFILE_CORP_MTLS_ENABLED", "true"}}),
       "mTLS needs a client CA trust bundle"},
      {twoProfiles({{"CERTCTL_SCEP_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH", "/t.pem"}}),
       "MTLS_ENABLED is not true"},
      {twoProfiles({{"CERTCTL_SCEP_PROFILE_CORP_MTLS_ENABLED", "sometimes"}}),
       "must be true or false"},
      {twoProfiles({{"CERTCTL_SCEP_PROFILE_CORP_INTUNE_ENABLED", "true"}}), "not supported"},
      {twoProfiles({{"CERTCTL_SCEP_PROFILE_CORP_RA_KEY_PATH", ""}}), "is required"},
      {twoProfiles({{"CERTCTL_SCEP_PROFILES", "corp,corp"}}), "listed twice"},
      {twoProfiles({{"CERTCTL_SCEP_PROFILES", "a/b"}}), "letters, digits"},
      {twoProfiles({{"CERTCTL_SCEP_ENABLED", "false"}}), "needs CERTCTL_SCEP_ENABLED"},
  };
  for (const auto& [env, message] : cases) {
    INFO(message);
    CHECK_THROWS_WITH(loadConfig(env), Catch::Contains(message));
  }
}
