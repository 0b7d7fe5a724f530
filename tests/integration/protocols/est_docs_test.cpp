// The recipes of docs/est.md, run verbatim: every ```bash block that follows
// a "<!-- recipe: NAME -->" marker is run with bash -euo pipefail in a
// scratch directory (ca.crt, EST_URL, EST_PASSWORD, CERTCTL_API_KEY), against
// a real server configured as the doc's surrounding text says.
#include <catch2/catch.hpp>

#include "tests/integration/protocols/doc_recipes.h"
#include "tests/integration/protocols/est_test_util.h"
#include "tests/support/test_database.h"

using namespace certctl::testing;
using namespace certctl::testing::est;
using nlohmann::json;

namespace {

constexpr const char* kPassword = "docs-enrollment-secret-1";

void runRecipe(const std::map<std::string, std::string>& all, const std::string& name,
               ServerProcess& server, const fs::path& work) {
  protocols::runDocRecipe(all, name, work,
                          {{"EST_URL", server.baseUrl()},
                           {"EST_PASSWORD", kPassword},
                           {"CERTCTL_API_KEY", server.apiKey()}});
}

}  // namespace

TEST_CASE("docs/est.md recipes run verbatim", "[protocols][est]") {
  const auto all = protocols::docRecipes("est.md");
  CHECK(all.size() == 6);

  SECTION("quick start on the legacy root") {
    ServerProcessOptions options;
    options.env = {{"CERTCTL_EST_ENABLED", "true"},
                   {"CERTCTL_EST_ISSUER_ID", "iss-local"},
                   {"CERTCTL_EST_ENROLLMENT_PASSWORD", kPassword}};
    ServerProcess server(options);
    TempDir work;
    fs::copy_file(server.caFile(), work.path() / "ca.crt");
    runRecipe(all, "quickstart-cacerts", server, work.path());
    runRecipe(all, "quickstart-enroll", server, work.path());
    runRecipe(all, "quickstart-wrong-password", server, work.path());
    CHECK(readFile(work.path() / "device.crt").find("BEGIN CERTIFICATE") != std::string::npos);
  }

  SECTION("mTLS renewal, trust reload and serverkeygen on a profile") {
    TempDir pki;
    makeCa(pki.path(), "ca", "/CN=certctl docs issuing CA");
    ServerProcessOptions options;
    options.env = {{"CERTCTL_CA_CERT_PATH", (pki.path() / "ca.crt").string()},
                   {"CERTCTL_CA_KEY_PATH", (pki.path() / "ca.key").string()},
                   {"CERTCTL_EST_ENABLED", "true"},
                   {"CERTCTL_EST_PROFILES", "corp"},
                   {"CERTCTL_EST_PROFILE_CORP_ISSUER_ID", "iss-local"},
                   {"CERTCTL_EST_PROFILE_CORP_PROFILE_ID", "prof-corp"},
                   {"CERTCTL_EST_PROFILE_CORP_ENROLLMENT_PASSWORD", kPassword},
                   {"CERTCTL_EST_PROFILE_CORP_ALLOWED_AUTH_MODES", "basic,mtls"},
                   {"CERTCTL_EST_PROFILE_CORP_MTLS_ENABLED", "true"},
                   {"CERTCTL_EST_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH",
                    (pki.path() / "ca.crt").string()},
                   {"CERTCTL_EST_PROFILE_CORP_SERVERKEYGEN_ENABLED", "true"}};
    ServerProcess server(options);
    REQUIRE(server.post("/api/v1/profiles", json{{"id", "prof-corp"}, {"name", "corp"}}).status ==
            201);
    TempDir work;
    fs::copy_file(server.caFile(), work.path() / "ca.crt");
    runRecipe(all, "mtls-reenroll", server, work.path());
    runRecipe(all, "reload-trust", server, work.path());
    runRecipe(all, "serverkeygen", server, work.path());
    auto renewals = server.get("/api/v1/audit?action=est_simple_reenroll_success");
    CHECK(renewals.json()["data"].size() == 1);
  }
}
