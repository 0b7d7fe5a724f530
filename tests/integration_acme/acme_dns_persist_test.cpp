// dns-persist-01 (draft-ietf-acme-dns-persist) in the ACME issuer plugin:
// the solver publishes _validation-persist.<domain> through the present
// hook with "<issuer>; accounturi=<account>[; policy=wildcard]", never
// cleans it up, refuses malformed issuer-domain-names before any hook runs
// and hands authorizations without it to dns-01 (the Pebble side is in
// acme_pebble_test.cpp).
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "acme_client.h"
#include "dns_persist01.h"
#include "jws.h"
#include "order.h"
#include "sdk/plugin/plugin_error.h"
#include "tests/integration_acme/loopback_http_server.h"

using namespace certctl;
using Catch::Matchers::Contains;
using certctl::testing::acme::LoopbackHttpServer;
using nlohmann::json;

namespace {

constexpr const char* kAccount = "https://ca.example/acme/acct/17";

struct Recorder {
  std::vector<json> calls;
  acme::HookRunner runner() {
    return [this](const std::string& hook, const std::string& function, const json& args) {
      calls.push_back({{"hook", hook}, {"function", function}, {"args", args}});
      return json{{"result", true}};
    };
  }
};

// A loopback ACME CA just far enough for one order: its authorization
// (a wildcard) offers dns-persist-01 and dns-01; the order turns invalid
// once the challenge was answered, so runOrder stops there.
class FakeCa {
 public:
  explicit FakeCa(json issuerNames) : issuerNames_(std::move(issuerNames)) {}
  std::string base() const { return server_.base(); }

  std::mutex mutex;
  bool challengeAnswered = false;

 private:
  json answer(const std::string& uri, Poco::Net::HTTPServerResponse& response) {
    const std::string b = base();
    response.set("Replay-Nonce", "nonce");
    if (uri == "/directory")
      return {
          {"newNonce", b + "/nonce"}, {"newAccount", b + "/account"}, {"newOrder", b + "/order"}};
    if (uri == "/account" || uri == "/order") {
      response.set("Location", b + (uri == "/account" ? "/acct/1" : "/order/1"));
      response.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
      return {{"status", uri == "/account" ? "valid" : "pending"},
              {"authorizations", {b + "/authz/1"}}};
    }
    if (uri == "/authz/1")
      return {{"status", challengeAnswered ? "valid" : "pending"},
              {"identifier", {{"type", "dns"}, {"value", "persist.example.test"}}},
              {"wildcard", true},
              {"challenges",
               {{{"type", "dns-01"}, {"url", b + "/chall/dns"}, {"token", "tok"}},
                {{"type", "dns-persist-01"},
                 {"url", b + "/chall/persist"},
                 {"issuer-domain-names", issuerNames_}}}}};
    if (uri == "/chall/persist") {
      challengeAnswered = true;
      return json::object();
    }
    if (uri == "/order/1")
      return {{"status", "invalid"}, {"error", {{"type", "x"}, {"detail", "stop here"}}}};
    response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
    return json::object();
  }

  json issuerNames_;
  LoopbackHttpServer server_{mutex, [this](const std::string& uri, auto& response) {
                               return answer(uri, response).dump();
                             }};
};

// One order at `ca` through a dns-persist-01 solver; the order's refusal.
std::string orderThroughPersist(FakeCa& ca, Recorder& hooks) {
  sdk::net::HttpsClient http(sdk::net::HttpsClientOptions{});
  const auto key = acme::loadOrCreateAccountKey({});
  acme::AcmeClient client(http, ca.base() + "/directory", key);
  client.ensureAccount("", std::nullopt);
  acme::DnsPersist01Solver solver(hooks.runner(), "dns/present.lua", "dns/cleanup.lua");
  try {
    acme::runOrder(client, solver, {{"dns", "*.persist.example.test"}}, "csr",
                   {"", std::chrono::seconds(10)});
  } catch (const sdk::PluginError& e) {
    CHECK(e.status() == sdk::Status::Rejected);
    return e.what();
  }
  FAIL("the order succeeded");
  return {};
}

// present() refuses `challenge` as Rejected; the refusal's message.
std::string presentRefusal(acme::ChallengeSolver& solver, const acme::Challenge& challenge) {
  try {
    solver.present(challenge);
  } catch (const sdk::PluginError& e) {
    CHECK(e.status() == sdk::Status::Rejected);
    return e.what();
  }
  FAIL("present accepted it");
  return {};
}

acme::Challenge persistChallenge(json issuerNames, bool wildcard = false) {
  acme::Challenge c;
  c.domain = "example.test";
  c.wildcard = wildcard;
  c.accountUrl = kAccount;
  c.object = {{"type", "dns-persist-01"},
              {"url", "https://ca.example/acme/chall/1"},
              {"status", "pending"},
              {"issuer-domain-names", std::move(issuerNames)}};
  return c;
}

}  // namespace

TEST_CASE("ACME dns-persist-01: the persistent TXT record through the present hook",
          "[acme][dns-persist-01]") {
  Recorder hooks;
  acme::DnsPersist01Solver solver(hooks.runner(), "dns/present.lua", "dns/cleanup.lua");
  CHECK(std::string(solver.type()) == "dns-persist-01");
  CHECK_FALSE(solver.needsToken());

  SECTION("a plain name") {
    const auto challenge = persistChallenge({"ca.example"});
    solver.present(challenge);
    solver.cleanup(challenge);  // the record persists: no hook
    REQUIRE(hooks.calls.size() == 1);
    CHECK(hooks.calls[0]["hook"] == "dns/present.lua");
    CHECK(hooks.calls[0]["function"] == "present");
    CHECK(hooks.calls[0]["args"] ==
          json{{"CERTCTL_DNS_DOMAIN", "example.test"},
               {"CERTCTL_DNS_FQDN", "_validation-persist.example.test"},
               {"CERTCTL_DNS_VALUE", std::string("ca.example; accounturi=") + kAccount},
               {"CERTCTL_DNS_TOKEN", ""}});
  }
  SECTION("a wildcard adds policy=wildcard; the first issuer domain name is used") {
    const auto challenge = persistChallenge({"ca.example", "other-ca.example"}, true);
    solver.present(challenge);
    solver.cleanup(challenge);
    REQUIRE(hooks.calls.size() == 1);
    CHECK(hooks.calls[0]["args"]["CERTCTL_DNS_FQDN"] == "_validation-persist.example.test");
    CHECK(hooks.calls[0]["args"]["CERTCTL_DNS_VALUE"] ==
          std::string("ca.example; accounturi=") + kAccount + "; policy=wildcard");
  }
  SECTION("malformed issuer-domain-names are refused before any hook runs") {
    const std::vector<json> malformed = {
        nullptr,
        json::array(),
        "ca.example",  // not an array
        {""},
        {42},
        {"ca.example\"; accounturi=evil"},
        {"ca.example\nTXT"},
        {"ca example"},
        {"ca..example"},
        {".ca.example"},
        {std::string(254, 'a')},
        {std::string(64, 'a') + ".example"},
        {"ca.example", "bad;name"},
    };
    for (const auto& names : malformed) {
      INFO(names.dump());
      auto challenge = persistChallenge(names);
      if (names.is_null()) challenge.object.erase("issuer-domain-names");
      CHECK_THAT(presentRefusal(solver, challenge), Contains("issuer"));
    }
    CHECK(hooks.calls.empty());
    // The longest legal name (253 octets, labels of at most 63) is accepted.
    const std::string label(63, 'a');
    solver.present(persistChallenge({label + "." + label + "." + label + "." + label.substr(2)}));
    CHECK(hooks.calls.size() == 1);
  }
  SECTION("an account URL unfit for a TXT value is refused") {
    auto challenge = persistChallenge({"ca.example"});
    challenge.accountUrl = "https://ca.example/acct/1\"\n";
    CHECK_THAT(presentRefusal(solver, challenge), Contains("account URL"));
    CHECK(hooks.calls.empty());
  }
}

TEST_CASE("ACME dns-persist-01: dns_persist_issuer_domain picks one of the CA's names",
          "[acme][dns-persist-01]") {
  Recorder hooks;
  acme::DnsPersist01Solver solver(hooks.runner(), "dns/present.lua", "", "Other-CA.example");
  solver.present(persistChallenge({"ca.example", "other-ca.example"}));
  REQUIRE(hooks.calls.size() == 1);
  CHECK(hooks.calls[0]["args"]["CERTCTL_DNS_VALUE"] ==
        std::string("other-ca.example; accounturi=") + kAccount);
  // A name the CA does not list: refused, no record written.
  CHECK_THAT(presentRefusal(solver, persistChallenge({"ca.example"})),
             Contains("dns_persist_issuer_domain"));
  CHECK(hooks.calls.size() == 1);
}

TEST_CASE("ACME dns-persist-01: the dns-01 fallback uses the same hooks and cleans up",
          "[acme][dns-persist-01]") {
  Recorder hooks;
  acme::DnsPersist01Solver solver(hooks.runner(), "dns/present.lua", "dns/cleanup.lua");
  acme::ChallengeSolver* fallback = solver.fallback();
  REQUIRE(fallback != nullptr);
  CHECK(std::string(fallback->type()) == "dns-01");
  CHECK(fallback->needsToken());
  CHECK(fallback->fallback() == nullptr);

  acme::Challenge challenge;
  challenge.domain = "example.test";
  challenge.token = "tok";
  challenge.keyAuthorization = "tok.thumb";
  fallback->present(challenge);
  fallback->cleanup(challenge);
  REQUIRE(hooks.calls.size() == 2);
  CHECK(hooks.calls[0]["hook"] == "dns/present.lua");
  CHECK(hooks.calls[0]["args"]["CERTCTL_DNS_FQDN"] == "_acme-challenge.example.test");
  CHECK(hooks.calls[0]["args"]["CERTCTL_DNS_TOKEN"] == "tok");
  CHECK(hooks.calls[1]["hook"] == "dns/cleanup.lua");
  CHECK(hooks.calls[1]["function"] == "cleanup");
}

TEST_CASE("ACME dns-persist-01: an order answers the CA's dns-persist-01 challenge (no token)",
          "[acme][dns-persist-01]") {
  Recorder hooks;
  SECTION("offered: preferred over dns-01, the account URL in the value, no cleanup") {
    FakeCa ca(json::array({"ca.example"}));
    CHECK_THAT(orderThroughPersist(ca, hooks), Contains("stop here"));
    CHECK(ca.challengeAnswered);
    REQUIRE(hooks.calls.size() == 1);
    CHECK(hooks.calls[0]["function"] == "present");
    CHECK(hooks.calls[0]["args"] ==
          json{{"CERTCTL_DNS_DOMAIN", "persist.example.test"},
               {"CERTCTL_DNS_FQDN", "_validation-persist.persist.example.test"},
               {"CERTCTL_DNS_VALUE",
                "ca.example; accounturi=" + ca.base() + "/acct/1; policy=wildcard"},
               {"CERTCTL_DNS_TOKEN", ""}});
  }
  SECTION("malformed issuer-domain-names: refused, no hook, the challenge left unanswered") {
    FakeCa ca(json::array({"ca.example\"\n"}));
    CHECK_THAT(orderThroughPersist(ca, hooks), Contains("malformed issuer domain name"));
    CHECK_FALSE(ca.challengeAnswered);
    CHECK(hooks.calls.empty());
  }
}
