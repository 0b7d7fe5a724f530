#include "core/plugins/plugin_kind.h"

namespace certctl::plugins {

std::string_view kindName(PluginKind kind) {
  switch (kind) {
    case PluginKind::Issuer:
      return "issuer";
    case PluginKind::Target:
      return "target";
    case PluginKind::Notifier:
      return "notifier";
    case PluginKind::Discovery:
      return "discovery";
  }
  return "unknown";
}

std::string_view kindDirectory(PluginKind kind) {
  switch (kind) {
    case PluginKind::Issuer:
      return "issuers";
    case PluginKind::Target:
      return "targets";
    case PluginKind::Notifier:
      return "notifiers";
    case PluginKind::Discovery:
      return "discovery";
  }
  return "unknown";
}

std::optional<PluginKind> kindFromCode(std::uint32_t code) {
  for (auto kind : kAllPluginKinds)
    if (static_cast<std::uint32_t>(kind) == code) return kind;
  return std::nullopt;
}

bool isKnownStatus(certctl_status status) {
  return status >= CERTCTL_OK && status <= CERTCTL_INTERNAL;
}

std::string statusName(certctl_status status) {
  switch (status) {
    case CERTCTL_OK:
      return "OK";
    case CERTCTL_INVALID_CONFIG:
      return "INVALID_CONFIG";
    case CERTCTL_REJECTED:
      return "REJECTED";
    case CERTCTL_RETRYABLE:
      return "RETRYABLE";
    case CERTCTL_UNSUPPORTED:
      return "UNSUPPORTED";
    case CERTCTL_INTERNAL:
      return "INTERNAL";
    default:
      return "UNKNOWN(" + std::to_string(status) + ")";
  }
}

}  // namespace certctl::plugins
