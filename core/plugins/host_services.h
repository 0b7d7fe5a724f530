#pragma once

#include <certctl/plugin_v1.h>

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace certctl::plugins {

// What the host offers plugins besides log/set_error (DESIGN §3 rule 8).
// Each service maps a JSON request to a JSON object (plugin_v1.h documents
// the shapes). An empty function means the host does not offer the service:
// plugins then see a NULL pointer. A service fails by throwing
// HostServiceError (any other exception counts as CERTCTL_INTERNAL); the
// plugin receives the status and {"error": message}.
struct HostServices {
  std::function<nlohmann::json(const nlohmann::json&)> runLuaHook;
  std::function<nlohmann::json(const nlohmann::json&)> lookupCertificateBySerial;
  std::function<nlohmann::json(const nlohmann::json&)> readSecret;
};

class HostServiceError : public std::runtime_error {
 public:
  HostServiceError(certctl_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  certctl_status status() const { return status_; }

 private:
  certctl_status status_;
};

// Shared by the host and every module it loaded (a module may outlive the
// host while instances of it are alive).
struct HostContext {
  HostServices services;
  std::string productVersion;
  std::size_t maxResultBytes = 0;
  std::size_t maxCrlResultBytes = 0;  // generate_crl, generate_crl_compact
  // The limit on the result of `operation`.
  std::size_t resultLimit(std::string_view operation) const {
    return operation == "generate_crl" || operation == "generate_crl_compact" ? maxCrlResultBytes
                                                                              : maxResultBytes;
  }
};

// Fills a certctl_host for one module: ABI version, product version and the
// host's C callbacks (optional services are NULL when not offered).
certctl_host makeHostStruct(const HostContext& context);

}  // namespace certctl::plugins
