// The built-in ACME server's protocol checks, with a small client written
// here (tests/unit/protocols/acme_test_signer.h): every refusal is an
// RFC 8555 §6.7 problem with the right type and status, plus keyChange,
// ARI renewalInfo, `replaces`, revocation and the per-account order limit.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

#include "core/protocols/acme/ari_cert_id.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "tests/integration/protocols/acme_server_test_util.h"
#include "tests/integration/protocols/protocol_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/unit/protocols/acme_test_signer.h"

using namespace certctl::testing;
using namespace certctl::testing::protocols;
using certctl::testing::acme::TestSigner;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using nlohmann::json;

namespace {

constexpr int kOrdersPerHour = 4;

class Client {
 public:
  Client(ServerProcess& server, std::string prefix) : server_(server), prefix_(std::move(prefix)) {}

  std::string url(const std::string& path) const { return server_.baseUrl() + prefix_ + path; }
  std::string freshNonce() {
    auto r = server_.request("GET", prefix_ + "/new-nonce", {}, {}, "-");
    REQUIRE(r.status == 204);
    return r.header("replay-nonce");
  }
  // A JWS POST to prefix+path; `header` entries override the defaults.
  HttpResult post(const std::string& path, const std::string& payload, json header = json::object(),
                  const TestSigner* signer = nullptr) {
    const TestSigner& key = signer ? *signer : this->signer;
    json h = {{"nonce", freshNonce()}, {"url", url(path)}};
    if (kid.empty())
      h["jwk"] = key.jwk();
    else
      h["kid"] = kid;
    for (auto& [k, v] : header.items()) {
      if (v.is_null())
        h.erase(k);
      else
        h[k] = v;
    }
    lastBody = key.jws(h, payload).dump();
    return send(path, lastBody);
  }
  HttpResult send(const std::string& path, const std::string& body,
                  const std::string& contentType = "application/jose+json") {
    return server_.request("POST", prefix_ + path, body, {{"Content-Type", contentType}}, "-");
  }
  HttpResult get(const std::string& path) {
    return server_.request("GET", prefix_ + path, {}, {}, "-");
  }
  // The part of a URL after the prefix.
  std::string pathOf(const std::string& absolute) const { return absolute.substr(url("").size()); }

  TestSigner signer{"ES256"};
  std::string kid;
  std::string lastBody;

 private:
  ServerProcess& server_;
  std::string prefix_;
};

void requireProblem(const HttpResult& r, int status, const std::string& type) {
  INFO(r.status << " " << r.body);
  REQUIRE(r.status == status);
  CHECK(r.header("content-type") == "application/problem+json");
  CHECK(r.json()["type"] == "urn:ietf:params:acme:error:" + type);
  CHECK(!r.header("replay-nonce").empty());
  CHECK(r.header("link").find("rel=\"index\"") != std::string::npos);
}

// The target of the Link header entry with rel="<rel>", or "".
std::string linkWithRel(const std::string& header, const std::string& rel) {
  std::smatch m;
  std::regex entry("<([^>]*)>;rel=\"" + rel + "\"");
  return std::regex_search(header, m, entry) ? m[1].str() : std::string();
}

json order(const std::vector<std::string>& names) {
  json ids = json::array();
  for (const auto& n : names) ids.push_back({{"type", "dns"}, {"value", n}});
  return {{"identifiers", ids}};
}

// base64url DER of a CSR for `sans` (CN the first), key written to `key`.
std::string csrFor(const fs::path& dir, const std::vector<std::string>& sans) {
  std::string san = "subjectAltName=";
  for (std::size_t i = 0; i < sans.size(); ++i) san += (i ? ",DNS:" : "DNS:") + sans[i];
  require({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
           "-nodes", "-keyout", (dir / "csr.key").string(), "-subj", "/CN=" + sans.at(0), "-addext",
           san, "-outform", "DER", "-out", (dir / "csr.der").string()});
  return pki::base64UrlEncode(readFile(dir / "csr.der"));
}

}  // namespace

TEST_CASE("acme server: protocol refusals, keyChange, ARI and revocation",
          "[acme-server][protocol]") {
  ServerProcess server(
      acmeServerOptions({{"CERTCTL_ACME_SERVER_ORDERS_PER_HOUR", std::to_string(kOrdersPerHour)},
                         {"CERTCTL_ACME_SERVER_ORDERS_PAGE_SIZE", "1"}}));
  createAcmeProfile(server, kAcmeProfile);
  TempDir work;
  Client client(server, std::string("/acme/profile/") + kAcmeProfile);

  // Directory: the profile's, the default's, and none for an unknown profile.
  auto directory = client.get("/directory");
  REQUIRE(directory.status == 200);
  CHECK(directory.json()["renewalInfo"] == client.url("/renewal-info"));
  CHECK(server.request("GET", "/acme/directory", {}, {}, "-").json()["newOrder"] ==
        server.baseUrl() + "/acme/new-order");
  requireProblem(server.request("GET", "/acme/profile/prof-nope/directory", {}, {}, "-"), 404,
                 "malformed");
  // Unknown resources and wrong methods are problems too, not REST errors.
  requireProblem(client.get("/nothing-here"), 404, "malformed");
  requireProblem(client.send("/order/x/finalize/extra", "{}"), 404, "malformed");
  auto wrongMethod = client.get("/new-order");
  requireProblem(wrongMethod, 405, "malformed");
  CHECK(wrongMethod.header("allow") == "POST");
  // ... also where the HTTP pipeline answers before any ACME handler: a path
  // deeper than any route, and a body over CERTCTL_MAX_BODY_BYTES.
  requireProblem(client.send("/a/b/c/d/e/f/g/h", "{}"), 404, "malformed");
  requireProblem(client.send("/new-order", std::string(2 << 20, 'x')), 413, "malformed");
  // Profiles refuse an unknown auth mode.
  CHECK(server.post("/api/v1/profiles", {{"name", "bad"}, {"acme_auth_mode", "magic"}}).status ==
        400);

  // Accounts: contacts are validated; onlyReturnExisting needs an account.
  requireProblem(client.post("/new-account", R"({"contact":["tel:+1555"]})"), 400,
                 "unsupportedContact");
  requireProblem(client.post("/new-account", R"({"contact":["mailto:a@b@c"]})"), 400,
                 "invalidContact");
  requireProblem(client.post("/new-account", R"({"onlyReturnExisting":true})"), 400,
                 "accountDoesNotExist");
  auto account = client.post(
      "/new-account", R"({"termsOfServiceAgreed":true,"contact":["mailto:ops@example.com"]})");
  REQUIRE(account.status == 201);
  client.kid = account.header("location");
  REQUIRE(client.kid == client.url("/account/") + client.kid.substr(client.kid.rfind('/') + 1));
  CHECK(account.json()["status"] == "valid");

  SECTION("JWS refusals") {
    // Nonce reuse: the same request twice.
    auto placed = client.post("/new-order", order({"a.example.com"}).dump());
    REQUIRE(placed.status == 201);
    requireProblem(client.send("/new-order", client.lastBody), 400, "badNonce");
    requireProblem(client.post("/new-order", order({"a.example.com"}).dump(), {{"nonce", "AAAA"}}),
                   400, "badNonce");
    requireProblem(client.post("/new-order", order({"a.example.com"}).dump(), {{"nonce", nullptr}}),
                   400, "badNonce");
    // alg none / HMAC.
    json none = {{"protected", pki::base64UrlEncode(json{
                                   {"alg", "none"},
                                   {"nonce", client.freshNonce()},
                                   {"url", client.url("/new-order")},
                                   {"kid", client.kid}}.dump())},
                 {"payload", pki::base64UrlEncode(order({"a.example.com"}).dump())},
                 {"signature", ""}};
    requireProblem(client.send("/new-order", none.dump()), 400, "badSignatureAlgorithm");
    // The url of another resource.
    requireProblem(client.post("/new-order", order({"a.example.com"}).dump(),
                               {{"url", client.url("/new-account")}}),
                   403, "unauthorized");
    // Signed by another key under the account's kid.
    TestSigner intruder("ES256");
    requireProblem(client.post("/new-order", order({"a.example.com"}).dump(), {}, &intruder), 400,
                   "malformed");
    // An unknown account.
    requireProblem(client.post("/new-order", order({"a.example.com"}).dump(),
                               {{"kid", client.url("/account/acct-00000000000000000000")}}),
                   400, "accountDoesNotExist");
    // jwk where kid is needed, wrong content type, not JSON.
    requireProblem(client.post("/new-order", order({"a.example.com"}).dump(),
                               {{"kid", nullptr}, {"jwk", client.signer.jwk()}}),
                   400, "malformed");
    requireProblem(client.send("/new-order", client.lastBody, "application/json"), 415,
                   "malformed");
    requireProblem(client.send("/new-order", "{not json"), 400, "malformed");
    // Orders: notBefore is refused politely, IPs must be typed "ip".
    json early = order({"a.example.com"});
    early["notBefore"] = "2030-01-01T00:00:00Z";
    requireProblem(client.post("/new-order", early.dump()), 400, "malformed");
    requireProblem(client.post("/new-order", order({"127.0.0.1"}).dump()), 400,
                   "rejectedIdentifier");
  }

  SECTION("finalize, download, renewalInfo, replaces, revoke") {
    auto placed = client.post("/new-order", order({"f.example.com", "g.example.com"}).dump());
    REQUIRE(placed.status == 201);
    json o = placed.json();
    CHECK(o["status"] == "ready");  // trust_authenticated: authorizations are valid at once
    const std::string orderPath = client.pathOf(placed.header("location"));
    const std::string finalizePath = client.pathOf(o["finalize"]);
    auto authz = client.post(client.pathOf(o["authorizations"][0]), "");
    REQUIRE(authz.status == 200);
    CHECK(authz.json()["status"] == "valid");

    // A CSR naming an identifier the order does not have.
    requireProblem(client.post(finalizePath,
                               json{{"csr", csrFor(work.path(), {"f.example.com", "g.example.com",
                                                                 "evil.example.com"})}}
                                   .dump()),
                   400, "badCSR");
    requireProblem(
        client.post(finalizePath, json{{"csr", csrFor(work.path(), {"f.example.com"})}}.dump()),
        400, "badCSR");
    auto finalized =
        client.post(finalizePath,
                    json{{"csr", csrFor(work.path(), {"f.example.com", "g.example.com"})}}.dump());
    INFO(finalized.body);
    REQUIRE(finalized.status == 200);
    CHECK(finalized.json()["status"] == "valid");
    requireProblem(client.post(finalizePath, json{{"csr", "AAAA"}}.dump()), 403, "orderNotReady");
    auto read = client.post(orderPath, "");
    REQUIRE(read.status == 200);
    const std::string certPath = client.pathOf(read.json()["certificate"]);

    auto download = client.post(certPath, "");
    REQUIRE(download.status == 200);
    CHECK(download.header("content-type") == "application/pem-certificate-chain");
    auto chain = pki::Certificate::chainFromPem(download.body, pki::KeyDecoding::Deferred);
    REQUIRE(chain.size() == 2);
    CHECK(chain[0].isSignedBy(chain[1]));
    CHECK(chain[0].dnsNames().size() == 2);

    // RFC 9773 renewalInfo.
    const std::string certId = certctl::protocols::acme::ariCertIdOf(chain[0]).text();
    auto ari = client.get("/renewal-info/" + certId);
    INFO(ari.body);
    REQUIRE(ari.status == 200);
    CHECK(!ari.header("retry-after").empty());
    std::string start = ari.json()["suggestedWindow"]["start"];
    std::string end = ari.json()["suggestedWindow"]["end"];
    CHECK(start < end);
    requireProblem(client.get("/renewal-info/AAAA.AQ"), 404, "malformed");
    requireProblem(client.get("/renewal-info/garbage"), 400, "malformed");

    // A renewal names what it replaces, once.
    json renewal = order({"f.example.com", "g.example.com"});
    renewal["replaces"] = certId;
    auto replacing = client.post("/new-order", renewal.dump());
    REQUIRE(replacing.status == 201);
    CHECK(replacing.json()["replaces"] == certId);
    requireProblem(client.post("/new-order", renewal.dump()), 409, "alreadyReplaced");

    // Revocation by another account is refused; by the owner it works once.
    Client other(server, std::string("/acme/profile/") + kAcmeProfile);
    auto otherAccount = other.post("/new-account", R"({"termsOfServiceAgreed":true})");
    REQUIRE(otherAccount.status == 201);
    other.kid = otherAccount.header("location");
    json revoke = {{"certificate", pki::base64UrlEncode(chain[0].toDer())}, {"reason", 1}};
    requireProblem(other.post("/revoke-cert", revoke.dump()), 403, "unauthorized");
    requireProblem(client.post("/revoke-cert",
                               json{{"certificate", revoke["certificate"]}, {"reason", 7}}.dump()),
                   400, "badRevocationReason");
    auto revoked = client.post("/revoke-cert", revoke.dump());
    INFO(revoked.body);
    REQUIRE(revoked.status == 200);
    requireProblem(client.post("/revoke-cert", revoke.dump()), 400, "alreadyRevoked");
    // The certificate's own key may revoke it too (no account: jwk).
    auto second = client.post("/new-order", order({"k.example.com"}).dump());
    REQUIRE(second.status == 201);
    const std::string secondCsr = csrFor(work.path(), {"k.example.com"});
    REQUIRE(client.post(client.pathOf(second.json()["finalize"]), json{{"csr", secondCsr}}.dump())
                .status == 200);
    auto secondCert = client.post(
        client.pathOf(
            client.post(client.pathOf(second.header("location")), "").json()["certificate"]),
        "");
    REQUIRE(secondCert.status == 200);
    auto leaf = pki::Certificate::chainFromPem(secondCert.body, pki::KeyDecoding::Deferred).at(0);
    TestSigner certKey = TestSigner::fromPem(readFile(work.path() / "csr.key"));
    Client holder(server, std::string("/acme/profile/") + kAcmeProfile);
    json byKey = {{"certificate", pki::base64UrlEncode(leaf.toDer())}};
    requireProblem(holder.post("/revoke-cert", byKey.dump()), 403, "unauthorized");
    auto revokedByKey = holder.post("/revoke-cert", byKey.dump(), {}, &certKey);
    INFO(revokedByKey.body);
    CHECK(revokedByKey.status == 200);
    auto inventory = acmeCertificates(server);
    REQUIRE(inventory.size() == 2);
    for (const auto& c : inventory) {
      CHECK(c["status"] == "Revoked");
      CHECK(c["source"] == "acme");
    }
    // A revoked certificate is due for renewal now.
    auto due = client.get("/renewal-info/" + certId);
    REQUIRE(due.status == 200);
    CHECK(due.json()["suggestedWindow"]["start"].get<std::string>() < end);
  }

  SECTION("keyChange and deactivation") {
    TestSigner newKey("EdDSA");
    const std::string keyChangeUrl = client.url("/key-change");
    json inner = newKey.jws({{"url", keyChangeUrl}, {"jwk", newKey.jwk()}},
                            json{{"account", client.kid}, {"oldKey", client.signer.jwk()}}.dump());
    // The inner JWS must be signed by the new key.
    TestSigner stranger("EdDSA");
    json forged =
        stranger.jws({{"url", keyChangeUrl}, {"jwk", newKey.jwk()}},
                     json{{"account", client.kid}, {"oldKey", client.signer.jwk()}}.dump());
    requireProblem(client.post("/key-change", forged.dump()), 400, "malformed");
    auto changed = client.post("/key-change", inner.dump());
    INFO(changed.body);
    REQUIRE(changed.status == 200);
    // The old key no longer signs for the account; the new one does.
    requireProblem(client.post(client.pathOf(client.kid), ""), 400, "badSignatureAlgorithm");
    client.signer = std::move(newKey);
    REQUIRE(client.post(client.pathOf(client.kid), "").status == 200);
    // A key in use by another account is a conflict.
    Client other(server, std::string("/acme/profile/") + kAcmeProfile);
    auto otherAccount = other.post("/new-account", R"({"termsOfServiceAgreed":true})");
    REQUIRE(otherAccount.status == 201);
    json taken =
        other.signer.jws({{"url", keyChangeUrl}, {"jwk", other.signer.jwk()}},
                         json{{"account", client.kid}, {"oldKey", client.signer.jwk()}}.dump());
    auto conflict = client.post("/key-change", taken.dump());
    requireProblem(conflict, 409, "malformed");
    CHECK(conflict.header("location") == otherAccount.header("location"));

    auto deactivated = client.post(client.pathOf(client.kid), R"({"status":"deactivated"})");
    REQUIRE(deactivated.status == 200);
    CHECK(deactivated.json()["status"] == "deactivated");
    requireProblem(client.post("/new-order", order({"a.example.com"}).dump()), 403, "unauthorized");
  }

  SECTION("an account's orders list (RFC 8555 7.1.2.1)") {
    auto read = client.post(client.pathOf(client.kid), "");
    REQUIRE(read.status == 200);
    const std::string ordersUrl = read.json()["orders"].get<std::string>();
    CHECK(ordersUrl == client.kid + "/orders");
    auto empty = client.post(client.pathOf(ordersUrl), "");
    INFO(empty.body);
    REQUIRE(empty.status == 200);
    CHECK(empty.json()["orders"] == json::array());
    auto first = client.post("/new-order", order({"one.example.com"}).dump());
    auto second = client.post("/new-order", order({"two.example.com"}).dump());
    REQUIRE(first.status == 201);
    REQUIRE(second.status == 201);
    // One order per page here: the first page links to the next one.
    auto page1 = client.post(client.pathOf(ordersUrl), "");
    INFO(page1.body);
    REQUIRE(page1.status == 200);
    REQUIRE(page1.json()["orders"].size() == 1);
    const std::string next = linkWithRel(page1.header("link"), "next");
    REQUIRE(next.rfind(ordersUrl + "?cursor=", 0) == 0);
    auto page2 = client.post(client.pathOf(next), "");
    INFO(page2.body);
    REQUIRE(page2.status == 200);
    REQUIRE(page2.json()["orders"].size() == 1);
    CHECK(linkWithRel(page2.header("link"), "next").empty());
    // Newest first (by creation second, then id): together both orders, once each.
    std::vector<std::string> urls = {page1.json()["orders"][0], page2.json()["orders"][0]};
    std::sort(urls.begin(), urls.end());
    std::vector<std::string> expected = {first.header("location"), second.header("location")};
    std::sort(expected.begin(), expected.end());
    CHECK(urls == expected);
    // The JWS url must carry the query too; a cursor must be one of the
    // account's orders, and the only parameter.
    requireProblem(client.post(client.pathOf(next), "", {{"url", ordersUrl}}), 403, "unauthorized");
    requireProblem(client.post(client.pathOf(ordersUrl + "?cursor=ord-unknown"), ""), 400,
                   "malformed");
    requireProblem(client.post(client.pathOf(next + "&page=2"), ""), 400, "malformed");
    // Only with the account's own key, and only by POST-as-GET.
    Client other(server, std::string("/acme/profile/") + kAcmeProfile);
    REQUIRE(other.post("/new-account", R"({"termsOfServiceAgreed":true})").status == 201);
    other.kid = other.post("/new-account", R"({"onlyReturnExisting":true})").header("location");
    requireProblem(other.post(client.pathOf(ordersUrl), ""), 403, "unauthorized");
    // Another account's order is no cursor of this one.
    const std::string cursorPart = next.substr(ordersUrl.size());
    requireProblem(other.post(client.pathOf(other.kid + "/orders" + cursorPart), ""), 400,
                   "malformed");
    requireProblem(client.post(client.pathOf(ordersUrl), "{}"), 400, "malformed");
  }

  SECTION("orders per account and hour") {
    for (int i = 0; i < kOrdersPerHour; ++i)
      REQUIRE(client.post("/new-order", order({"r.example.com"}).dump()).status == 201);
    auto limited = client.post("/new-order", order({"r.example.com"}).dump());
    requireProblem(limited, 429, "rateLimited");
    CHECK(std::stoi(limited.header("retry-after")) > 0);
  }
}
