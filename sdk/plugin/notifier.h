#pragma once

#include <nlohmann/json.hpp>

#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk {

// Base class of a notifier plugin (plugin-api/certctl/notifier_v1.h). Same
// conventions as sdk::Issuer; exported with
// CERTCTL_EXPORT_NOTIFIER(T, "Type", "1.0.0", schemaJson). A delivery that
// may succeed later throws PluginError::retryable.
class Notifier {
 public:
  virtual ~Notifier() = default;

  virtual nlohmann::json send(const nlohmann::json& request) = 0;
};

}  // namespace certctl::sdk

CERTCTL_SDK_END_HIDDEN
