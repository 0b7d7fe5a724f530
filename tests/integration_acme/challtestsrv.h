#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "sdk/net/https_client.h"
#include "tests/support/background_process.h"

namespace certctl::testing::acme {

// A real pebble-challtestsrv (Debian's pebble package) on random loopback
// ports under `dir`: a DNS server answering every A query with 127.0.0.1
// plus the TXT records a test sets, and, when asked for, the http-01 and
// tls-alpn-01 responders an ACME client would run. Stops with the object.
class ChallTestSrv {
 public:
  struct Responders {
    bool http01 = false;
    bool tlsAlpn01 = false;
  };
  ChallTestSrv(std::filesystem::path dir, Responders responders);

  std::string managementUrl() const;
  int dnsPort() const { return dnsPort_; }
  int http01Port() const { return http01Port_; }        // 0 when not started
  int tlsAlpn01Port() const { return tlsAlpn01Port_; }  // 0 when not started

  void setTxt(const std::string& fqdn, const std::string& value) const;
  void clearTxt(const std::string& fqdn) const;
  void addHttp01(const std::string& token, const std::string& keyAuthorization) const;
  void addTlsAlpn01(const std::string& host, const std::string& keyAuthorization) const;

 private:
  void post(const std::string& path, const std::string& body) const;

  std::filesystem::path dir_;
  int managementPort_, dnsPort_, http01Port_ = 0, tlsAlpn01Port_ = 0;
  sdk::net::HttpsClient http_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace certctl::testing::acme
