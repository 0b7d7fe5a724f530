// The client recipes of docs/acme-server.md (certbot, lego, the inventory
// query), run verbatim against a real server with a trust_authenticated
// profile.
#include <catch2/catch.hpp>

#include "tests/integration/protocols/doc_recipes.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/test_database.h"

using namespace certctl::testing;
using nlohmann::json;

namespace {

std::size_t countOf(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("docs/acme-server.md recipes run verbatim", "[protocols][acme-server]") {
  const auto recipes = protocols::docRecipes("acme-server.md");
  CHECK(recipes.size() == 3);

  ServerProcessOptions options;
  options.env = {{"CERTCTL_ACME_SERVER_ENABLED", "true"}};
  ServerProcess server(options);
  auto profile = server.post("/api/v1/profiles", json{{"id", "prof-acme-docs"},
                                                      {"name", "acme docs"},
                                                      {"acme_auth_mode", "trust_authenticated"}});
  REQUIRE(profile.status == 201);

  TempDir work;
  std::filesystem::copy_file(server.caFile(), work.path() / "ca.crt");
  const std::map<std::string, std::string> env = {
      {"ACME_DIRECTORY", server.baseUrl() + "/acme/profile/prof-acme-docs/directory"},
      {"HTTP_PORT", std::to_string(freeLoopbackPort())},
      {"CERTCTL_URL", server.baseUrl()},
      {"CERTCTL_API_KEY", server.apiKey()},
      // The machine's own settings must not decide which CA certbot trusts.
      {"SSL_CERT_FILE", (work.path() / "ca.crt").string()}};

  auto certbot = protocols::runDocRecipe(recipes, "certbot", work.path(), env);
  CHECK(certbot.output.find("subject=CN = app.internal.example.com") != std::string::npos);
  auto lego = protocols::runDocRecipe(recipes, "lego", work.path(), env);
  CHECK(lego.output.find("subject=CN = api.internal.example.com") != std::string::npos);

  auto inventory = protocols::runDocRecipe(recipes, "inventory", work.path(), env);
  INFO(inventory.output);
  // Issued and renewed by each client; the renewed one revoked.
  CHECK(countOf(inventory.output, "app.internal.example.com ") == 2);
  CHECK(countOf(inventory.output, "api.internal.example.com ") == 2);
  CHECK(countOf(inventory.output, "app.internal.example.com Revoked") == 1);
  CHECK(countOf(inventory.output, "api.internal.example.com Revoked") == 1);
}
