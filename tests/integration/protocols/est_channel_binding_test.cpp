// RFC 9266 tls-exporter channel binding on an EST mTLS profile: the CSR's
// challengePassword carries base64 of the exporter of the TLS 1.3 session it
// is posted on. openssl s_client prints that exporter (-keymatexport), the
// CSR is made with it, and the request is written on the same session.
#include <catch2/catch.hpp>

#include "tests/integration/protocols/est_test_util.h"
#include "tests/support/test_database.h"

using namespace certctl::testing;
using namespace certctl::testing::est;

namespace {

// A CSR with challengePassword = `binding`, base64 DER on one line.
std::string boundCsr(const fs::path& d, const std::string& binding, const std::string& name) {
  fs::path config = d / (name + ".cnf");
  std::ofstream(config) << "[req]\nprompt = no\ndistinguished_name = dn\nattributes = attrs\n"
                           "[dn]\nCN = sensor-001\n[attrs]\nchallengePassword = "
                        << binding << "\n";
  fs::path der = d / (name + ".der");
  require({"openssl", "req", "-new", "-key", (d / "sensor.key").string(), "-config",
           config.string(), "-outform", "DER", "-out", der.string()});
  auto b64 = runProcess({"openssl", "base64", "-A", "-in", der.string()});
  REQUIRE(b64.exitCode == 0);
  return b64.output;
}

std::string post(const std::string& path, const std::string& body) {
  return "POST " + path +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkcs10\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

int statusOf(const std::string& output) {
  auto at = output.find("HTTP/1.1 ");
  REQUIRE(at != std::string::npos);
  return std::stoi(output.substr(at + 9, 3));
}

}  // namespace

TEST_CASE("EST channel binding: tls-exporter in challengePassword, TLS 1.3 only",
          "[protocols][est]") {
  TempDir dir;
  const fs::path d = dir.path();
  makeCa(d, "factory", "/CN=factory CA", true);
  makeClientCert(d, "factory", "sensor", "/CN=sensor-001");
  ServerProcessOptions options;
  options.env = {
      {"CERTCTL_EST_ENABLED", "true"},
      {"CERTCTL_EST_PROFILES", "iot"},
      {"CERTCTL_EST_PROFILE_IOT_ISSUER_ID", "iss-local"},
      {"CERTCTL_EST_PROFILE_IOT_ALLOWED_AUTH_MODES", "mtls"},
      {"CERTCTL_EST_PROFILE_IOT_MTLS_ENABLED", "true"},
      {"CERTCTL_EST_PROFILE_IOT_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH", (d / "factory.crt").string()},
      {"CERTCTL_EST_PROFILE_IOT_CHANNEL_BINDING_REQUIRED", "true"}};
  ServerProcess server(options);
  const std::vector<std::string> tls13 = {"-tls1_3",
                                          "-CAfile",
                                          server.caFile().string(),
                                          "-cert",
                                          (d / "sensor.crt").string(),
                                          "-key",
                                          (d / "sensor.key").string()};
  const std::string path = "/.well-known/est-mtls/iot/simpleenroll";

  // csrattrs asks for challengePassword.
  auto attrs = curl(server, d, "GET", "/.well-known/est/iot/csrattrs");
  REQUIRE(attrs.status == 200);

  // The binding of this very session: issued.
  std::string previous;
  {
    TlsSession session(server.port(), tls13);
    std::string exporter = session.exporterHex();
    REQUIRE(exporter.size() == 64);
    previous = hexToBase64(exporter);
    std::string answer = session.exchange(post(path, boundCsr(d, previous, "bound")));
    INFO(answer);
    CHECK(statusOf(answer) == 200);
    CHECK(answer.find("smime-type=certs-only") != std::string::npos);
  }
  // Another session's binding (a relayed CSR): 409.
  {
    TlsSession session(server.port(), tls13);
    REQUIRE(session.exporterHex().size() == 64);
    std::string answer = session.exchange(post(path, boundCsr(d, previous, "replayed")));
    INFO(answer);
    CHECK(statusOf(answer) == 409);
  }
  // No binding at all: 400.
  auto plainCsr = csrBase64(d, (d / "sensor.key").string(), "/CN=sensor-001", "plain");
  const std::vector<std::string> cert = {"--cert", (d / "sensor.crt").string(), "--key",
                                         (d / "sensor.key").string()};
  CHECK(curl(server, d, "POST", path, cert, plainCsr).status == 400);
  // TLS 1.2 has no tls-exporter: 426.
  auto old = cert;
  old.insert(old.end(), {"--tls-max", "1.2"});
  auto upgrade = curl(server, d, "POST", path, old, plainCsr);
  CHECK(upgrade.status == 426);
  CHECK(server.get("/api/v1/audit?action=est_auth_failed_channel_binding").json()["data"].size() ==
        3);
}
