// CERTCTL_ACME_SERVER_* settings: defaults and refusals at boot.
#include <catch2/catch.hpp>

#include "core/config/config.h"

using namespace certctl::config;

namespace {

std::string refusedVariable(const std::map<std::string, std::string>& env) {
  try {
    loadConfig(env);
  } catch (const ConfigError& e) {
    return e.variable;
  }
  return {};
}

}  // namespace

TEST_CASE("acme server config: defaults", "[acme][config]") {
  Config c = loadConfig({});
  CHECK_FALSE(c.acmeServerEnabled);
  CHECK(c.acmeServerDefaultProfileId.empty());
  CHECK(c.acmeServerIssuerId == "iss-local");
  CHECK(c.acmeServerNonceTtl == std::chrono::minutes(10));
  CHECK(c.acmeServerOrdersPerHour == 300);
  CHECK(c.acmeServerOrdersPageSize == 100);
  CHECK(c.acmeServerTosUrl.empty());

  Config set = loadConfig({{"CERTCTL_ACME_SERVER_ENABLED", "true"},
                           {"CERTCTL_ACME_SERVER_DEFAULT_PROFILE_ID", "prof-acme"},
                           {"CERTCTL_ACME_SERVER_ISSUER_ID", "iss-sub"},
                           {"CERTCTL_ACME_SERVER_NONCE_TTL", "90s"},
                           {"CERTCTL_ACME_SERVER_ORDERS_PER_HOUR", "12"},
                           {"CERTCTL_ACME_SERVER_ORDERS_PAGE_SIZE", "1000"},
                           {"CERTCTL_ACME_SERVER_TOS_URL", "https://example.com/tos"}});
  CHECK(set.acmeServerEnabled);
  CHECK(set.acmeServerDefaultProfileId == "prof-acme");
  CHECK(set.acmeServerIssuerId == "iss-sub");
  CHECK(set.acmeServerNonceTtl == std::chrono::seconds(90));
  CHECK(set.acmeServerOrdersPerHour == 12);
  CHECK(set.acmeServerOrdersPageSize == 1000);
  CHECK(set.acmeServerTosUrl == "https://example.com/tos");
}

TEST_CASE("acme server config: nonsense refuses the start", "[acme][config]") {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"CERTCTL_ACME_SERVER_ENABLED", "maybe"},
           {"CERTCTL_ACME_SERVER_DEFAULT_PROFILE_ID", "prof acme"},
           {"CERTCTL_ACME_SERVER_ISSUER_ID", " "},
           {"CERTCTL_ACME_SERVER_NONCE_TTL", "1s"},
           {"CERTCTL_ACME_SERVER_NONCE_TTL", "forever"},
           {"CERTCTL_ACME_SERVER_ORDERS_PER_HOUR", "0"},
           {"CERTCTL_ACME_SERVER_ORDERS_PER_HOUR", "many"},
           {"CERTCTL_ACME_SERVER_ORDERS_PAGE_SIZE", "0"},
           {"CERTCTL_ACME_SERVER_ORDERS_PAGE_SIZE", "1001"},
           {"CERTCTL_ACME_SERVER_TOS_URL", "ftp://example.com/tos"}}) {
    INFO(name << "=" << value);
    CHECK(refusedVariable({{name, value}}) == name);
  }
}
