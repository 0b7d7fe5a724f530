// The HTTPS listener of the real certctl-server, probed with real clients
// (curl, openssl s_client): bootstrap CA, TLS versions and ciphers, plain
// HTTP opt-in, restart on the same data dir, a user-supplied certificate.
#include <catch2/catch.hpp>

#include "tests/integration/server/server_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::server;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

ProcessResult sClient(int port, const fs::path& caFile, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"openssl",
                                   "s_client",
                                   "-connect",
                                   "127.0.0.1:" + std::to_string(port),
                                   "-CAfile",
                                   caFile.string(),
                                   "-verify_ip",
                                   "127.0.0.1",
                                   "-verify_return_error"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return runProcess(argv, {}, 20s, "");
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("first start creates a bootstrap CA and server certificate in <data>/tls",
          "[server][tls]") {
  ServerProcess server;
  auto tls = server.dataDir() / "tls";
  for (const char* name : {"ca.crt", "ca.key", "server.crt", "server.key"}) {
    INFO(name);
    CHECK(fs::is_regular_file(tls / name));
  }
  CHECK(fileMode(tls / "ca.key") == 0600);
  CHECK(fileMode(tls / "server.key") == 0600);
  CHECK((fileMode(tls) & 077) == 0);
  CHECK(contains(readFile(tls / "ca.crt"), "-----BEGIN CERTIFICATE-----"));
  CHECK_FALSE(contains(readFile(tls / "ca.crt"), "PRIVATE KEY"));

  // The server certificate chains to ca.crt and is a leaf, not a CA.
  auto verify = runProcess({"openssl", "verify", "-CAfile", (tls / "ca.crt").string(), "-purpose",
                            "sslserver", (tls / "server.crt").string()});
  INFO(verify.output);
  CHECK(verify.exitCode == 0);
  auto text =
      runProcess({"openssl", "x509", "-noout", "-text", "-in", (tls / "server.crt").string()});
  CHECK(contains(text.output, "DNS:localhost"));
  CHECK(contains(text.output, "IP Address:127.0.0.1"));
  CHECK(contains(text.output, "CA:FALSE"));

  {  // curl trusting ca.crt gets /health, and fails without it
    std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/health";
    auto ok = runProcess({"curl", "-sS", "--fail", "--cacert", (tls / "ca.crt").string(), url});
    INFO(ok.output);
    CHECK(ok.exitCode == 0);
    CHECK(nlohmann::json::parse(ok.output, nullptr, false).value("status", "") == "healthy");

    auto withKey =
        runProcess({"curl", "-sS", "--fail", "--cacert", (tls / "ca.crt").string(), "-H",
                    "Authorization: Bearer " + server.apiKey(),
                    "https://localhost:" + std::to_string(server.port()) + "/api/v1/auth/check"});
    INFO(withKey.output);
    CHECK(withKey.exitCode == 0);

    // An empty CA bundle: the bootstrap CA is not publicly trusted, so this must fail.
    TempDir empty;
    writeFile(empty.path() / "none.pem", "");
    auto untrusted = runProcess({"curl", "-sS", "--cacert", (empty.path() / "none.pem").string(),
                                 "--capath", empty.path().string(), url});
    CHECK(untrusted.exitCode != 0);
  }

  {  // TLS 1.2 and 1.3 are accepted with a verified chain; TLS 1.1 is refused
    auto v13 = sClient(server.port(), server.caFile(), {"-tls1_3"});
    INFO(v13.output);
    CHECK(v13.exitCode == 0);
    CHECK(contains(v13.output, "Verify return code: 0 (ok)"));
    CHECK(contains(v13.output, "TLSv1.3"));

    auto v12 = sClient(server.port(), server.caFile(), {"-tls1_2"});
    INFO(v12.output);
    CHECK(v12.exitCode == 0);
    CHECK(contains(v12.output, "Verify return code: 0 (ok)"));
    CHECK(contains(v12.output, "TLSv1.2"));

    // SECLEVEL=0 so the refusal can only come from the server: OpenSSL 3's
    // client would refuse TLS 1.1 on its own at the default level.
    auto v11 =
        sClient(server.port(), server.caFile(), {"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"});
    INFO(v11.output);
    CHECK(v11.exitCode != 0);
    CHECK(contains(v11.output, "no peer certificate available"));
  }

  {  // TLS 1.2 offers only AEAD suites: CBC ones are refused
    auto cbc = sClient(server.port(), server.caFile(),
                       {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA"});
    INFO(cbc.output);
    CHECK(cbc.exitCode != 0);
  }

  {  // plain HTTP sent to the HTTPS port gets no 200
    std::string reply =
        rawExchange(server.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    INFO(reply);
    CHECK_FALSE(contains(reply, " 200"));
    CHECK_FALSE(contains(reply, "healthy"));
    // The listener survives the garbage.
    CHECK(server.get("/health").status == 200);
  }
}

TEST_CASE("plain HTTP is served only with --insecure-http", "[server][tls]") {
  ServerProcessOptions options;
  options.tls = false;
  ServerProcess server(options);
  auto health = server.request("GET", "/health", {}, {}, "-");
  CHECK(health.status == 200);
  CHECK(server.request("GET", "/api/v1/auth/check").status == 200);
  CHECK(server.request("GET", "/api/v1/auth/check", {}, {}, "-").status == 401);
  CHECK(contains(server.log(), "plain HTTP"));
  // No TLS handshake is possible on the plain listener. Depending on the
  // random bytes of the ClientHello the server answers 400 at once or waits
  // for the rest of a "request line"; either way s_client must not succeed.
  auto handshake = runProcess(
      {"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(server.port()), "-tls1_2"},
      {}, 3s, "");
  CHECK(handshake.exitCode != 0);
  CHECK_FALSE(contains(handshake.output, "New, TLSv1.2"));
}

TEST_CASE("a restart on the same data dir keeps the CA, the key and the audit trail",
          "[server][tls][shutdown]") {
  ServerProcess first;
  auto tls = first.dataDir() / "tls";
  const std::string caBefore = readFile(tls / "ca.crt");
  const std::string caKeyBefore = readFile(tls / "ca.key");
  const std::string serverCertBefore = readFile(tls / "server.crt");
  const std::string key = first.apiKey();
  REQUIRE(caBefore.size() > 100);
  REQUIRE(key.size() >= 16);

  // A read is audited asynchronously; SIGTERM must flush it, not drop it.
  const std::string requestId = "restart-flush-check-0001";
  REQUIRE(first.request("GET", "/api/v1/teams", {}, {{"X-Request-ID", requestId}}).status == 200);
  CHECK(first.stop() == 0);

  int port = freeLoopbackPort();
  TempDir logs;
  SpawnedServer second({},
                       {{"CERTCTL_SERVER_HOST", "127.0.0.1"},
                        {"CERTCTL_SERVER_PORT", std::to_string(port)},
                        {"CERTCTL_DATA_DIR", first.dataDir().string()},
                        {"CERTCTL_DATABASE_URL", first.databaseUrl()},
                        {"CERTCTL_LOG_FORMAT", "json"}},
                       logs.path() / "server.log");
  REQUIRE(second.waitHealthy(port, tls / "ca.crt"));
  INFO(second.log());
  CHECK(readFile(tls / "ca.crt") == caBefore);
  CHECK(readFile(tls / "ca.key") == caKeyBefore);
  CHECK(readFile(tls / "server.crt") == serverCertBefore);  // still valid: not re-issued
  CHECK(readFile(first.dataDir() / "api-key").find(key) == 0);

  auto ok = runProcess(
      {"curl", "-sS", "--fail", "--cacert", (tls / "ca.crt").string(), "-H",
       "Authorization: Bearer " + key,
       "https://127.0.0.1:" + std::to_string(port) + "/api/v1/audit?request_id=" + requestId});
  INFO(ok.output);
  REQUIRE(ok.exitCode == 0);
  auto events = nlohmann::json::parse(ok.output)["data"];
  REQUIRE(events.size() == 1);
  CHECK(events[0]["method"] == "GET");
  CHECK(events[0]["path"] == "/api/v1/teams");
  CHECK(events[0]["status_code"] == 200);
  CHECK(second.stop() == 0);
}

TEST_CASE("CERTCTL_TLS_CERT_PATH/KEY_PATH serve a user-supplied certificate", "[server][tls]") {
  TempDir dir;
  auto caKey = dir.path() / "my-ca.key", caCert = dir.path() / "my-ca.crt";
  auto key = dir.path() / "my.key", csr = dir.path() / "my.csr", cert = dir.path() / "my.crt";
  auto ext = dir.path() / "ext.cnf";
  auto run = [](const std::vector<std::string>& argv) {
    auto r = runProcess(argv);
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
  };
  run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", caKey.string(), "-out", caCert.string(), "-days", "2", "-subj",
       "/CN=My Own Test CA"});
  run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", key.string(), "-out", csr.string(), "-subj", "/CN=certctl.test"});
  writeFile(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  run({"openssl", "x509", "-req", "-in", csr.string(), "-CA", caCert.string(), "-CAkey",
       caKey.string(), "-CAcreateserial", "-days", "2", "-extfile", ext.string(), "-out",
       cert.string()});
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);

  int port = freeLoopbackPort();
  auto data = dir.path() / "data";
  SpawnedServer server({},
                       {{"CERTCTL_SERVER_HOST", "127.0.0.1"},
                        {"CERTCTL_SERVER_PORT", std::to_string(port)},
                        {"CERTCTL_DATA_DIR", data.string()},
                        {"CERTCTL_TLS_CERT_PATH", cert.string()},
                        {"CERTCTL_TLS_KEY_PATH", key.string()}},
                       dir.path() / "server.log");
  REQUIRE(server.waitHealthy(port, caCert));
  INFO(server.log());
  auto s = sClient(port, caCert, {"-tls1_3"});
  INFO(s.output);
  CHECK(s.exitCode == 0);
  CHECK(contains(s.output, "CN = certctl.test"));
  // No bootstrap CA is minted when the operator brings a certificate.
  CHECK_FALSE(fs::exists(data / "tls" / "ca.crt"));
  CHECK(server.stop() == 0);
}
