// The ACME server's order/authorization/challenge state machine in the
// `challenge` auth mode, on a real SQLite store, with a test double for the
// challenge validator and no CA (finalize is covered by the integration
// tests with certbot and lego).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/protocols/acme/acme_server.h"
#include "core/services/audit_log.h"
#include "core/store/sql_acme_store.h"
#include "core/store/sql_resource_repository.h"
#include "tests/support/test_database.h"
#include "tests/unit/protocols/acme_test_signer.h"

using namespace certctl;
using namespace certctl::protocols::acme;
using certctl::testing::acme::TestSigner;
using nlohmann::json;

namespace {

constexpr const char* kBase = "https://ca.test";

class ScriptedValidator : public ChallengeValidator {
 public:
  explicit ScriptedValidator(bool valid) : valid_(valid) {}
  ChallengeOutcome validate(const ChallengeCheck& check) override {
    last = check;
    ++calls;
    if (valid_) return {true, "", ""};
    return {false, "incorrectResponse", "the token was not served"};
  }
  std::atomic<int> calls{0};
  ChallengeCheck last;

 private:
  bool valid_;
};

class NoIssuance : public AcmeIssuance {
 public:
  AcmeEnrollment enroll(const std::string&, const sdk::pki::Csr&, const std::string&) override {
    throw std::logic_error("not used");
  }
  bool revoke(const std::string&, const std::string&, const std::string&,
              const std::string&) override {
    return true;
  }
};

class MemoryAudit : public services::AuditLog {
 public:
  void record(services::AuditEvent event, bool) override { actions.push_back(event.action); }
  void flush() override {}
  std::vector<std::string> actions;
};

struct Fixture {
  explicit Fixture(std::shared_ptr<ChallengeValidator> validator,
                   std::string defaultProfile = "prof-c") {
    database.db().acquire().run(
        "INSERT INTO certificate_profiles (id, name, acme_auth_mode) VALUES ('prof-c', 'c', "
        "'challenge')");
    AcmeServerSettings settings;
    settings.publicUrl = kBase;
    settings.defaultProfileId = std::move(defaultProfile);
    server = std::make_unique<AcmeServer>(store, repository, issuance, audit, settings,
                                          std::move(validator));
  }

  http::Response call(AcmeServer::Endpoint e, const std::string& path,
                      std::map<std::string, std::string> params = {}, std::string body = {},
                      std::string method = "POST") {
    http::Request req;
    req.method = std::move(method);
    req.path = path;
    req.headers["content-type"] = "application/jose+json";
    req.body = std::move(body);
    req.pathParams = std::move(params);
    auto response = server->handle(e, req);
    for (const auto& [name, value] : response.headers)
      if (name == "Replay-Nonce") nonce = value;
    return response;
  }

  std::string freshNonce() {
    call(AcmeServer::Endpoint::NewNonce, "/acme/new-nonce", {}, {}, "HEAD");
    return nonce;
  }

  // A JWS request signed by `signer`, by kid once the account exists.
  http::Response post(AcmeServer::Endpoint e, const std::string& path, const json& payload,
                      std::map<std::string, std::string> params = {}) {
    json header = {{"nonce", freshNonce()}, {"url", std::string(kBase) + path}};
    if (kid.empty())
      header["jwk"] = signer.jwk();
    else
      header["kid"] = kid;
    return call(e, path, std::move(params),
                signer.jws(header, payload.is_null() ? "" : payload.dump()).dump());
  }

  static std::string location(const http::Response& r) {
    for (const auto& [name, value] : r.headers)
      if (name == "Location") return value;
    return {};
  }

  testing::TestDatabase database{"sqlite"};
  store::SqlResourceRepository repository{database.db()};
  store::SqlAcmeStore store{database.db()};
  NoIssuance issuance;
  MemoryAudit audit;
  std::unique_ptr<AcmeServer> server;
  TestSigner signer{"ES256"};
  std::string nonce;
  std::string kid;
};

std::string lastSegment(const std::string& url) { return url.substr(url.rfind('/') + 1); }

// Registers and places an order for x.example.com; returns the order id.
std::string placeOrder(Fixture& f) {
  auto account = f.post(AcmeServer::Endpoint::NewAccount, "/acme/new-account",
                        {{"termsOfServiceAgreed", true}});
  REQUIRE(account.status == 201);
  f.kid = Fixture::location(account);
  auto order = f.post(AcmeServer::Endpoint::NewOrder, "/acme/new-order",
                      {{"identifiers", {{{"type", "dns"}, {"value", "x.example.com"}}}}});
  REQUIRE(order.status == 201);
  CHECK(json::parse(order.body)["status"] == "pending");
  return lastSegment(Fixture::location(order));
}

json readOrder(Fixture& f, const std::string& id) {
  auto r = f.post(AcmeServer::Endpoint::Order, "/acme/order/" + id, nullptr, {{"ord_id", id}});
  REQUIRE(r.status == 200);
  return json::parse(r.body);
}

json waitForOrder(Fixture& f, const std::string& id, const std::string& status) {
  json order;
  for (int i = 0; i < 100; ++i) {
    order = readOrder(f, id);
    if (order["status"] == status) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return order;
}

// The authorization of the order and its http-01 challenge.
std::pair<json, std::string> httpChallenge(Fixture& f, const json& order) {
  std::string authzId = lastSegment(order["authorizations"][0].get<std::string>());
  auto r = f.post(AcmeServer::Endpoint::Authorization, "/acme/authz/" + authzId, nullptr,
                  {{"authz_id", authzId}});
  REQUIRE(r.status == 200);
  json authz = json::parse(r.body);
  for (const auto& c : authz["challenges"])
    if (c["type"] == "http-01") return {authz, lastSegment(c["url"].get<std::string>())};
  FAIL("no http-01 challenge");
  return {};
}

}  // namespace

TEST_CASE("acme challenge mode: a validated challenge makes the order ready", "[acme]") {
  auto validator = std::make_shared<ScriptedValidator>(true);
  Fixture f(validator);
  std::string orderId = placeOrder(f);
  json order = readOrder(f, orderId);
  auto [authz, challengeId] = httpChallenge(f, order);
  CHECK(authz["status"] == "pending");
  CHECK(authz["challenges"].size() == 3);

  auto r = f.post(AcmeServer::Endpoint::Challenge, "/acme/challenge/" + challengeId, json::object(),
                  {{"chall_id", challengeId}});
  REQUIRE(r.status == 200);
  CHECK(
      (json::parse(r.body)["status"] == "processing" || json::parse(r.body)["status"] == "valid"));
  CHECK(waitForOrder(f, orderId, "ready")["status"] == "ready");
  CHECK(validator->calls == 1);
  CHECK(validator->last.type == "http-01");
  CHECK(validator->last.identifier == "x.example.com");
  CHECK(validator->last.keyAuthorization.find(validator->last.token + ".") == 0);

  // Finalizing needs ready; a second POST to the challenge does not validate again.
  f.post(AcmeServer::Endpoint::Challenge, "/acme/challenge/" + challengeId, json::object(),
         {{"chall_id", challengeId}});
  CHECK(validator->calls == 1);
  CHECK(std::count(f.audit.actions.begin(), f.audit.actions.end(), "acme.challenge.started") == 1);
}

TEST_CASE("acme challenge mode: a failed challenge invalidates the order", "[acme]") {
  Fixture f(std::make_shared<ScriptedValidator>(false));
  std::string orderId = placeOrder(f);
  auto [authz, challengeId] = httpChallenge(f, readOrder(f, orderId));
  f.post(AcmeServer::Endpoint::Challenge, "/acme/challenge/" + challengeId, json::object(),
         {{"chall_id", challengeId}});
  json order = waitForOrder(f, orderId, "invalid");
  CHECK(order["status"] == "invalid");
  CHECK(order["error"]["type"] == "urn:ietf:params:acme:error:incorrectResponse");

  auto finalize = f.post(AcmeServer::Endpoint::Finalize, "/acme/order/" + orderId + "/finalize",
                         {{"csr", "AAAA"}}, {{"ord_id", orderId}});
  CHECK(finalize.status == 403);
  CHECK(json::parse(finalize.body)["type"] == "urn:ietf:params:acme:error:orderNotReady");
}

TEST_CASE("acme challenge mode without a validator answers serverInternal", "[acme]") {
  Fixture f(nullptr);
  std::string orderId = placeOrder(f);
  auto [authz, challengeId] = httpChallenge(f, readOrder(f, orderId));
  auto r = f.post(AcmeServer::Endpoint::Challenge, "/acme/challenge/" + challengeId, json::object(),
                  {{"chall_id", challengeId}});
  CHECK(r.status == 500);
  CHECK(r.contentType == "application/problem+json");
  CHECK(json::parse(r.body)["type"] == "urn:ietf:params:acme:error:serverInternal");
  CHECK(readOrder(f, orderId)["status"] == "pending");
}

TEST_CASE("acme: a wildcard gets only dns-01, an IP no dns-01", "[acme]") {
  Fixture f(nullptr);
  auto account = f.post(AcmeServer::Endpoint::NewAccount, "/acme/new-account",
                        {{"termsOfServiceAgreed", true}});
  f.kid = Fixture::location(account);
  auto order = f.post(AcmeServer::Endpoint::NewOrder, "/acme/new-order",
                      {{"identifiers",
                        {{{"type", "dns"}, {"value", "*.Example.com"}},
                         {{"type", "ip"}, {"value", "127.0.0.1"}}}}});
  REQUIRE(order.status == 201);
  json body = json::parse(order.body);
  CHECK(body["identifiers"][0]["value"] == "*.example.com");
  std::set<std::string> types;
  for (const auto& url : body["authorizations"]) {
    std::string id = lastSegment(url.get<std::string>());
    json authz = json::parse(f.post(AcmeServer::Endpoint::Authorization, "/acme/authz/" + id,
                                    nullptr, {{"authz_id", id}})
                                 .body);
    std::string prefix = authz["identifier"]["type"].get<std::string>() + ":";
    for (const auto& c : authz["challenges"]) types.insert(prefix + c["type"].get<std::string>());
    if (authz["identifier"]["type"] == "dns") {
      CHECK(authz["wildcard"] == true);
      CHECK(authz["identifier"]["value"] == "example.com");
    }
  }
  CHECK(types == std::set<std::string>{"dns:dns-01", "ip:http-01", "ip:tls-alpn-01"});

  auto bad = f.post(AcmeServer::Endpoint::NewOrder, "/acme/new-order",
                    {{"identifiers", {{{"type", "dns"}, {"value", "a.*.example.com"}}}}});
  CHECK(bad.status == 400);
  CHECK(json::parse(bad.body)["type"] == "urn:ietf:params:acme:error:rejectedIdentifier");
}

TEST_CASE("acme: unknown profiles and a missing default are 404 problems", "[acme]") {
  Fixture f(nullptr, "");
  auto shorthand = f.call(AcmeServer::Endpoint::Directory, "/acme/directory", {}, {}, "GET");
  CHECK(shorthand.status == 404);
  CHECK(shorthand.contentType == "application/problem+json");
  auto unknown = f.call(AcmeServer::Endpoint::Directory, "/acme/profile/prof-x/directory",
                        {{"id", "prof-x"}}, {}, "GET");
  CHECK(unknown.status == 404);
  auto known = f.call(AcmeServer::Endpoint::Directory, "/acme/profile/prof-c/directory",
                      {{"id", "prof-c"}}, {}, "GET");
  REQUIRE(known.status == 200);
  CHECK(json::parse(known.body)["newOrder"] == "https://ca.test/acme/profile/prof-c/new-order");
  f.database.db().acquire().run("UPDATE certificate_profiles SET enabled = 0 WHERE id = 'prof-c'");
  CHECK(f.call(AcmeServer::Endpoint::Directory, "/acme/profile/prof-c/directory",
               {{"id", "prof-c"}}, {}, "GET")
            .status == 404);
}
