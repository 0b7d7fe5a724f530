// The discovery API against the real server (SQLite and PostgreSQL): scan
// reports stored and deduplicated by (fingerprint, agent, path), the facts
// read from the certificates themselves, the lists with their filters,
// claim and dismiss with their audit events, and bad input refused with a
// 4xx that writes nothing.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using nlohmann::json;
namespace pki = certctl::sdk::pki;

namespace {

json expectStatus(const HttpResult& response, int status) {
  INFO(response.body);
  REQUIRE(response.status == status);
  return response.body.empty() ? json() : response.json();
}

std::string registerAgent(ServerProcess& server, const std::string& name) {
  return expectStatus(server.post("/api/v1/agents", {{"name", name}, {"hostname", name}}),
                      201)["id"];
}

pki::Certificate makeCert(const std::string& cn, bool ca = false) {
  auto key = ca ? pki::PrivateKey::generateRsa(2048) : pki::PrivateKey::generateEcP256();
  pki::CertificateBuilder b;
  b.commonName(cn).validFor(std::chrono::hours(24 * 90)).ca(ca);
  if (!ca) b.dnsName(cn).dnsName("www." + cn);
  return b.selfSign(key);
}

json entry(const pki::Certificate& cert, const std::string& path) {
  return {{"pem_data", cert.toPem()}, {"source_path", path}, {"source_format", "PEM"}};
}

long long total(ServerProcess& server, const std::string& path) {
  return expectStatus(server.get(path), 200)["total"].get<long long>();
}

// Audit rows of the state changes are written before the response.
json auditEvents(ServerProcess& server, const std::string& action) {
  return expectStatus(server.get("/api/v1/audit?action=" + action), 200)["data"];
}

}  // namespace

TEST_CASE("discovery API: reports are stored once per fingerprint, agent and path", "[discovery]") {
  ServerProcess server;
  std::string agent = registerAgent(server, "disc-edge-1");
  std::string other = registerAgent(server, "disc-edge-2");
  auto leaf = makeCert("shop.example.test");
  auto root = makeCert("Shop Root CA", true);
  std::string base = "/api/v1/agents/" + agent + "/discoveries";

  json report = {{"directories", {"/etc/nginx/ssl", "/etc/ssl"}},
                 {"scan_duration_ms", 42},
                 {"errors", {{{"location", "/etc/ssl/x.pem"}, {"message", "denied"}}}},
                 {"certificates",
                  {entry(leaf, "/etc/nginx/ssl/shop.pem"), entry(root, "/etc/nginx/ssl/shop.pem"),
                   entry(leaf, "/etc/ssl/copy.crt"),
                   entry(leaf, "/etc/ssl/copy.crt")}}};  // the same twice: one record
  auto scan = expectStatus(server.post(base, report), 201);
  CHECK(scan["agent_id"] == agent);
  CHECK(scan["certificates_found"] == 3);
  CHECK(scan["certificates_new"] == 3);
  CHECK(scan["errors_count"] == 1);
  CHECK(scan["scan_duration_ms"] == 42);
  CHECK(scan["directories"] == json{"/etc/nginx/ssl", "/etc/ssl"});

  auto list = expectStatus(
      server.get("/api/v1/discovered-certificates?agent_id=" + agent + "&sort=commonName"), 200);
  REQUIRE(list["total"] == 3);
  const auto& ca = list["data"][0];  // "Shop Root CA" sorts before "shop..."
  CHECK(ca["common_name"] == "Shop Root CA");
  CHECK(ca["is_ca"] == true);
  CHECK(ca["key_algorithm"] == "RSA");
  CHECK(ca["key_size"] == 2048);
  CHECK(ca["status"] == "Unmanaged");
  const auto& shop = list["data"][1];
  CHECK(shop["fingerprint_sha256"] == leaf.sha256FingerprintHex());
  CHECK(shop["sans"] == json{"shop.example.test", "www.shop.example.test"});
  CHECK(shop["serial_number"] == leaf.serialHex());
  CHECK(shop["issuer_dn"] == "CN=shop.example.test");
  CHECK(shop["key_algorithm"] == "ECDSA");
  CHECK(shop["is_ca"] == false);
  CHECK(shop["discovery_scan_id"] == scan["id"]);
  CHECK_FALSE(shop["not_after"].is_null());

  // The same scan again: nothing new, the sightings move to the new scan.
  auto again = expectStatus(server.post(base, report), 201);
  CHECK(again["certificates_new"] == 0);
  CHECK(total(server, "/api/v1/discovered-certificates") == 3);
  auto detail = expectStatus(
      server.get("/api/v1/discovered-certificates/" + shop["id"].get<std::string>()), 200);
  CHECK(detail["discovery_scan_id"] == again["id"]);
  CHECK(detail["first_seen_at"] == shop["first_seen_at"]);
  CHECK(detail["pem_data"] == leaf.toPem());

  // Another agent seeing the same file is another record.
  expectStatus(server.post("/api/v1/agents/" + other + "/discoveries",
                           {{"certificates", {entry(leaf, "/etc/nginx/ssl/shop.pem")}}}),
               201);
  CHECK(total(server, "/api/v1/discovered-certificates") == 4);
  CHECK(total(server, "/api/v1/discovered-certificates?agent_id=" + other) == 1);
  CHECK(total(server, "/api/v1/discovery-scans") == 3);
  CHECK(total(server, "/api/v1/discovery-scans?agent_id=" + agent) == 2);
  auto page = expectStatus(server.get("/api/v1/discovered-certificates?per_page=2&page=2"), 200);
  CHECK(page["data"].size() == 2);
  CHECK(page["total"] == 4);
  CHECK(total(server, "/api/v1/discovered-certificates?is_ca=true") == 1);

  auto events = auditEvents(server, "discovery_scan_completed");
  CHECK(events.size() == 3);
}

TEST_CASE("discovery API: bad reports are refused and write nothing", "[discovery]") {
  ServerProcess server;
  std::string agent = registerAgent(server, "disc-bad");
  std::string base = "/api/v1/agents/" + agent + "/discoveries";
  auto cert = makeCert("bad.example.test");
  auto good = entry(cert, "/srv/good.pem");

  struct Case {
    json body;
    std::string field;
  };
  std::vector<Case> cases = {
      {json::object(), "certificates"},
      {{{"certificates", "nope"}}, "certificates"},
      {{{"certificates", {good, {{"pem_data", "junk"}, {"source_path", "/x.pem"}}}}},
       "certificates[1].pem_data"},
      {{{"certificates", {{{"pem_data", cert.toPem()}}}}}, "certificates[0].source_path"},
      {{{"certificates",
         {{{"pem_data", cert.toPem()},
           {"source_path", "/x.pem"},
           {"fingerprint_sha256", std::string(64, 'a')}}}}},
       "certificates[0].fingerprint_sha256"},
      {{{"certificates", {good}}, {"directories", {7}}}, "directories[0]"},
      {{{"certificates", {good}}, {"scan_duration_ms", -1}}, "scan_duration_ms"},
      {{{"certificates", {good}}, {"started_at", "yesterday"}}, "started_at"},
      {{{"certificates", {good}}, {"source", "Not A Token"}}, "source"},
  };
  for (const auto& c : cases) {
    INFO(c.body.dump());
    auto response = server.post(base, c.body);
    CHECK(response.status == 400);
    CHECK(errorField(response) == c.field);
  }
  auto malformed = server.request("POST", base, "{not json");
  CHECK(malformed.status == 400);
  CHECK(server.post("/api/v1/agents/a-nobody/discoveries", {{"certificates", {good}}}).status ==
        404);
  CHECK(total(server, "/api/v1/discovered-certificates") == 0);
  CHECK(total(server, "/api/v1/discovery-scans") == 0);

  // The fingerprint may be given; when it matches, the report is taken.
  good["fingerprint_sha256"] = cert.sha256FingerprintHex();
  expectStatus(server.post(base, {{"certificates", {good}}}), 201);
  CHECK(total(server, "/api/v1/discovered-certificates") == 1);
}

TEST_CASE("discovery API: claim, dismiss and the summary", "[discovery]") {
  ServerProcess server;
  std::string agent = registerAgent(server, "disc-triage");
  auto a = makeCert("a.example.test");
  auto b = makeCert("b.example.test");
  auto c = makeCert("c.example.test");
  expectStatus(
      server.post("/api/v1/agents/" + agent + "/discoveries",
                  {{"certificates", {entry(a, "/a.pem"), entry(b, "/b.pem"), entry(c, "/c.pem")}}}),
      201);
  auto idOf = [&](const pki::Certificate& cert) {
    auto list = expectStatus(server.get("/api/v1/discovered-certificates?fingerprint_sha256=" +
                                        cert.sha256FingerprintHex()),
                             200);
    REQUIRE(list["data"].size() == 1);
    return list["data"][0]["id"].get<std::string>();
  };
  std::string ida = idOf(a), idb = idOf(b);
  auto managed = createCertificate(server, "mc-disc-a", "a.example.test");
  std::string mc = managed["id"];
  std::string claimA = "/api/v1/discovered-certificates/" + ida + "/claim";

  CHECK(server.post(claimA, json::object()).status == 400);
  auto unknownMc = server.post(claimA, {{"managed_certificate_id", "mc-does-not-exist"}});
  CHECK(unknownMc.status == 400);
  CHECK(errorField(unknownMc) == "managed_certificate_id");
  CHECK(
      server.post("/api/v1/discovered-certificates/dc-nope/claim", {{"managed_certificate_id", mc}})
          .status == 404);
  CHECK(expectStatus(server.get("/api/v1/discovered-certificates/" + ida), 200)["status"] ==
        "Unmanaged");

  auto claimed = expectStatus(server.post(claimA, {{"managed_certificate_id", mc}}), 200);
  CHECK(claimed["status"] == "Managed");
  CHECK(claimed["managed_certificate_id"] == mc);
  // Claiming again for the same certificate is a no-op; for another, a conflict.
  expectStatus(server.post(claimA, {{"managed_certificate_id", mc}}), 200);
  auto second = createCertificate(server, "mc-disc-other", "other.example.test");
  CHECK(server.post(claimA, {{"managed_certificate_id", second["id"]}}).status == 409);
  CHECK(server.post("/api/v1/discovered-certificates/" + ida + "/dismiss", json::object()).status ==
        409);

  std::string dismissB = "/api/v1/discovered-certificates/" + idb + "/dismiss";
  CHECK(server.post(dismissB, {{"reason", 42}}).status == 400);
  auto dismissed = expectStatus(server.post(dismissB, {{"reason", "test fixture"}}), 200);
  CHECK(dismissed["status"] == "Dismissed");
  CHECK(dismissed["dismissed_reason"] == "test fixture");
  CHECK_FALSE(dismissed["dismissed_at"].is_null());
  // A dismissed certificate can still be claimed.
  auto third = createCertificate(server, "mc-disc-b", "b.example.test");

  auto summary = expectStatus(server.get("/api/v1/discovery-summary"), 200);
  CHECK(summary == json{{"Unmanaged", 1}, {"Managed", 1}, {"Dismissed", 1}, {"total", 3}});
  CHECK(total(server, "/api/v1/discovered-certificates?status=Dismissed") == 1);
  CHECK(server.get("/api/v1/discovered-certificates?status=Bogus").status == 400);

  auto claims = auditEvents(server, "discovery_cert_claimed");
  REQUIRE(claims.size() == 1);
  CHECK(claims[0]["resource_id"] == ida);
  CHECK(claims[0]["details"]["managed_certificate_id"] == mc);
  auto dismissals = auditEvents(server, "discovery_cert_dismissed");
  REQUIRE(dismissals.size() == 1);
  CHECK(dismissals[0]["details"]["reason"] == "test fixture");

  expectStatus(server.post("/api/v1/discovered-certificates/" + idb + "/claim",
                           {{"managed_certificate_id", third["id"]}}),
               200);
  summary = expectStatus(server.get("/api/v1/discovery-summary"), 200);
  CHECK(summary["Managed"] == 2);
  CHECK(summary["Dismissed"] == 0);
}
