// Issuance and renewal with CERTCTL_KEYGEN_MODE=server on the real server
// and its default local CA (iss-local): a created certificate becomes
// Active through an Issuance job, its version verifies with openssl against
// the CA, a renewal makes a second version with a new serial, and the
// server-made key is on disk (0600), never in the API.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/support/process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
namespace fs = std::filesystem;
using nlohmann::json;

TEST_CASE("server keygen: create, issue, verify, renew", "[lifecycle]") {
  ServerProcess server(keygen("server"));
  TempDir work;

  json created = createCertificate(server, "web", "web.example.com",
                                   {{"sans", {"web.example.com", "www.example.com"}}});
  std::string id = created["id"];
  CHECK(created["status"] == "Pending");

  json job = waitForJob(server, id, "Completed");
  CHECK(job["type"] == "Issuance");
  CHECK(job["attempts"] == 1);
  CHECK(job["result"]["keygen"] == "server");
  json cert = waitForCertificate(server, id, "Active");
  CHECK(cert["last_renewal_at"].is_string());

  json versions = versionsOf(server, id);
  REQUIRE(versions.size() == 1);
  json v1 = versions[0];
  CHECK(v1["id"] == job["result"]["version_id"]);
  CHECK(v1["issuer_id"] == "iss-local");
  CHECK(v1["key_algorithm"] == "ECDSA");
  CHECK(v1["key_size"] == 256);
  CHECK(v1["fingerprint_sha256"].get<std::string>().size() == 64);
  CHECK(v1["csr_pem"].get<std::string>().find("BEGIN CERTIFICATE REQUEST") != std::string::npos);
  CHECK(cert["expires_at"] == v1["not_after"]);
  std::string serial1 = v1["serial_number"];
  REQUIRE_FALSE(serial1.empty());
  CHECK(serial1.find_first_not_of("0123456789ABCDEF") == std::string::npos);
  CHECK(serial1[0] != '0');

  // The stored chain is leaf + CA; the leaf verifies against the CA the
  // plugin keeps on disk, and openssl agrees on the serial and the names.
  std::string chain = v1["pem_chain"];
  auto verify = opensslVerify(work.path(), localCaCert(server), chain);
  INFO(verify.output);
  CHECK(verify.exitCode == 0);
  CHECK(opensslX509(work.path(), chain, {"-serial"}) == "serial=" + serial1 + "\n");
  std::string text = opensslX509(work.path(), chain, {"-ext", "subjectAltName"});
  CHECK(text.find("DNS:www.example.com") != std::string::npos);

  // The server-made key: 0600 under the data dir, matching the certificate.
  fs::path key = server.dataDir() / "server-keys" / id / (v1["id"].get<std::string>() + ".key");
  REQUIRE(fs::exists(key));
  CHECK((fs::status(key).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK((fs::status(key.parent_path()).permissions() & fs::perms::all) == fs::perms::owner_all);
  auto pub = runProcess({"openssl", "pkey", "-in", key.string(), "-pubout"});
  auto certPub = runProcess(
      {"openssl", "x509", "-in", (work.path() / "leaf.pem").string(), "-noout", "-pubkey"});
  CHECK(pub.exitCode == 0);
  CHECK(pub.output == certPub.output);
  // ... and nowhere in what the API returns.
  CHECK(server.get("/api/v1/certificates/" + id + "/versions").body.find("PRIVATE KEY") ==
        std::string::npos);

  // Renewal: a Renewal job, then a second version with a new serial.
  auto renew = server.post("/api/v1/certificates/" + id + "/renew", json::object());
  INFO(renew.body);
  REQUIRE(renew.status == 202);
  json renewal = renew.json();
  CHECK(renewal["type"] == "Renewal");
  CHECK(renewal["certificate_id"] == id);
  renewal = waitForJob(server, id, "Completed", renewal["id"]);
  waitForCertificate(server, id, "Active");
  versions = versionsOf(server, id);
  REQUIRE(versions.size() == 2);
  std::string serial2 = renewal["result"]["serial_number"];
  CHECK(serial2 != serial1);
  bool found = false;
  for (const auto& v : versions)
    if (v["serial_number"] == serial2) {
      found = true;
      CHECK(opensslVerify(work.path(), localCaCert(server), v["pem_chain"]).exitCode == 0);
    }
  CHECK(found);
  CHECK(jobsOf(server, id).size() == 2);

  // The typed audit events of both (queued, so they land within moments).
  int issued = 0, renewed = 0;
  eventually([&] {
    auto audit = server.get("/api/v1/audit?resource_id=" + id + "&per_page=100").json();
    issued = renewed = 0;
    for (const auto& e : audit["data"]) {
      if (e["action"] == "certificate.issued") ++issued;
      if (e["action"] == "certificate.renewed") ++renewed;
    }
    return issued == 1 && renewed == 1;
  });
  CHECK(issued == 1);
  CHECK(renewed == 1);
}

TEST_CASE("renewal refusals: unknown, archived, already in flight, bad body", "[lifecycle]") {
  // Agent mode keeps jobs waiting (AwaitingCSR), so "in flight" is stable.
  ServerProcess server(keygen("agent"));
  json cert = createCertificate(server, "api", "api.example.com");
  std::string id = cert["id"];
  json issuance = waitForJob(server, id, "AwaitingCSR");

  auto again = server.post("/api/v1/certificates/" + id + "/renew", json::object());
  INFO(again.body);
  CHECK(again.status == 409);
  CHECK(again.body.find(issuance["id"].get<std::string>()) != std::string::npos);

  CHECK(server.post("/api/v1/certificates/mc-nope/renew", json::object()).status == 404);
  auto bad = server.request("POST", "/api/v1/certificates/" + id + "/renew", "{not json");
  CHECK(bad.status == 400);
  CHECK(errorField(bad) == "body");
  auto unknownField = server.post("/api/v1/certificates/" + id + "/renew", {{"force", true}});
  CHECK(unknownField.status == 400);
  CHECK(errorField(unknownField) == "force");
  CHECK(jobsOf(server, id).size() == 1);

  // Archiving cancels the open job; an archived certificate cannot renew.
  REQUIRE(server.del("/api/v1/certificates/" + id).status == 204);
  waitForJob(server, id, "Cancelled", issuance["id"]);
  auto archived = server.post("/api/v1/certificates/" + id + "/renew", json::object());
  INFO(archived.body);
  CHECK(archived.status == 409);
  CHECK(jobsOf(server, id).size() == 1);
}

TEST_CASE("an issuance that fails marks the job and the certificate Failed", "[lifecycle]") {
  ServerProcess server(keygen("server"));
  // The issuer exists but is disabled: the job cannot reach a CA.
  auto disable = server.put("/api/v1/issuers/iss-local", {{"enabled", false}});
  INFO(disable.body);
  REQUIRE(disable.status == 200);
  json cert = createCertificate(server, "broken", "broken.example.com");
  std::string id = cert["id"];
  json job = waitForJob(server, id, "Failed");
  CHECK_THAT(job["last_error"].get<std::string>(), Catch::Matchers::Contains("disabled"));
  waitForCertificate(server, id, "Failed");
  CHECK(versionsOf(server, id).empty());
  fs::path keyDir = server.dataDir() / "server-keys" / id;
  CHECK((!fs::exists(keyDir) || fs::is_empty(keyDir)));

  // Seed 000: Failed -> Pending on retry; with the issuer back it succeeds.
  REQUIRE(server.put("/api/v1/issuers/iss-local", {{"enabled", true}}).status == 200);
  auto retry = server.post("/api/v1/certificates/" + id + "/renew", json::object());
  REQUIRE(retry.status == 202);
  waitForJob(server, id, "Completed", retry.json()["id"]);
  waitForCertificate(server, id, "Active");
  CHECK(versionsOf(server, id).size() == 1);
}

TEST_CASE("sub-CA mode: the issued chain verifies up to a root made by the test", "[lifecycle]") {
  TempDir pki;
  auto run = [](std::vector<std::string> argv) {
    auto r = runProcess(argv);
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
  };
  fs::path root = pki.path() / "root.pem", rootKey = pki.path() / "root.key";
  fs::path sub = pki.path() / "sub.pem", subKey = pki.path() / "sub.key";
  fs::path subCsr = pki.path() / "sub.csr", ext = pki.path() / "ext.cnf";
  run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", rootKey.string(), "-out", root.string(), "-days", "30", "-subj",
       "/CN=Lifecycle Test Root"});
  run({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", subKey.string(), "-out", subCsr.string(), "-subj", "/CN=Lifecycle Test Sub-CA"});
  {
    std::ofstream out(ext);
    out << "basicConstraints=critical,CA:TRUE,pathlen:0\n"
           "keyUsage=critical,keyCertSign,cRLSign,digitalSignature\n";
  }
  run({"openssl", "x509", "-req", "-in", subCsr.string(), "-CA", root.string(), "-CAkey",
       rootKey.string(), "-CAcreateserial", "-out", sub.string(), "-days", "20", "-extfile",
       ext.string()});

  ServerProcess server(keygen("server", {{"CERTCTL_CA_CERT_PATH", sub.string()},
                                         {"CERTCTL_CA_KEY_PATH", subKey.string()}}));
  json cert = createCertificate(server, "svc", "svc.internal.example.com");
  std::string id = cert["id"];
  waitForJob(server, id, "Completed");
  json versions = versionsOf(server, id);
  REQUIRE(versions.size() == 1);
  std::string full = versions[0]["pem_chain"];
  // Leaf first, then the sub-CA: verify the leaf with the sub-CA untrusted
  // and only the test's root trusted.
  auto end = full.find("-----END CERTIFICATE-----");
  REQUIRE(end != std::string::npos);
  end += std::string("-----END CERTIFICATE-----\n").size();
  std::string leaf = full.substr(0, end), rest = full.substr(end);
  REQUIRE(rest.find("BEGIN CERTIFICATE") != std::string::npos);
  auto verify = opensslVerify(pki.path(), root, leaf, rest);
  INFO(verify.output);
  CHECK(verify.exitCode == 0);
  // Without the sub-CA the leaf does not chain to the root.
  CHECK(opensslVerify(pki.path(), root, leaf).exitCode != 0);
}
