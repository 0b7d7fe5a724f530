#pragma once

#include <certctl/plugin_v1.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk {

// The ABI status codes (plugin_v1.h) as a C++ enum.
enum class Status : std::int32_t {
  Ok = CERTCTL_OK,
  InvalidConfig = CERTCTL_INVALID_CONFIG,
  Rejected = CERTCTL_REJECTED,
  Retryable = CERTCTL_RETRYABLE,
  Unsupported = CERTCTL_UNSUPPORTED,
  Internal = CERTCTL_INTERNAL,
};

// Thrown by plugin code to fail the current call with a chosen status; the
// SDK turns it into that status plus host->set_error(message). Any other
// exception becomes CERTCTL_INTERNAL (nlohmann::json errors: the request
// or config was malformed, so CERTCTL_REJECTED / CERTCTL_INVALID_CONFIG).
class PluginError : public std::runtime_error {
 public:
  PluginError(Status status, const std::string& message)
      : std::runtime_error(message), status_(status == Status::Ok ? Status::Internal : status) {}

  Status status() const noexcept { return status_; }

  static PluginError invalidConfig(const std::string& m) { return {Status::InvalidConfig, m}; }
  static PluginError rejected(const std::string& m) { return {Status::Rejected, m}; }
  static PluginError retryable(const std::string& m) { return {Status::Retryable, m}; }
  static PluginError unsupported(const std::string& m) { return {Status::Unsupported, m}; }
  static PluginError internal(const std::string& m) { return {Status::Internal, m}; }

 private:
  Status status_;
};

}  // namespace certctl::sdk

CERTCTL_SDK_END_HIDDEN
