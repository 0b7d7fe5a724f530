// Revocation end to end on the real server: certificates issued through the
// REST API (CERTCTL_KEYGEN_MODE=server, local CA iss-local), revoked through
// the API, and the revocation seen by real relying-party tools: `openssl
// ocsp` (POST with a nonce), curl + `openssl ocsp -respin` (both GET forms),
// `openssl crl` (signature and entries). No API key on the CRL/OCSP side.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

void writeFile(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  REQUIRE(out.good());
}

// Every CERTIFICATE block of a PEM bundle.
std::vector<std::string> pemBlocks(const std::string& pem) {
  std::vector<std::string> out;
  const std::string end = "-----END CERTIFICATE-----";
  std::size_t pos = 0;
  for (;;) {
    auto begin = pem.find("-----BEGIN CERTIFICATE-----", pos);
    if (begin == std::string::npos) break;
    auto stop = pem.find(end, begin);
    REQUIRE(stop != std::string::npos);
    out.push_back(pem.substr(begin, stop + end.size() - begin) + "\n");
    pos = stop + end.size();
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A certificate issued by iss-local with the server's key: its serial, the
// leaf and the CA (the chain's second certificate) written to `dir`.
struct Issued {
  std::string id;
  std::string serial;
  fs::path leaf;
  fs::path ca;
};

Issued issue(ServerProcess& server, const fs::path& dir, const std::string& name,
             json extra = json::object()) {
  auto created = createCertificate(server, name, name + ".example.test", std::move(extra));
  Issued out;
  out.id = created["id"];
  waitForCertificate(server, out.id, "Active");
  auto versions = versionsOf(server, out.id);
  REQUIRE(versions.size() == 1);
  const auto& version = versions[0];
  out.serial = version["serial_number"];
  CHECK(version["issuer_id"] == "iss-local");
  auto blocks = pemBlocks(version["pem_chain"]);
  REQUIRE(blocks.size() >= 2);
  out.leaf = dir / (name + ".pem");
  out.ca = dir / "ca.pem";
  writeFile(out.leaf, blocks[0]);
  writeFile(out.ca, blocks.back());
  return out;
}

ProcessResult run(const std::vector<std::string>& argv) {
  auto result = runProcess(argv, {}, std::chrono::seconds(30));
  INFO(result.output);
  return result;
}

// `openssl ocsp` against the server over HTTPS. openssl verifies the OCSP
// response with -CAfile (the issuing CA); it does not check the TLS server
// certificate, so the bootstrap CA is not needed on this command line.
ProcessResult opensslOcsp(const ServerProcess& server, const Issued& cert) {
  return run(
      {"openssl", "ocsp", "-issuer", cert.ca.string(), "-CAfile", cert.ca.string(), "-cert",
       cert.leaf.string(), "-url",
       "https://127.0.0.1:" + std::to_string(server.port()) + "/.well-known/pki/ocsp/iss-local"});
}

// curl GET without an API key; returns "<status> <content type>".
std::string curlGet(const ServerProcess& server, const std::string& path, const fs::path& out) {
  auto result = run({"curl", "-sS", "--cacert", server.caFile().string(), "-o", out.string(), "-w",
                     "%{http_code} %{content_type}",
                     "https://127.0.0.1:" + std::to_string(server.port()) + path});
  REQUIRE(result.exitCode == 0);
  return result.output;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("a revocation shows in OCSP (POST and both GET forms) and the CRL",
          "[revocation][openssl]") {
  ServerProcess server(keygen("server"));
  TempDir dir;
  Issued cert = issue(server, dir.path(), "revoke-me");

  // Before: good, with the nonce openssl sends echoed (no warning about it).
  auto before = opensslOcsp(server, cert);
  REQUIRE(before.exitCode == 0);
  CHECK(contains(before.output, "Response verify OK"));
  CHECK(contains(before.output, cert.leaf.string() + ": good"));
  CHECK_FALSE(contains(before.output, "WARNING: no nonce"));

  auto crlBefore = server.get("/api/v1/crl?issuer_id=iss-local");
  REQUIRE(crlBefore.status == 200);
  const long long numberBefore = crlBefore.json()["data"][0]["crl_number"];

  // Revoke, then revoke again: the same record.
  auto revoked =
      server.post("/api/v1/certificates/" + cert.id + "/revoke", {{"reason", "keyCompromise"}});
  INFO(revoked.body);
  REQUIRE(revoked.status == 200);
  CHECK(revoked.json()["status"] == "Revoked");
  CHECK(revoked.json()["revocations"][0]["serial_number"] == cert.serial);
  CHECK(revoked.json()["revocations"][0]["issuer_notified"] == true);
  auto again =
      server.post("/api/v1/certificates/" + cert.id + "/revoke", {{"reason", "superseded"}});
  REQUIRE(again.status == 200);
  CHECK(again.json()["already_revoked"] == true);
  CHECK(again.json()["revocation_reason"] == "keyCompromise");
  CHECK(again.json()["revocations"] == revoked.json()["revocations"]);
  auto record = server.get("/api/v1/certificates/" + cert.id).json();
  CHECK(record["status"] == "Revoked");
  CHECK(record["revocation_reason"] == "keyCompromise");

  // OCSP POST (openssl ocsp), at once: the cached "good" was invalidated.
  auto after = opensslOcsp(server, cert);
  REQUIRE(after.exitCode == 0);
  CHECK(contains(after.output, "Response verify OK"));
  CHECK(contains(after.output, cert.leaf.string() + ": revoked"));
  CHECK(contains(after.output, "Reason: keyCompromise"));

  // OCSP GET by serial (any case, leading zeros), read back by openssl.
  const fs::path resp = dir.path() / "resp.der";
  CHECK(curlGet(server, "/.well-known/pki/ocsp/iss-local/00" + lower(cert.serial), resp) ==
        "200 application/ocsp-response");
  auto bySerial = run({"openssl", "ocsp", "-respin", resp.string(), "-issuer", cert.ca.string(),
                       "-CAfile", cert.ca.string(), "-serial", "0x" + cert.serial});
  CHECK(contains(bySerial.output, "Response verify OK"));
  CHECK(contains(bySerial.output, "0x" + cert.serial + ": revoked"));

  // OCSP GET, RFC 6960 A.1: URL-encoded base64 of a DER request from openssl.
  const fs::path req = dir.path() / "req.der";
  REQUIRE(run({"openssl", "ocsp", "-issuer", cert.ca.string(), "-cert", cert.leaf.string(),
               "-no_nonce", "-reqout", req.string()})
              .exitCode == 0);
  auto b64 = run({"openssl", "base64", "-A", "-in", req.string()});
  std::string encoded;
  for (char c : b64.output) {
    if (c == '\n' || c == '\r') continue;
    if (c == '/')
      encoded += "%2F";
    else if (c == '+')
      encoded += "%2B";
    else if (c == '=')
      encoded += "%3D";
    else
      encoded += c;
  }
  const fs::path resp2 = dir.path() / "resp2.der";
  CHECK(curlGet(server, "/.well-known/pki/ocsp/iss-local/" + encoded, resp2) ==
        "200 application/ocsp-response");
  auto byRequest = run({"openssl", "ocsp", "-respin", resp2.string(), "-issuer", cert.ca.string(),
                        "-CAfile", cert.ca.string(), "-cert", cert.leaf.string()});
  CHECK(contains(byRequest.output, "Response verify OK"));
  CHECK(contains(byRequest.output, cert.leaf.string() + ": revoked"));

  // The CRL: DER, unauthenticated, signed by the CA, listing the serial.
  const fs::path crl = dir.path() / "crl.der";
  CHECK(curlGet(server, "/.well-known/pki/crl/iss-local", crl) == "200 application/pkix-crl");
  auto text = run({"openssl", "crl", "-inform", "DER", "-in", crl.string(), "-CAfile",
                   cert.ca.string(), "-noout", "-text"});
  REQUIRE(text.exitCode == 0);
  CHECK(contains(text.output, "verify OK"));
  CHECK(contains(text.output, "Serial Number: " + cert.serial));
  CHECK(contains(text.output, "Key Compromise"));

  // The JSON views agree, and the CRL number went up.
  auto view = server.get("/api/v1/crl?issuer_id=iss-local");
  REQUIRE(view.status == 200);
  auto item = view.json()["data"][0];
  CHECK(item["crl_number"].get<long long>() > numberBefore);
  REQUIRE(item["entries"].size() == 1);
  CHECK(item["entries"][0]["serial_number"] == cert.serial);
  CHECK(item["entries"][0]["reason"] == "keyCompromise");
  auto cache = server.get("/api/v1/admin/crl/cache");
  REQUIRE(cache.status == 200);
  CHECK(cache.json()["data"][0]["issuer_id"] == "iss-local");
  CHECK(cache.json()["data"][0]["crl_number"] == item["crl_number"]);
  CHECK(cache.json()["data"][0]["crl_size_bytes"] == fs::file_size(crl));

  // The revocation is audited as its own event.
  auto audit = server.get("/api/v1/audit?action=certificate.revoked");
  REQUIRE(audit.status == 200);
  REQUIRE(audit.json()["data"].size() == 1);
  CHECK(audit.json()["data"][0]["resource_id"] == cert.id);
  CHECK(audit.json()["data"][0]["details"]["reason"] == "keyCompromise");
}

TEST_CASE("bulk revocation by profile and by team", "[revocation][bulk]") {
  ServerProcess server(keygen("server"));
  TempDir dir;
  auto team = server.post("/api/v1/teams", {{"name", "payments"}}).json();
  auto profile = server.post("/api/v1/profiles", {{"name", "web"}, {"max_ttl_hours", 720}}).json();
  Issued a = issue(server, dir.path(), "bulk-a", {{"certificate_profile_id", profile["id"]}});
  Issued b = issue(server, dir.path(), "bulk-b",
                   {{"certificate_profile_id", profile["id"]}, {"team_id", team["id"]}});
  Issued c = issue(server, dir.path(), "bulk-c", {{"team_id", team["id"]}});
  Issued d = issue(server, dir.path(), "bulk-d");

  auto byProfile = server.post("/api/v1/certificates/bulk-revoke",
                               {{"reason", "cessationOfOperation"}, {"profile_id", profile["id"]}});
  INFO(byProfile.body);
  REQUIRE(byProfile.status == 200);
  CHECK(byProfile.json()["matched"] == 2);
  CHECK(byProfile.json()["revoked"] == 2);
  CHECK(byProfile.json()["failed"] == 0);

  auto byTeam = server.post("/api/v1/certificates/bulk-revoke",
                            {{"reason", "superseded"}, {"team_id", team["id"]}});
  REQUIRE(byTeam.status == 200);
  CHECK(byTeam.json()["matched"] == 2);
  CHECK(byTeam.json()["revoked"] == 1);  // bulk-b was revoked above
  CHECK(byTeam.json()["skipped"] == 1);
  std::map<std::string, std::string> status;
  const json teamResult = byTeam.json();
  for (const auto& r : teamResult["results"])
    status[r["certificate_id"].get<std::string>()] = r["status"].get<std::string>();
  CHECK(status[b.id] == "skipped");
  CHECK(status[c.id] == "revoked");

  CHECK(server.get("/api/v1/certificates/" + d.id).json()["status"] == "Active");
  auto crl = server.get("/api/v1/crl?issuer_id=iss-local").json()["data"][0];
  std::set<std::string> serials;
  for (const auto& e : crl["entries"]) serials.insert(e["serial_number"].get<std::string>());
  CHECK(serials == std::set<std::string>{a.serial, b.serial, c.serial});
  CHECK(contains(opensslOcsp(server, d).output, ": good"));
  CHECK(contains(opensslOcsp(server, c).output, ": revoked"));
}

TEST_CASE("short-lived certificates are left out of the CRL and OCSP", "[revocation]") {
  ServerProcess server(keygen("server"));
  TempDir dir;
  auto profile =
      server.post("/api/v1/profiles", {{"name", "ephemeral"}, {"max_ttl_seconds", 1800}}).json();
  Issued shortLived =
      issue(server, dir.path(), "short", {{"certificate_profile_id", profile["id"]}});
  REQUIRE(server.post("/api/v1/certificates/" + shortLived.id + "/revoke", json::object()).status ==
          200);
  CHECK(contains(opensslOcsp(server, shortLived).output, ": unknown"));
  auto crl = server.get("/api/v1/crl?issuer_id=iss-local").json()["data"][0];
  CHECK(crl["entries"].empty());
  CHECK(crl["revoked_count"] == 0);
}

TEST_CASE("bad revocation, CRL and OCSP input", "[revocation]") {
  ServerProcess server(keygen("agent"));  // certificates wait for a CSR: no version
  auto pending = createCertificate(server, "pending", "pending.example.test");
  const std::string id = pending["id"];

  auto noVersion = server.post("/api/v1/certificates/" + id + "/revoke", json::object());
  CHECK(noVersion.status == 409);
  auto badReason = server.post("/api/v1/certificates/" + id + "/revoke", {{"reason", "stolen"}});
  CHECK(badReason.status == 400);
  CHECK(errorField(badReason) == "reason");
  CHECK(server.post("/api/v1/certificates/mc-nope/revoke", json::object()).status == 404);
  CHECK(server.request("POST", "/api/v1/certificates/" + id + "/revoke", "{}", {}, "-").status ==
        401);
  auto noFilter = server.post("/api/v1/certificates/bulk-revoke", {{"reason", "superseded"}});
  CHECK(noFilter.status == 400);
  auto typo = server.post("/api/v1/certificates/bulk-revoke",
                          {{"reason", "superseded"}, {"team", "team-x"}});
  CHECK(typo.status == 400);
  CHECK(errorField(typo) == "team");
  CHECK(server.get("/api/v1/certificates/" + id).json()["status"] != "Revoked");

  // CRL and OCSP need no key; unknown issuers are 404 / unauthorized.
  auto crl = server.request("GET", "/.well-known/pki/crl/iss-local", {}, {}, "-");
  CHECK(crl.status == 200);
  CHECK(crl.header("content-type") == "application/pkix-crl");
  auto missing = server.request("GET", "/.well-known/pki/crl/iss-nope", {}, {}, "-");
  CHECK(missing.status == 404);
  CHECK(missing.json()["error"]["code"] == "not_found");
  auto garbage = server.request("POST", "/.well-known/pki/ocsp/iss-local", "not an OCSP request",
                                {{"Content-Type", "application/ocsp-request"}}, "-");
  CHECK(garbage.status == 200);
  CHECK(garbage.header("content-type") == "application/ocsp-response");
  // OCSPResponse { responseStatus malformedRequest(1) }, no body.
  CHECK(garbage.body == std::string("\x30\x03\x0a\x01\x01", 5));
  auto unknownIssuer = server.request("POST", "/.well-known/pki/ocsp/iss-nope", "x", {}, "-");
  CHECK(unknownIssuer.body == std::string("\x30\x03\x0a\x01\x06", 5));  // unauthorized
}
