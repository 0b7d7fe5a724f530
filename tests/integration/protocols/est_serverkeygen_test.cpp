// EST csrattrs (RFC 7030 4.5), serverkeygen (4.4: the key comes back as a
// CMS EnvelopedData that `openssl cms -decrypt` opens with the CSR's key)
// and the per-(CN, source IP) enrollment cap.
#include <catch2/catch.hpp>

#include "tests/integration/protocols/est_test_util.h"
#include "tests/support/test_database.h"

using namespace certctl::testing;
using namespace certctl::testing::est;
using nlohmann::json;

namespace {

constexpr const char* kPassword = "keygen-enrollment-secret";

ServerProcessOptions keygenServer() {
  ServerProcessOptions options;
  options.env = {{"CERTCTL_EST_ENABLED", "true"},
                 {"CERTCTL_EST_PROFILES", "kg,open"},
                 {"CERTCTL_EST_PROFILE_KG_ISSUER_ID", "iss-local"},
                 {"CERTCTL_EST_PROFILE_KG_PROFILE_ID", "prof-est-kg"},
                 {"CERTCTL_EST_PROFILE_KG_ENROLLMENT_PASSWORD", kPassword},
                 {"CERTCTL_EST_PROFILE_KG_ALLOWED_AUTH_MODES", "basic"},
                 {"CERTCTL_EST_PROFILE_KG_SERVERKEYGEN_ENABLED", "true"},
                 {"CERTCTL_EST_PROFILE_KG_RATE_LIMIT_PER_PRINCIPAL_24H", "3"},
                 {"CERTCTL_EST_PROFILE_OPEN_ISSUER_ID", "iss-local"}};
  return options;
}

// The parts of a multipart/mixed body: {content type, payload}.
std::vector<std::pair<std::string, std::string>> multipart(const std::string& contentType,
                                                           const std::string& body) {
  auto at = contentType.find("boundary=");
  REQUIRE(at != std::string::npos);
  const std::string delimiter = "--" + contentType.substr(at + 9);
  std::vector<std::pair<std::string, std::string>> parts;
  std::size_t pos = body.find(delimiter);
  while (pos != std::string::npos) {
    pos += delimiter.size();
    if (body.compare(pos, 2, "--") == 0) break;
    std::size_t next = body.find(delimiter, pos);
    std::string part = body.substr(pos, next - pos);
    auto split = part.find("\r\n\r\n");
    REQUIRE(split != std::string::npos);
    std::string headers = part.substr(0, split);
    auto type = headers.find("Content-Type: ");
    REQUIRE(type != std::string::npos);
    parts.emplace_back(headers.substr(type + 14, headers.find("\r\n", type) - type - 14),
                       part.substr(split + 4));
    pos = next;
  }
  return parts;
}

}  // namespace

TEST_CASE("EST csrattrs, serverkeygen and the per-principal limit", "[protocols][est]") {
  ServerProcess server(keygenServer());
  TempDir dir;
  const fs::path d = dir.path();
  auto created = server.post("/api/v1/profiles", json{{"id", "prof-est-kg"},
                                                      {"name", "EST keygen"},
                                                      {"allowed_key_algorithms", {"ECDSA-P384"}},
                                                      {"allowed_ekus", {"clientAuth"}}});
  REQUIRE(created.status == 201);

  // csrattrs: base64 DER CsrAttrs from the bound profile; 204 without one.
  auto attrs = server.request("GET", "/.well-known/est/kg/csrattrs", {}, {}, "-");
  REQUIRE(attrs.status == 200);
  CHECK(attrs.header("content-type") == "application/csrattrs");
  std::ofstream(d / "attrs.b64") << attrs.body;
  require({"openssl", "base64", "-d", "-in", (d / "attrs.b64").string(), "-out",
           (d / "attrs.der").string()});
  auto parsed =
      runProcess({"openssl", "asn1parse", "-inform", "DER", "-in", (d / "attrs.der").string()});
  INFO(parsed.output);
  REQUIRE(parsed.exitCode == 0);
  CHECK(parsed.output.find("id-ecPublicKey") != std::string::npos);
  CHECK(parsed.output.find("secp384r1") != std::string::npos);
  CHECK(server.request("GET", "/.well-known/est/open/csrattrs", {}, {}, "-").status == 204);

  // serverkeygen: the device's RSA key only receives the generated key.
  require({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
           (d / "device.key").string()});
  auto csr = csrBase64(d, (d / "device.key").string(), "/CN=kg-device.example.com", "kg-csr");
  const std::vector<std::string> auth = {"-u", std::string("kg:") + kPassword};
  auto generated = curl(server, d, "POST", "/.well-known/est/kg/serverkeygen", auth, csr);
  INFO(generated.body);
  REQUIRE(generated.status == 200);
  std::string contentType;
  {
    auto at = generated.headers.find("Content-Type: ");
    REQUIRE(at != std::string::npos);
    contentType = generated.headers.substr(at + 14, generated.headers.find('\r', at) - at - 14);
  }
  CHECK(contentType.rfind("multipart/mixed; boundary=", 0) == 0);
  auto parts = multipart(contentType, generated.body);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].first == "application/pkcs7-mime; smime-type=server-generated-key");
  CHECK(parts[1].first == "application/pkcs7-mime; smime-type=certs-only");

  std::ofstream(d / "key.p7m.b64") << parts[0].second;
  require({"openssl", "base64", "-d", "-in", (d / "key.p7m.b64").string(), "-out",
           (d / "key.p7m").string()});
  require({"openssl", "cms", "-decrypt", "-inform", "DER", "-in", (d / "key.p7m").string(),
           "-inkey", (d / "device.key").string(), "-binary", "-out", (d / "key.p8").string()});
  require({"openssl", "pkey", "-inform", "DER", "-in", (d / "key.p8").string(), "-pubout", "-out",
           (d / "generated.pub").string()});
  printCerts(d, parts[1].second, "kg");  // d/kg.crt
  require({"openssl", "x509", "-in", (d / "kg.crt").string(), "-noout", "-pubkey", "-out",
           (d / "cert.pub").string()});
  CHECK(readFile(d / "generated.pub") == readFile(d / "cert.pub"));
  auto text = runProcess({"openssl", "x509", "-in", (d / "kg.crt").string(), "-noout", "-text"});
  CHECK(text.output.find("NIST CURVE: P-384") != std::string::npos);
  CHECK(text.output.find("CN = kg-device.example.com") != std::string::npos);
  CHECK(server.log().find("PRIVATE KEY") == std::string::npos);

  // An EC CSR cannot receive a key (keyTrans needs RSA): 400.
  require({"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
           (d / "ec.key").string()});
  auto ecCsr = csrBase64(d, (d / "ec.key").string(), "/CN=kg-device.example.com", "ec-csr");
  auto refused = curl(server, d, "POST", "/.well-known/est/kg/serverkeygen", auth, ecCsr);
  CHECK(refused.status == 400);
  CHECK(refused.body.find("RSA") != std::string::npos);

  // RATE_LIMIT_PER_PRINCIPAL_24H=3 for CN kg-device.example.com from this
  // address: serverkeygen and the refused EC attempt count, so one more
  // enrollment passes and the next is 429.
  auto p384 = csrBase64(d, (d / "ec.key").string(), "/CN=kg-device.example.com", "p256-csr");
  auto third = curl(server, d, "POST", "/.well-known/est/kg/simpleenroll", auth, p384);
  CHECK(third.status == 400);  // the profile wants P-384: a policy violation, still counted
  // The refused enrollment is in the inventory: a Failed certificate whose
  // Failed job names the reason (written in one transaction after the refusal).
  auto failed = server.get("/api/v1/certificates?status=Failed&source=est");
  REQUIRE(failed.status == 200);
  REQUIRE(failed.json()["data"].size() == 1);
  CHECK(failed.json()["data"][0]["common_name"] == "kg-device.example.com");
  auto failedJobs = server.get("/api/v1/jobs?certificate_id=" +
                               failed.json()["data"][0]["id"].get<std::string>());
  REQUIRE(failedJobs.status == 200);
  REQUIRE(failedJobs.json()["data"].size() == 1);
  CHECK(failedJobs.json()["data"][0]["status"] == "Failed");
  CHECK(failedJobs.json()["data"][0]["last_error"].get<std::string>().find("profile") !=
        std::string::npos);
  auto limited = curl(server, d, "POST", "/.well-known/est/kg/simpleenroll", auth, p384);
  CHECK(limited.status == 429);
  CHECK(limited.headers.find("Retry-After") != std::string::npos);
  auto audit = server.get("/api/v1/audit?action=est_rate_limited");
  REQUIRE(audit.status == 200);
  CHECK(audit.json()["data"].size() == 1);
  CHECK(server.get("/api/v1/audit?action=est_csr_policy_violation").json()["data"].size() == 1);
  CHECK(server.get("/api/v1/audit?action=est_server_keygen_success").json()["data"].size() == 1);
}
