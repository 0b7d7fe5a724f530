#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sdk/net/https_client.h"
#include "tests/integration_acme/challtestsrv.h"
#include "tests/support/background_process.h"

namespace certctl::testing::acme {

struct PebbleOptions {
  // externalAccountBindingRequired with these kid -> base64url MAC keys.
  std::map<std::string, std::string> eabKeys;
  // PEBBLE_WFE_NONCEREJECT: the share of good nonces refused as badNonce.
  int nonceRejectPercent = 0;
  // PEBBLE_VA_ALWAYS_VALID: every challenge passes without a lookup
  // (acme_bench compares order throughput with it).
  bool alwaysValid = false;
};

// A real Pebble (Debian's pebble 2.4) and pebble-challtestsrv as its DNS
// server, on random loopback ports under `dir`, with a TLS certificate the
// test makes (Pebble ships none). challtestsrv answers every A query with
// 127.0.0.1, so http-01 for any name reaches httpPort() on loopback.
// Both stop with the object.
class Pebble {
 public:
  explicit Pebble(std::filesystem::path dir, PebbleOptions options = {});

  std::string directoryUrl() const;
  // The PEM file that verifies Pebble's TLS certificate (ca_bundle_path).
  std::filesystem::path caBundle() const { return dir_ / "pebble-tls.pem"; }
  // Where Pebble connects for http-01 (the plugin's http_port).
  int httpPort() const { return httpPort_; }

  // Management API: GET /cert-status-by-serial/<serial> (null if unknown).
  nlohmann::json certStatus(const std::string& serialHex) const;
  // The root the issued chains lead to (new at every start).
  std::string rootPem() const;
  // pebble-challtestsrv: its management API (scripts/lua/dns/challtestsrv.lua)
  // and the DNS port Pebble asks (dig it to see the TXT records).
  std::string challtestsrvUrl() const;
  int dnsPort() const { return challtestsrv_->dnsPort(); }
  // challtestsrv TXT records (dns-01).
  void setTxt(const std::string& fqdn, const std::string& value) const;
  void clearTxt(const std::string& fqdn) const;

 private:
  void start(const PebbleOptions& options);
  // False when Pebble exited (a port was taken) or did not answer in time.
  bool waitUntilUp() const;

  std::filesystem::path dir_;
  int port_, managementPort_, httpPort_, tlsPort_;
  std::unique_ptr<ChallTestSrv> challtestsrv_;
  std::unique_ptr<sdk::net::HttpsClient> http_;
  std::unique_ptr<BackgroundProcess> pebble_;
};

}  // namespace certctl::testing::acme
