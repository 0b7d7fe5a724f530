// The built-in ACME server (docs/acme-server.md) in the trust_authenticated
// auth mode, driven by the real certbot and lego from Debian: register,
// order, renew and revoke, then checked through the REST API (inventory
// source "acme", the revoked certificate Revoked) and `openssl verify`.
// Runs on the SQLite and the PostgreSQL integration binaries.
#include <catch2/catch.hpp>
#include <filesystem>

#include "sdk/pki/crl.h"
#include "tests/integration/protocols/acme_server_test_util.h"
#include "tests/integration/protocols/protocol_test_util.h"
#include "tests/integration/server/server_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::protocols;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using nlohmann::json;

TEST_CASE("acme server: certbot registers, issues, renews and revokes", "[acme-server][certbot]") {
  ServerProcess server(acmeServerOptions());
  createAcmeProfile(server, kAcmeProfile);
  TempDir work;
  const fs::path d = work.path();
  const std::string directory = server.baseUrl() + "/acme/directory";
  const std::map<std::string, std::string> env = {{"REQUESTS_CA_BUNDLE", server.caFile().string()},
                                                  {"SSL_CERT_FILE", server.caFile().string()}};
  const std::vector<std::string> dirs = {"--config-dir", (d / "etc").string(),
                                         "--work-dir",   (d / "work").string(),
                                         "--logs-dir",   (d / "logs").string()};
  auto certbot = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"certbot"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), dirs.begin(), dirs.end());
    auto result = runProcess(argv, env, std::chrono::seconds(120));
    INFO("certbot " << args.at(0) << ": " << result.output);
    REQUIRE(result.exitCode == 0);
  };
  const std::string port = std::to_string(freeLoopbackPort());

  certbot({"register", "--server", directory, "--agree-tos", "-m", "ops@example.com",
           "--no-eff-email", "-n"});
  // trust_authenticated: no challenge is fetched; the port is passed anyway.
  certbot({"certonly", "--standalone", "--http-01-address", "127.0.0.1", "--http-01-port", port,
           "--server", directory, "-n", "-d", "cb.example.com", "-d", "www.cb.example.com"});
  const fs::path archive = d / "etc" / "archive" / "cb.example.com";
  require({"openssl", "verify", "-CAfile", (archive / "chain1.pem").string(),
           (archive / "cert1.pem").string()});
  certbot({"renew", "--force-renewal", "--no-random-sleep-on-renew", "--http-01-address",
           "127.0.0.1", "--http-01-port", port, "-n"});
  REQUIRE(fs::exists(archive / "cert2.pem"));
  CHECK(readFile(archive / "cert1.pem") != readFile(archive / "cert2.pem"));
  require({"openssl", "verify", "-CAfile", (archive / "chain2.pem").string(),
           (archive / "cert2.pem").string()});
  certbot({"revoke", "--cert-path", (archive / "cert1.pem").string(), "--reason", "keycompromise",
           "--server", directory, "-n", "--no-delete-after-revoke"});

  auto certificates = acmeCertificates(server);
  REQUIRE(certificates.size() == 2);
  auto first = certificateBySerial(server, archive / "cert1.pem");
  auto second = certificateBySerial(server, archive / "cert2.pem");
  CHECK(first["status"] == "Revoked");
  CHECK(first["revocation_reason"] == "keyCompromise");
  CHECK(second["status"] == "Active");
  for (const auto& c : certificates) {
    CHECK(c["source"] == "acme");
    CHECK(c["certificate_profile_id"] == kAcmeProfile);
    CHECK(c["sans"].size() == 2);
  }
  // The revocation reaches the CRL through the revocation service.
  const std::string revokedSerial =
      pki::Certificate::fromPem(readFile(archive / "cert1.pem"), pki::KeyDecoding::Deferred)
          .serialHex();
  CHECK(server::eventually(
      [&] {
        auto crl = server.request("GET", "/.well-known/pki/crl/iss-local", {}, {}, "-");
        if (crl.status != 200) return false;
        for (const auto& entry : pki::Crl::fromDer(crl.body).entries())
          if (entry.serialHex == revokedSerial &&
              entry.reason == pki::RevocationReason::keyCompromise)
            return true;
        return false;
      },
      std::chrono::seconds(10)));
  auto audit = server.get("/api/v1/audit?per_page=200").json();
  bool accountActor = false;
  for (const auto& event : audit["data"])
    if (event["action"] == "acme.order.finalized" &&
        event["actor"].get<std::string>().rfind("acct-", 0) == 0)
      accountActor = true;
  CHECK(accountActor);
}

TEST_CASE("acme server: lego runs, renews and revokes", "[acme-server][lego]") {
  ServerProcess server(acmeServerOptions());
  createAcmeProfile(server, kAcmeProfile);
  TempDir work;
  const fs::path path = work.path() / "lego";
  const std::map<std::string, std::string> env = {
      {"LEGO_CA_CERTIFICATES", server.caFile().string()}};
  const std::vector<std::string> common = {
      "lego",
      "--server",
      server.baseUrl() + "/acme/profile/" + kAcmeProfile + "/directory",
      "--email",
      "ops@example.com",
      "--accept-tos",
      "--path",
      path.string(),
      "--domains",
      "lego.example.com",
      "--http",
      "--http.port",
      "127.0.0.1:" + std::to_string(freeLoopbackPort())};
  std::string log;
  auto lego = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = common;
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = runProcess(argv, env, std::chrono::seconds(120));
    log += result.output;
    INFO("lego " << args.at(0) << ": " << result.output);
    REQUIRE(result.exitCode == 0);
  };
  const fs::path crt = path / "certificates" / "lego.example.com.crt";

  lego({"run"});
  const std::string firstPem = readFile(crt);
  fs::copy_file(crt, work.path() / "first.crt");
  require({"openssl", "verify", "-CAfile",
           (path / "certificates" / "lego.example.com.issuer.crt").string(), crt.string()});
  lego({"renew", "--days", "90", "--no-random-sleep"});
  CHECK(readFile(crt) != firstPem);
  fs::copy_file(crt, work.path() / "second.crt");
  lego({"revoke", "--reason", "4"});

  INFO(log);
  auto certificates = acmeCertificates(server);
  REQUIRE(certificates.size() == 2);
  auto first = certificateBySerial(server, work.path() / "first.crt");
  auto second = certificateBySerial(server, work.path() / "second.crt");
  CHECK(first["status"] == "Active");
  CHECK(second["status"] == "Revoked");
  CHECK(second["revocation_reason"] == "superseded");
  for (const auto& c : certificates) CHECK(c["source"] == "acme");
}
