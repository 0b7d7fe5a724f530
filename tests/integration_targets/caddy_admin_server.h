#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration_targets/target_server.h"

namespace certctl::testing::targets {

// A real Caddy run from a JSON config for the admin-API mode: its admin
// endpoint and two TLS sites on random loopback ports. main() serves the
// load_pem entry tagged `tag` (certificate_selection any_tag), other() a
// fixed certificate tagged "other" that the plugin must leave alone.
class CaddyAdminServer {
 public:
  CaddyAdminServer(std::filesystem::path dir, const TestCa& ca, std::string tag);
  ~CaddyAdminServer();

  // Starts Caddy and waits until main() presents the boot certificate.
  void start();

  Endpoint main() const { return {port_, "localhost"}; }
  Endpoint other() const { return {otherPort_, "localhost"}; }
  std::string adminUrl() const { return "http://127.0.0.1:" + std::to_string(adminPort_); }
  std::string bootSerial() const { return boot_.serial(); }
  std::string otherSerial() const { return other_.serial(); }
  std::string otherCertificatePem() const { return other_.cert.toPem(); }

  // Caddy's running config, read with curl (independent of the plugin).
  nlohmann::json config() const;
  // How many config changes (PATCH / POST requests) Caddy's admin API received.
  int changeRequests() const;
  std::string log() const;

 private:
  std::filesystem::path dir_;
  std::string tag_;
  int port_;
  int otherPort_;
  int adminPort_;
  TestCa::Leaf boot_;
  TestCa::Leaf other_;
  std::string chainPem_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace certctl::testing::targets
