// The recipes of docs/est.md, run verbatim: every ```bash block that follows
// a "<!-- recipe: NAME -->" marker is run with bash -euo pipefail in a
// scratch directory (ca.crt, EST_URL, EST_PASSWORD, CERTCTL_API_KEY), against
// a real server configured as the doc's surrounding text says.
#include <catch2/catch.hpp>

#include "certctl/build_info.h"
#include "tests/integration/protocols/est_test_util.h"
#include "tests/support/test_database.h"

using namespace certctl::testing;
using namespace certctl::testing::est;
using nlohmann::json;

namespace {

constexpr const char* kPassword = "docs-enrollment-secret-1";

// NAME -> body of the fenced block after its marker.
std::map<std::string, std::string> recipes() {
  // Not __FILE__: ccache's CCACHE_BASEDIR (used by CI) makes it relative.
  fs::path doc = fs::path(certctl::build::kSourceDir) / "docs" / "est.md";
  std::string text = readFile(doc);
  REQUIRE(!text.empty());
  std::map<std::string, std::string> out;
  const std::string marker = "\n<!-- recipe: ";  // at the start of a line
  for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    auto nameEnd = text.find(" -->", at);
    std::string name = text.substr(at + marker.size(), nameEnd - at - marker.size());
    auto open = text.find("```bash\n", nameEnd);
    REQUIRE(open == text.find('\n', nameEnd) + 1);  // the fence follows the marker
    auto start = open + 8;
    auto close = text.find("\n```", start);
    out[name] = text.substr(start, close - start + 1);
  }
  return out;
}

void runRecipe(const std::map<std::string, std::string>& all, const std::string& name,
               ServerProcess& server, const fs::path& work) {
  auto it = all.find(name);
  REQUIRE(it != all.end());
  auto result = runProcess(
      {"bash", "-euo", "pipefail", "-c", "cd \"$1\" && " + it->second, "recipe", work.string()},
      {{"EST_URL", server.baseUrl()},
       {"EST_PASSWORD", kPassword},
       {"CERTCTL_API_KEY", server.apiKey()}});
  INFO("recipe " << name << ":\n" << it->second << "\n---\n" << result.output);
  REQUIRE(result.exitCode == 0);
}

}  // namespace

TEST_CASE("docs/est.md recipes run verbatim", "[protocols][est]") {
  const auto all = recipes();
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
