#pragma once

#include <nlohmann/json.hpp>

#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk {

// Base class of a target plugin (plugin-api/certctl/target_v1.h). Same
// conventions as sdk::Issuer: an `explicit T(const nlohmann::json& config)`
// constructor, optional static validateConfig/moduleInit/moduleTeardown,
// exported with CERTCTL_EXPORT_TARGET(T, "Type", "1.0.0", schemaJson).
class Target {
 public:
  virtual ~Target() = default;

  virtual nlohmann::json deploy(const nlohmann::json& request) = 0;

  // Optional: checks that the deployed certificate is the one being served.
  virtual nlohmann::json validateDeployment(const nlohmann::json&) {
    throw PluginError::unsupported("this target does not validate deployments");
  }
};

}  // namespace certctl::sdk

CERTCTL_SDK_END_HIDDEN
