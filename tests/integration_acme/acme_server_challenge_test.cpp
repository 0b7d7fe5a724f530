// certctl's ACME server in the `challenge` auth mode against the real lego
// and certbot clients (Debian packages): the server validates http-01,
// tls-alpn-01 and dns-01 by connecting to the clients' own responders.
// pebble-challtestsrv is the DNS server the certctl server asks (every A
// query answers 127.0.0.1; TXT records as the dns-01 hook sets them).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/integration_acme/challtestsrv.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/test_database.h"

namespace fs = std::filesystem;
using certctl::testing::freeLoopbackPort;
using certctl::testing::runProcess;
using certctl::testing::acme::ChallTestSrv;
using nlohmann::json;

namespace {

// The server, its DNS and the ports its validators connect to.
struct ChallengeModeServer {
  explicit ChallengeModeServer(const fs::path& dir)
      : dns(dir / "dns", {}),
        http01Port(freeLoopbackPort()),
        tlsAlpn01Port(freeLoopbackPort()),
        server(options(dns.dnsPort(), http01Port, tlsAlpn01Port)) {
    auto profile = server.post("/api/v1/profiles", {{"name", "acme-challenge"},
                                                    {"allowed_ekus", {"serverAuth"}},
                                                    {"acme_auth_mode", "challenge"}});
    REQUIRE(profile.status == 201);
    directoryUrl = server.baseUrl() + "/acme/profile/" + profile.json()["id"].get<std::string>() +
                   "/directory";
  }

  static certctl::testing::ServerProcessOptions options(int dnsPort, int http01, int tlsAlpn01) {
    certctl::testing::ServerProcessOptions o;
    o.env = {{"CERTCTL_ACME_SERVER_ENABLED", "true"},
             {"CERTCTL_ACME_SERVER_DNS_RESOLVER", "127.0.0.1:" + std::to_string(dnsPort)},
             {"CERTCTL_ACME_SERVER_HTTP01_PORT", std::to_string(http01)},
             {"CERTCTL_ACME_SERVER_TLSALPN01_PORT", std::to_string(tlsAlpn01)},
             {"CERTCTL_ACME_SERVER_VALIDATION_ALLOW_LOOPBACK", "true"},
             {"CERTCTL_ACME_SERVER_VALIDATION_TIMEOUT", "5s"}};
    return o;
  }

  // The inventory entry of `commonName`, or null.
  json certificateNamed(const std::string& commonName) {
    auto list = server.request("GET", "/api/v1/certificates?source=acme&page_size=100");
    REQUIRE(list.status == 200);
    json body = list.json();
    for (const auto& c : body["data"])
      if (c.value("common_name", "") == commonName) return c;
    return nullptr;
  }

  ChallTestSrv dns;
  int http01Port, tlsAlpn01Port;
  certctl::testing::ServerProcess server;
  std::string directoryUrl;
};

certctl::testing::ProcessResult lego(const ChallengeModeServer& s, const fs::path& dir,
                                     const std::string& domain,
                                     const std::vector<std::string>& solverArgs,
                                     std::map<std::string, std::string> env = {}) {
  std::vector<std::string> argv = {"lego",          "--server",     s.directoryUrl, "--email",
                                   "a@example.com", "--accept-tos", "--path",       dir.string(),
                                   "--domains",     domain,         "--key-type",   "ec256"};
  argv.insert(argv.end(), solverArgs.begin(), solverArgs.end());
  argv.push_back("run");
  env["LEGO_CA_CERTIFICATES"] = s.server.caFile().string();
  return runProcess(argv, env, std::chrono::seconds(90));
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("challenge mode: lego proves http-01 and tls-alpn-01 to the certctl ACME server",
          "[acme-server][challenge]") {
  certctl::testing::TempDir dir;
  ChallengeModeServer s(dir.path());

  auto http01 = lego(s, dir.path() / "lego-http", "h.example.com",
                     {"--http", "--http.port", "127.0.0.1:" + std::to_string(s.http01Port)});
  INFO(http01.output);
  REQUIRE(http01.exitCode == 0);
  CHECK(fs::exists(dir.path() / "lego-http" / "certificates" / "h.example.com.crt"));
  json issued = s.certificateNamed("h.example.com");
  REQUIRE(issued.is_object());
  CHECK(issued["source"] == "acme");

  auto tlsAlpn = lego(s, dir.path() / "lego-tls", "t.example.com",
                      {"--tls", "--tls.port", "127.0.0.1:" + std::to_string(s.tlsAlpn01Port)});
  INFO(tlsAlpn.output);
  REQUIRE(tlsAlpn.exitCode == 0);
  CHECK(s.certificateNamed("t.example.com").is_object());

  SECTION("a client whose responder is not where the server looks gets no certificate") {
    const int elsewhere = freeLoopbackPort();
    auto refused = lego(s, dir.path() / "lego-refused", "r.example.com",
                        {"--http", "--http.port", "127.0.0.1:" + std::to_string(elsewhere)});
    CHECK(refused.exitCode != 0);
    CHECK_THAT(refused.output, Catch::Contains("urn:ietf:params:acme:error:connection"));
    CHECK(s.certificateNamed("r.example.com").is_null());
  }
}

TEST_CASE("challenge mode: lego proves dns-01 through a TXT record", "[acme-server][challenge]") {
  certctl::testing::TempDir dir;
  ChallengeModeServer s(dir.path());
  // lego's exec provider runs `hook present|cleanup <fqdn> <value>`; the
  // hook hands the record to challtestsrv's management API.
  const fs::path hook = dir.path() / "dns-hook.sh";
  std::ofstream(hook)
      << "#!/bin/sh\nset -e\nurl=\"" << s.dns.managementUrl() << "\"\n"
      << "case \"$1\" in\n"
      << "  present) curl -sf -d \"{\\\"host\\\":\\\"$2\\\",\\\"value\\\":\\\"$3\\\"}\" "
         "\"$url/set-txt\" ;;\n"
      << "  cleanup) curl -sf -d \"{\\\"host\\\":\\\"$2\\\"}\" \"$url/clear-txt\" ;;\n"
      << "esac\n";
  ::chmod(hook.c_str(), 0700);

  auto dns01 = lego(s, dir.path() / "lego-dns", "*.w.example.com",
                    {"--dns", "exec", "--dns.resolvers",
                     "127.0.0.1:" + std::to_string(s.dns.dnsPort()), "--dns.disable-cp"},
                    {{"EXEC_PATH", hook.string()},
                     {"EXEC_SEQUENCE_INTERVAL", "1"},
                     {"EXEC_POLLING_INTERVAL", "1"},
                     {"EXEC_PROPAGATION_TIMEOUT", "20"}});
  INFO(dns01.output);
  REQUIRE(dns01.exitCode == 0);
  std::string pem = readFile(dir.path() / "lego-dns" / "certificates" / "_.w.example.com.crt");
  CHECK(pem.find("BEGIN CERTIFICATE") != std::string::npos);
  CHECK(s.certificateNamed("*.w.example.com").is_object());
}

TEST_CASE("challenge mode: certbot --standalone proves http-01", "[acme-server][challenge]") {
  certctl::testing::TempDir dir;
  ChallengeModeServer s(dir.path());
  const fs::path d = dir.path() / "certbot";
  auto certbot = runProcess({"certbot",
                             "certonly",
                             "--standalone",
                             "--http-01-address",
                             "127.0.0.1",
                             "--http-01-port",
                             std::to_string(s.http01Port),
                             "--server",
                             s.directoryUrl,
                             "--agree-tos",
                             "-m",
                             "a@example.com",
                             "--no-eff-email",
                             "-n",
                             "-d",
                             "c.example.com",
                             "--key-type",
                             "ecdsa",
                             "--config-dir",
                             (d / "etc").string(),
                             "--work-dir",
                             (d / "work").string(),
                             "--logs-dir",
                             (d / "logs").string()},
                            {{"REQUESTS_CA_BUNDLE", s.server.caFile().string()},
                             {"SSL_CERT_FILE", s.server.caFile().string()}},
                            std::chrono::seconds(120));
  INFO(certbot.output);
  REQUIRE(certbot.exitCode == 0);
  CHECK(fs::exists(d / "etc" / "live" / "c.example.com" / "fullchain.pem"));
  CHECK(s.certificateNamed("c.example.com").is_object());
}
