// EST multi-profile dispatch and mTLS (docs/est.md), driven by curl and
// openssl: per-profile routing, simplereenroll with the issued certificate,
// refusals (no certificate, another profile's CA, a CSR naming something
// else), trust reload through the admin API and SIGHUP, and the audit trail.
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/integration/protocols/est_test_util.h"
#include "tests/support/test_database.h"

using namespace certctl::testing;
using namespace certctl::testing::est;
using nlohmann::json;

namespace {

constexpr const char* kCorpPassword = "corp-enrollment-secret-1";

// caA: the issuing CA (CERTCTL_CA_*) and corp's client trust; caB: a factory
// CA only iot trusts.
ServerProcessOptions profilesServer(const fs::path& d) {
  makeCa(d, "caA", "/CN=certctl EST issuing CA A");
  makeCa(d, "caB", "/CN=factory CA B", true);
  fs::copy_file(d / "caA.crt", d / "corp-trust.pem");
  ServerProcessOptions options;
  options.env = {
      {"CERTCTL_CA_CERT_PATH", (d / "caA.crt").string()},
      {"CERTCTL_CA_KEY_PATH", (d / "caA.key").string()},
      {"CERTCTL_EST_ENABLED", "true"},
      {"CERTCTL_EST_PROFILES", "corp,iot"},
      {"CERTCTL_EST_PROFILE_CORP_ISSUER_ID", "iss-local"},
      {"CERTCTL_EST_PROFILE_CORP_ENROLLMENT_PASSWORD", kCorpPassword},
      {"CERTCTL_EST_PROFILE_CORP_ALLOWED_AUTH_MODES", "basic,mtls"},
      {"CERTCTL_EST_PROFILE_CORP_MTLS_ENABLED", "true"},
      {"CERTCTL_EST_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH",
       (d / "corp-trust.pem").string()},
      {"CERTCTL_EST_PROFILE_IOT_ISSUER_ID", "iss-local"},
      {"CERTCTL_EST_PROFILE_IOT_ALLOWED_AUTH_MODES", "mtls"},
      {"CERTCTL_EST_PROFILE_IOT_MTLS_ENABLED", "true"},
      {"CERTCTL_EST_PROFILE_IOT_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH", (d / "caB.crt").string()},
  };
  return options;
}

std::vector<std::string> withCert(const fs::path& d, const std::string& name) {
  return {"--cert", (d / (name + ".crt")).string(), "--key", (d / (name + ".key")).string()};
}

std::string serialOf(const fs::path& pem) {
  auto r = runProcess({"openssl", "x509", "-in", pem.string(), "-noout", "-serial", "-subject"});
  REQUIRE(r.exitCode == 0);
  return r.output;
}

int auditCount(ServerProcess& server, const std::string& action) {
  auto audit = server.get("/api/v1/audit?action=" + action);
  REQUIRE(audit.status == 200);
  return static_cast<int>(audit.json()["data"].size());
}

}  // namespace

TEST_CASE("EST profiles: routing, mTLS simplereenroll, cross-profile refusal, trust reload",
          "[protocols][est]") {
  TempDir dir;
  const fs::path d = dir.path();
  ServerProcess server(profilesServer(d));
  const std::string user = std::string("device:") + kCorpPassword;
  CHECK(requestsClientCertificate(server.port()));  // optional: the handshake never fails on it

  // Routing: each profile at its own path id, unknown ones 404; with
  // CERTCTL_EST_PROFILES set the legacy root is not served.
  auto corpCa = curl(server, d, "GET", "/.well-known/est/corp/cacerts");
  REQUIRE(corpCa.status == 200);
  CHECK(printCerts(d, corpCa.body, "corp-cacerts").find("BEGIN CERTIFICATE") != std::string::npos);
  CHECK(curl(server, d, "GET", "/.well-known/est-mtls/iot/cacerts").status == 200);
  CHECK(curl(server, d, "GET", "/.well-known/est/nope/cacerts").status == 404);
  CHECK(curl(server, d, "GET", "/.well-known/est-mtls/nope/simpleenroll").status == 404);
  CHECK(curl(server, d, "GET", "/.well-known/est/cacerts").status == 404);
  // iot allows mtls only: no password-gated enrollment on /est/iot/.
  CHECK(curl(server, d, "POST", "/.well-known/est/iot/simpleenroll").status == 404);

  // Bootstrap over Basic at /est/corp/.
  require({"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
           (d / "dev.key").string()});
  auto csr = csrBase64(d, (d / "dev.key").string(), "/CN=laptop-001.example.com", "dev-csr",
                       {"-addext", "subjectAltName=DNS:laptop-001.example.com"});
  CHECK(curl(server, d, "POST", "/.well-known/est/corp/simpleenroll", {"-u", "device:wrong"}, csr)
            .status == 401);
  auto enrolled = curl(server, d, "POST", "/.well-known/est/corp/simpleenroll", {"-u", user}, csr);
  INFO(enrolled.body);
  REQUIRE(enrolled.status == 200);
  printCerts(d, enrolled.body, "dev");  // d/dev.crt
  const std::string firstSerial = serialOf(d / "dev.crt");

  // simplereenroll over mTLS with the issued certificate: a new certificate.
  auto renewCsr = csrBase64(d, (d / "dev.key").string(), "/CN=laptop-001.example.com", "renew");
  auto renewed = curl(server, d, "POST", "/.well-known/est-mtls/corp/simplereenroll",
                      withCert(d, "dev"), renewCsr);
  INFO(renewed.body);
  REQUIRE(renewed.status == 200);
  printCerts(d, renewed.body, "renewed");
  std::string renewedSerial = serialOf(d / "renewed.crt");
  CHECK(renewedSerial != firstSerial);
  CHECK(renewedSerial.find("CN = laptop-001.example.com") != std::string::npos);
  CHECK(auditCount(server, "est_simple_reenroll_success") == 1);
  // ... as a new version of the same managed certificate (a Renewal job).
  {
    auto listed = server.get("/api/v1/certificates?source=est&page_size=100");
    REQUIRE(listed.status == 200);
    json list = listed.json();
    std::vector<json> laptops;
    for (const auto& c : list["data"])
      if (c["common_name"] == "laptop-001.example.com") laptops.push_back(c);
    REQUIRE(laptops.size() == 1);
    CHECK(laptops[0]["status"] == "Active");
    auto versions =
        server.get("/api/v1/certificates/" + laptops[0]["id"].get<std::string>() + "/versions");
    REQUIRE(versions.status == 200);
    json versionList = versions.json();
    CHECK(versionList["data"].size() == 2);
  }

  // Refusals: no certificate; another profile's CA (cross-profile bleed);
  // a CSR naming something else.
  auto noCert = curl(server, d, "POST", "/.well-known/est-mtls/corp/simplereenroll", {}, renewCsr);
  CHECK(noCert.status == 401);
  CHECK(noCert.body.find("no client certificate") != std::string::npos);
  makeClientCert(d, "caB", "sensor", "/CN=sensor-001");
  auto sensorCsr = csrBase64(d, (d / "sensor.key").string(), "/CN=sensor-001", "sensor-csr");
  CHECK(curl(server, d, "POST", "/.well-known/est-mtls/corp/simplereenroll", withCert(d, "sensor"),
             sensorCsr)
            .status == 401);
  CHECK(curl(server, d, "POST", "/.well-known/est-mtls/iot/simpleenroll", withCert(d, "dev"), csr)
            .status == 401);
  CHECK(curl(server, d, "POST", "/.well-known/est-mtls/iot/simpleenroll", withCert(d, "sensor"),
             sensorCsr)
            .status == 200);
  auto otherCsr = csrBase64(d, (d / "dev.key").string(), "/CN=someone-else.example.com", "other");
  auto other = curl(server, d, "POST", "/.well-known/est-mtls/corp/simplereenroll",
                    withCert(d, "dev"), otherCsr);
  CHECK(other.status == 403);
  CHECK(other.body.find("someone-else") != std::string::npos);
  CHECK(auditCount(server, "est_auth_failed_mtls") == 3);
  CHECK(auditCount(server, "est_auth_failed_basic") == 1);
  CHECK(auditCount(server, "est_simple_reenroll_failed") == 1);

  // Admin API: the profiles without secrets; admin key required.
  auto profiles = server.get("/api/v1/admin/est/profiles");
  REQUIRE(profiles.status == 200);
  CHECK(profiles.json()["total"] == 2);
  CHECK(profiles.body.find(kCorpPassword) == std::string::npos);
  CHECK(profiles.json()["data"][0]["trust_anchors"][0]["subject"] == "CN=certctl EST issuing CA A");
  CHECK(server.request("GET", "/api/v1/admin/est/profiles", {}, {}, "-").status == 401);

  // A bad bundle: the reload reports it and the old pool stays.
  std::ofstream(d / "corp-trust.pem") << "-----BEGIN CERTIFICATE-----\nnot base64\n";
  auto bad = server.post("/api/v1/admin/est/reload-trust", json{{"path_id", "corp"}});
  CHECK(bad.status == 422);
  CHECK(bad.json()["data"][0]["reloaded"] == false);
  CHECK(bad.body.find("corp-trust.pem") != std::string::npos);
  CHECK(curl(server, d, "POST", "/.well-known/est-mtls/corp/simplereenroll", withCert(d, "dev"),
             renewCsr)
            .status == 200);
  CHECK(server.post("/api/v1/admin/est/reload-trust", json{{"path_id", "nope"}}).status == 404);

  // A good bundle (now the factory CA): the factory certificate is in, the
  // old one out.
  fs::copy_file(d / "caB.crt", d / "corp-trust.pem", fs::copy_options::overwrite_existing);
  auto good = server.request("POST", "/api/v1/admin/est/reload-trust");
  INFO(good.body);
  REQUIRE(good.status == 200);
  CHECK(good.json()["data"].size() == 2);
  CHECK(curl(server, d, "POST", "/.well-known/est-mtls/corp/simpleenroll", withCert(d, "sensor"),
             sensorCsr)
            .status == 200);
  CHECK(curl(server, d, "POST", "/.well-known/est-mtls/corp/simplereenroll", withCert(d, "dev"),
             renewCsr)
            .status == 401);
  CHECK(auditCount(server, "est_trust_anchor_reloaded") == 2);

  // SIGHUP reloads too.
  fs::copy_file(d / "caA.crt", d / "corp-trust.pem", fs::copy_options::overwrite_existing);
  REQUIRE(kill(server.pid(), SIGHUP) == 0);
  CHECK(lifecycle::eventually([&] {
    return curl(server, d, "POST", "/.well-known/est-mtls/corp/simplereenroll", withCert(d, "dev"),
                renewCsr)
               .status == 200;
  }));

  // A revoked certificate no longer renews itself.
  auto enrollments = server.get("/api/v1/audit?action=est_simple_enroll_success");
  REQUIRE(enrollments.status == 200);
  std::string firstId;
  const json rows = enrollments.json()["data"];
  for (const auto& row : rows)
    if (row["details"].value("subject", "") == "CN=laptop-001.example.com")
      firstId = row["details"].value("certificate_id", "");
  REQUIRE(!firstId.empty());
  REQUIRE(
      server.post("/api/v1/certificates/" + firstId + "/revoke", json{{"reason", "keyCompromise"}})
          .status == 200);
  auto revoked = curl(server, d, "POST", "/.well-known/est-mtls/corp/simplereenroll",
                      withCert(d, "dev"), renewCsr);
  CHECK(revoked.status == 401);
  CHECK(revoked.body.find("revoked") != std::string::npos);
}
