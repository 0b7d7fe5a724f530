// The boot-time cross-checks of docs/est.md: certctl-server refuses to start,
// exit code non-zero, with a message naming the offending setting.
#include <catch2/catch.hpp>

#include "tests/integration/protocols/est_test_util.h"
#include "tests/support/test_database.h"

using namespace certctl::testing;
using namespace certctl::testing::est;

namespace {

ProcessResult boot(const fs::path& dataDir, std::map<std::string, std::string> env) {
  env["CERTCTL_DATA_DIR"] = dataDir.string();
  env["CERTCTL_SERVER_PORT"] = std::to_string(freeLoopbackPort());
  env["CERTCTL_EST_ENABLED"] =
      env.count("CERTCTL_EST_ENABLED") ? env["CERTCTL_EST_ENABLED"] : "true";
  return runProcess({CERTCTL_SERVER_BINARY}, env, std::chrono::seconds(30));
}

}  // namespace

TEST_CASE("EST misconfiguration refuses the start with a clear message", "[protocols][est]") {
  TempDir dir;
  const fs::path d = dir.path();
  makeCa(d, "ca", "/CN=client CA");
  const std::string bundle = (d / "ca.crt").string();
  using Env = std::map<std::string, std::string>;
  const Env corp = {{"CERTCTL_EST_PROFILES", "corp"},
                    {"CERTCTL_EST_PROFILE_CORP_ISSUER_ID", "iss-local"}};
  auto with = [&](Env extra) {
    Env env = corp;
    for (auto& [k, v] : extra) env[k] = v;
    return env;
  };
  struct Case {
    const char* what;
    Env env;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"unknown suffix", with({{"CERTCTL_EST_PROFILE_CORP_COLOUR", "blue"}}),
       "CERTCTL_EST_PROFILE_CORP_COLOUR: unknown EST profile setting"},
      {"unlisted profile", with({{"CERTCTL_EST_PROFILE_WIFI_ISSUER_ID", "iss-local"}}),
       "no EST profile \"WIFI\""},
      {"no issuer",
       {{"CERTCTL_EST_PROFILES", "corp"}},
       "CERTCTL_EST_PROFILE_CORP_ISSUER_ID: EST profile corp: must be set"},
      {"unknown auth mode", with({{"CERTCTL_EST_PROFILE_CORP_ALLOWED_AUTH_MODES", "basic,token"}}),
       "unknown auth mode \"token\""},
      {"mtls without MTLS_ENABLED", with({{"CERTCTL_EST_PROFILE_CORP_ALLOWED_AUTH_MODES", "mtls"}}),
       "the mtls auth mode needs CERTCTL_EST_PROFILE_CORP_MTLS_ENABLED=true"},
      {"mTLS without bundle", with({{"CERTCTL_EST_PROFILE_CORP_MTLS_ENABLED", "true"}}),
       "CERTCTL_EST_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH"},
      {"basic without password", with({{"CERTCTL_EST_PROFILE_CORP_ALLOWED_AUTH_MODES", "basic"}}),
       "the basic auth mode needs an enrollment password"},
      {"channel binding without mTLS",
       with({{"CERTCTL_EST_PROFILE_CORP_CHANNEL_BINDING_REQUIRED", "true"}}),
       "channel binding is meaningful only with"},
      {"serverkeygen without profile",
       with({{"CERTCTL_EST_PROFILE_CORP_SERVERKEYGEN_ENABLED", "true"}}),
       "serverkeygen needs CERTCTL_EST_PROFILE_CORP_PROFILE_ID"},
      {"reserved name", {{"CERTCTL_EST_PROFILES", "est"}}, "\"est\" is reserved"},
      {"duplicate", {{"CERTCTL_EST_PROFILES", "corp,CORP"}}, "listed twice"},
      {"bad characters", {{"CERTCTL_EST_PROFILES", "corp_1"}}, "letters, digits and '-'"},
      {"leading hyphen", {{"CERTCTL_EST_PROFILES", "-corp"}}, "neither starts nor ends"},
      {"profiles without EST",
       {{"CERTCTL_EST_ENABLED", "false"}, {"CERTCTL_EST_PROFILES", "corp"}},
       "CERTCTL_EST_PROFILES: needs CERTCTL_EST_ENABLED=true"},
      {"bad rate limit", with({{"CERTCTL_EST_PROFILE_CORP_RATE_LIMIT_PER_PRINCIPAL_24H", "-1"}}),
       "must be an integer"},
      {"unreadable bundle",
       with({{"CERTCTL_EST_PROFILE_CORP_MTLS_ENABLED", "true"},
             {"CERTCTL_EST_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH",
              (d / "missing.pem").string()}}),
       "missing.pem"},
      {"bundle without certificates",
       with({{"CERTCTL_EST_PROFILE_CORP_MTLS_ENABLED", "true"},
             {"CERTCTL_EST_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH",
              (d / "ca.key").string()}}),
       "CERTCTL_EST_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH"},
  };
  for (const auto& c : cases) {
    TempDir data;
    auto result = boot(data.path(), c.env);
    INFO(c.what << ": " << result.output);
    CHECK(result.exitCode > 0);
    CHECK(result.output.find(c.message) != std::string::npos);
  }
  // And a correct profile with a real bundle starts (then is stopped).
  ServerProcessOptions ok;
  ok.env = with({{"CERTCTL_EST_ENABLED", "true"},
                 {"CERTCTL_EST_PROFILE_CORP_MTLS_ENABLED", "true"},
                 {"CERTCTL_EST_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH", bundle}});
  ServerProcess server(ok);
  CHECK(server.get("/api/v1/admin/est/profiles").json()["total"] == 1);
}
