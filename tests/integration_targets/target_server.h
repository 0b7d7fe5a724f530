#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sdk/deploy/tls_probe.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/private_key.h"
#include "tests/support/background_process.h"

namespace certctl::testing::targets {

// A throwaway CA and the leaf certificates the tests deploy (all for
// "localhost" and 127.0.0.1).
class TestCa {
 public:
  TestCa();

  struct Leaf {
    sdk::pki::PrivateKey key;
    sdk::pki::Certificate cert;
    std::string serial() const { return cert.serialHex(); }
  };
  Leaf issue(const std::string& commonName) const;
  std::string chainPem() const { return cert_.toPem(); }

  // A deploy request (target_v1.h) for `leaf`.
  nlohmann::json deployRequest(const Leaf& leaf) const;

 private:
  sdk::pki::PrivateKey key_;
  sdk::pki::Certificate cert_;
};

using certctl::testing::BackgroundProcess;

enum class ServerKind { Nginx, Apache, Haproxy, Postfix, Dovecot, Caddy };

// Where a test connects: a port, the name it sends (SNI).
struct Endpoint {
  int port = 0;
  std::string sni = "localhost";
};

// One real nginx / apache2 / haproxy / postfix / dovecot / caddy for one test: its
// config and certificate files under `dir`, listening on random loopback
// ports. main() serves the certificate the target plugin manages, other() a
// fixed certificate the plugin never touches (another port, or for Dovecot
// another SNI name). Each reload through the plugin's reload command is
// counted. Postfix and Dovecot are reached with STARTTLS (smtp, imap).
class TargetServer {
 public:
  TargetServer(ServerKind kind, std::filesystem::path dir, const TestCa& ca);
  ~TargetServer();

  // Starts the server and waits until main() answers TLS.
  void start();
  void stop();

  Endpoint main() const { return {port_, "localhost"}; }
  Endpoint other() const { return other_endpoint_; }
  const std::string& pluginType() const { return pluginType_; }
  const std::filesystem::path& pluginPath() const { return pluginPath_; }
  // What the server reads: the files the plugin writes.
  std::vector<std::filesystem::path> managedFiles() const;
  std::string otherSerial() const { return other_.serial(); }
  bool combinedPem() const { return kind_ == ServerKind::Haproxy; }
  std::string pathField() const {
    return combinedPem() ? "pem_path" : kind_ == ServerKind::Caddy ? "cert_dir" : "cert_path";
  }

  // The plugin config for this server: its paths, its config test and its
  // reload (through a counting wrapper); with `verify`, the post-deploy check.
  nlohmann::json targetConfig() const;
  nlohmann::json targetConfig(const Endpoint& verify, double timeoutSeconds = 10) const;

  // The serial `at` presents, read with `openssl s_client` (independent of
  // sdk/deploy's probe); "" when the handshake fails.
  std::string served(const Endpoint& at) const;
  // Polls until `at` steadily presents `serial` (a reload is asynchronous:
  // three handshakes in a row) or `timeout` passes; the last serial seen.
  std::string waitFor(const Endpoint& at, const std::string& serial,
                      std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

  int reloadCount() const;
  // Puts a line the config test rejects into the server's config, or takes
  // it out again.
  void breakConfig();
  void repairConfig();
  // What the config test's failure says about it.
  std::string brokenConfigMessage() const;

  std::string log() const;

 private:
  void writeNginxConfig();
  void writeApacheConfig();
  void writeHaproxyConfig();
  void writePostfixConfig();
  void writeDovecotConfig();
  void writeCaddyConfig();
  std::map<std::string, std::string> caddyEnvironment() const;
  std::vector<std::string> startCommand() const;
  sdk::deploy::StartTls startTls() const;

  ServerKind kind_;
  std::filesystem::path dir_;
  int port_;
  int otherPort_;
  int adminPort_ = 0;
  Endpoint other_endpoint_;
  std::string startTls_;  // "", "smtp", "imap"
  std::string pluginType_;
  std::filesystem::path pluginPath_;
  TestCa::Leaf boot_;
  TestCa::Leaf other_;
  std::filesystem::path config_;
  std::filesystem::path extra_;  // where breakConfig() writes
  std::string extraText_;        // extra_'s content when repaired
  std::vector<std::string> validate_;
  std::vector<std::string> reload_;
  std::unique_ptr<BackgroundProcess> process_;
};

std::string readFile(const std::filesystem::path& path);

// The serial `at` presents on 127.0.0.1, read with `openssl s_client`
// (independent of sdk/deploy's probe), after STARTTLS `startTls` ("smtp",
// "imap") unless ""; "" when the handshake fails.
std::string servedSerial(const Endpoint& at, const std::string& startTls = "");
// Polls until `at` steadily presents `serial` (three handshakes in a row: a
// reloading server's old workers may answer once more) or `timeout` passes;
// the last serial seen.
std::string waitForSerial(const Endpoint& at, const std::string& serial,
                          std::chrono::milliseconds timeout, const std::string& startTls = "");

}  // namespace certctl::testing::targets
