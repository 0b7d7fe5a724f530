#include "core/plugins/plugin_call_error.h"

#include "core/plugins/plugin_kind.h"

namespace certctl::plugins {

namespace {

domain::ErrorKind errorKind(certctl_status status) {
  switch (status) {
    case CERTCTL_INVALID_CONFIG:
    case CERTCTL_REJECTED:
    case CERTCTL_UNSUPPORTED:
      return domain::ErrorKind::BadRequest;
    default:
      return domain::ErrorKind::Unavailable;
  }
}

std::string errorCode(certctl_status status) {
  switch (status) {
    case CERTCTL_INVALID_CONFIG:
      return "plugin_invalid_config";
    case CERTCTL_REJECTED:
      return "plugin_rejected";
    case CERTCTL_UNSUPPORTED:
      return "plugin_unsupported";
    case CERTCTL_RETRYABLE:
      return "plugin_retryable";
    default:
      return "plugin_error";
  }
}

certctl_status normalise(certctl_status status) {
  return isKnownStatus(status) && status != CERTCTL_OK ? status : CERTCTL_INTERNAL;
}

}  // namespace

PluginCallError::PluginCallError(certctl_status status, const std::string& message)
    : domain::ApiError(errorKind(normalise(status)), errorCode(normalise(status)), message),
      status_(normalise(status)) {}

}  // namespace certctl::plugins
