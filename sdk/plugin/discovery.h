#pragma once

#include <nlohmann/json.hpp>

#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk {

// Base class of a discovery plugin (plugin-api/certctl/discovery_v1.h). Same
// conventions as sdk::Issuer; exported with
// CERTCTL_EXPORT_DISCOVERY(T, "Type", "1.0.0", schemaJson).
class Discovery {
 public:
  virtual ~Discovery() = default;

  virtual nlohmann::json scan(const nlohmann::json& request) = 0;
};

}  // namespace certctl::sdk

CERTCTL_SDK_END_HIDDEN
