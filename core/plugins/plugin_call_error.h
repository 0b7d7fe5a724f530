#pragma once

#include <certctl/plugin_v1.h>

#include <string>

#include "core/domain/errors.h"

namespace certctl::plugins {

// A plugin call that did not succeed: the plugin returned an error status,
// malformed output, or the operation is not supported. Carries the ABI
// status so services can tell "retry later" (RETRYABLE) from "fail"; as an
// ApiError it becomes a clean JSON error response, never a 500:
//   INVALID_CONFIG -> 400 plugin_invalid_config   REJECTED    -> 400 plugin_rejected
//   UNSUPPORTED    -> 400 plugin_unsupported      RETRYABLE   -> 503 plugin_retryable
//   INTERNAL, malformed output, unknown status    -> 503 plugin_error
class PluginCallError : public domain::ApiError {
 public:
  PluginCallError(certctl_status status, const std::string& message);

  certctl_status status() const { return status_; }
  bool retryable() const { return status_ == CERTCTL_RETRYABLE; }

 private:
  certctl_status status_;
};

}  // namespace certctl::plugins
