// EST (RFC 7030) driven by the real curl and openssl binaries, as in the
// quick start of docs/est.md: cacerts, then a CSR made by openssl enrolled
// with HTTP Basic, the answer decoded and verified against the cacerts chain.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/integration/protocols/est_test_util.h"
#include "tests/integration/protocols/protocol_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/test_database.h"

using namespace certctl::testing;
using namespace certctl::testing::protocols;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kPassword = "est-enrollment-secret-1";

ServerProcessOptions estServer() {
  ServerProcessOptions options;
  options.env = {{"CERTCTL_EST_ENABLED", "true"},
                 {"CERTCTL_EST_ISSUER_ID", "iss-local"},
                 {"CERTCTL_EST_ENROLLMENT_PASSWORD", kPassword}};
  return options;
}

// curl's HTTP status for a POST of `bodyFile` to simpleenroll; the body goes to `out`.
int enroll(ServerProcess& server, const fs::path& bodyFile, const std::string& user,
           const fs::path& out, const fs::path& headers) {
  auto result =
      runProcess({"curl", "-sS", "--cacert", server.caFile().string(), "-u", user, "-H",
                  "Content-Type: application/pkcs10", "--data-binary", "@" + bodyFile.string(),
                  "-o", out.string(), "-D", headers.string(), "-w", "%{http_code}",
                  server.baseUrl() + "/.well-known/est/simpleenroll"});
  INFO(result.output);
  REQUIRE(result.exitCode == 0);
  return std::stoi(result.output);
}

// openssl base64 -d | openssl pkcs7 -inform DER -print_certs, through files.
std::string printCerts(const fs::path& base64File) {
  fs::path der = base64File.string() + ".der";
  fs::path pem = base64File.string() + ".pem";
  require({"openssl", "base64", "-d", "-in", base64File.string(), "-out", der.string()});
  require({"openssl", "pkcs7", "-inform", "DER", "-in", der.string(), "-print_certs", "-out",
           pem.string()});
  return readFile(pem);
}

}  // namespace

TEST_CASE("EST cacerts and simpleenroll work with curl and openssl", "[protocols][est]") {
  ServerProcess server(estServer());
  TempDir dir;
  const fs::path d = dir.path();

  // cacerts: no API key, base64 DER PKCS#7 certs-only.
  auto cacerts = server.request("GET", "/.well-known/est/cacerts", {}, {}, "-");
  REQUIRE(cacerts.status == 200);
  CHECK(cacerts.header("content-type") == "application/pkcs7-mime; smime-type=certs-only");
  CHECK(cacerts.header("content-transfer-encoding") == "base64");
  require({"curl", "-sS", "--fail", "--cacert", server.caFile().string(), "-o",
           (d / "cacerts.b64").string(), server.baseUrl() + "/.well-known/est/cacerts"});
  std::string caPem = printCerts(d / "cacerts.b64");
  REQUIRE(caPem.find("-----BEGIN CERTIFICATE-----") != std::string::npos);

  // A key and CSR made by openssl; the body is the base64 DER, wrapped in lines.
  require({"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
           (d / "device.key").string()});
  require({"openssl", "req", "-new", "-key", (d / "device.key").string(), "-subj",
           "/CN=device-001.example.com", "-addext",
           "subjectAltName=DNS:device-001.example.com,DNS:device-001.internal", "-outform", "DER",
           "-out", (d / "device.csr.der").string()});
  require({"openssl", "base64", "-in", (d / "device.csr.der").string(), "-out",
           (d / "device.csr.b64").string()});

  SECTION("an enrollment issues a certificate that verifies against cacerts") {
    int status = enroll(server, d / "device.csr.b64", std::string("device-001:") + kPassword,
                        d / "device.p7.b64", d / "headers.txt");
    INFO(readFile(d / "device.p7.b64"));
    REQUIRE(status == 200);
    CHECK(readFile(d / "headers.txt").find("application/pkcs7-mime; smime-type=certs-only") !=
          std::string::npos);
    std::string devicePem = printCerts(d / "device.p7.b64");
    std::ofstream(d / "device.crt") << devicePem;
    std::ofstream(d / "ca.pem") << caPem;

    auto text = runProcess({"openssl", "x509", "-in", (d / "device.crt").string(), "-noout",
                            "-subject", "-ext", "subjectAltName"});
    INFO(text.output);
    REQUIRE(text.exitCode == 0);
    CHECK(text.output.find("CN = device-001.example.com") != std::string::npos);
    CHECK(text.output.find("DNS:device-001.example.com") != std::string::npos);
    CHECK(text.output.find("DNS:device-001.internal") != std::string::npos);
    auto verify = runProcess(
        {"openssl", "verify", "-CAfile", (d / "ca.pem").string(), (d / "device.crt").string()});
    INFO(verify.output);
    CHECK(verify.exitCode == 0);
    CHECK(verify.output.find("OK") != std::string::npos);

    // In the inventory like any certificate, marked as coming in by EST.
    auto list = server.get("/api/v1/certificates?source=est");
    REQUIRE(list.status == 200);
    json items = list.json()["data"];
    REQUIRE(items.size() == 1);
    CHECK(items[0]["common_name"] == "device-001.example.com");
    CHECK(items[0]["source"] == "est");
    CHECK(items[0]["status"] == "Active");
    auto versions =
        server.get("/api/v1/certificates/" + items[0]["id"].get<std::string>() + "/versions");
    REQUIRE(versions.status == 200);
    CHECK(versions.json()["data"].size() == 1);
    CHECK(versions.json()["data"][0]["source"] == "est");

    // Audited like any issuance, with EST as the actor (written in the background).
    std::string auditQuery =
        "/api/v1/audit?action=certificate.issued&resource_id=" + items[0]["id"].get<std::string>();
    CHECK(lifecycle::eventually([&] {
      auto audit = server.get(auditQuery);
      return audit.status == 200 && audit.json()["data"].size() == 1 &&
             audit.json()["data"][0]["actor"] == "est";
    }));
  }

  SECTION("a wrong password is 401 with a Basic challenge and issues nothing") {
    int status = enroll(server, d / "device.csr.b64", "device-001:wrong-password", d / "denied.txt",
                        d / "headers.txt");
    CHECK(status == 401);
    CHECK(readFile(d / "headers.txt").find("WWW-Authenticate: Basic") != std::string::npos);
    auto list = server.get("/api/v1/certificates?source=est");
    REQUIRE(list.status == 200);
    CHECK(list.json()["data"].empty());
  }

  SECTION("a body that is no CSR is 400 with a message") {
    std::ofstream(d / "garbage.b64") << "bm90IGEgY3NyIGF0IGFsbA==\n";
    int status = enroll(server, d / "garbage.b64", std::string("device-001:") + kPassword,
                        d / "error.txt", d / "headers.txt");
    CHECK(status == 400);
    CHECK(readFile(d / "error.txt").find("PKCS#10") != std::string::npos);
    auto list = server.get("/api/v1/certificates?source=est");
    REQUIRE(list.status == 200);
    CHECK(list.json()["data"].empty());
  }
}

TEST_CASE("EST routes are absent unless CERTCTL_EST_ENABLED", "[protocols][est]") {
  ServerProcess server;
  CHECK(server.request("GET", "/.well-known/est/cacerts", {}, {}, "-").status == 404);
}

TEST_CASE("EST accepts the wire quirks of appendix B and locks out password guessing",
          "[protocols][est]") {
  ServerProcess server(estServer());
  // No profile uses mTLS: the TLS handshake asks no client (browser) for a certificate.
  CHECK_FALSE(est::requestsClientCertificate(server.port()));
  TempDir dir;
  const fs::path d = dir.path();
  require({"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
           (d / "k.key").string()});
  require({"openssl", "req", "-new", "-key", (d / "k.key").string(), "-subj", "/CN=quirk.example",
           "-out", (d / "k.pem").string()});
  require({"openssl", "req", "-in", (d / "k.pem").string(), "-outform", "DER", "-out",
           (d / "k.der").string()});
  std::string der = readFile(d / "k.der");
  auto b64 = runProcess({"openssl", "base64", "-in", (d / "k.der").string()});
  REQUIRE(b64.exitCode == 0);
  std::string crlf;
  for (char c : b64.output) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const std::string auth =
      "Basic " + std::string("ZGV2OmVzdC1lbnJvbGxtZW50LXNlY3JldC0x");  // dev:<kPassword>

  auto post = [&](const std::string& body, const std::map<std::string, std::string>& headers) {
    auto h = headers;
    h["Authorization"] = auth;
    return server.request("POST", "/.well-known/est/simpleenroll", body, h, "-");
  };
  // PEM under Cisco IOS's content type, CRLF-wrapped base64 with trailing
  // newlines, base64 on one line, raw DER marked binary.
  CHECK(post(readFile(d / "k.pem"), {{"Content-Type", "application/x-pem-file"}}).status == 200);
  CHECK(post(crlf + "\r\n\n\n", {{"Content-Type", "application/pkcs10"}}).status == 200);
  auto oneLine = runProcess({"openssl", "base64", "-A", "-in", (d / "k.der").string()});
  CHECK(post(oneLine.output,
             {{"Content-Type", "application/pkcs10"}, {"Content-Transfer-Encoding", "base64"}})
            .status == 200);
  CHECK(post(der, {{"Content-Type", "application/pkcs10"}, {"Content-Transfer-Encoding", "binary"}})
            .status == 200);

  // Ten consecutive failures in an hour lock the source address out: 429,
  // even with the right password, for the rest of the window. A request
  // without credentials (a client's first try) is no failure; a success
  // ends the run.
  auto wrong = [&] {
    return server
        .request("POST", "/.well-known/est/simpleenroll", crlf,
                 {{"Authorization", "Basic ZGV2Ondyb25n"}}, "-")  // dev:wrong
        .status;
  };
  for (int i = 0; i < 3; ++i)
    REQUIRE(server.request("POST", "/.well-known/est/simpleenroll", crlf, {}, "-").status == 401);
  for (int i = 0; i < 9; ++i) REQUIRE(wrong() == 401);
  REQUIRE(post(crlf, {{"Content-Type", "application/pkcs10"}}).status == 200);
  for (int i = 0; i < 10; ++i) REQUIRE(wrong() == 401);
  auto locked = post(crlf, {{"Content-Type", "application/pkcs10"}});
  CHECK(locked.status == 429);
  CHECK(!locked.header("retry-after").empty());
  auto audit = server.get("/api/v1/audit?action=est_auth_failed_basic");
  REQUIRE(audit.status == 200);
  CHECK(audit.json()["data"].size() == 20);
}
