#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/background_process.h"

namespace certctl::testing::dns {

// A real BIND `named` (Debian bind9) on a random loopback port, authoritative
// for `zone` with dynamic updates allowed for one TSIG key (hmac-sha256),
// config, zone file and journal under `dir`. Stops with the object.
class NamedServer {
 public:
  NamedServer(std::filesystem::path dir, std::string zone);

  int port() const { return port_; }
  const std::string& zone() const { return zone_; }
  const std::string& keyName() const { return keyName_; }
  const std::string& keySecret() const { return keySecret_; }

 private:
  void waitUntilUp() const;

  std::filesystem::path dir_;
  std::string zone_, keyName_ = "certctl-test-key", keySecret_;
  int port_;
  std::unique_ptr<BackgroundProcess> named_;
};

// `dig +short TXT name @127.0.0.1 -p port`: the TXT strings, quotes removed.
std::vector<std::string> digTxt(int port, const std::string& name);

}  // namespace certctl::testing::dns
