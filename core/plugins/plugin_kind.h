#pragma once

#include <certctl/plugin_v1.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certctl::plugins {

enum class PluginKind : std::uint32_t {
  Issuer = CERTCTL_KIND_ISSUER,
  Target = CERTCTL_KIND_TARGET,
  Notifier = CERTCTL_KIND_NOTIFIER,
  Discovery = CERTCTL_KIND_DISCOVERY,
};

inline constexpr PluginKind kAllPluginKinds[] = {PluginKind::Issuer, PluginKind::Target,
                                                 PluginKind::Notifier, PluginKind::Discovery};

// "issuer", "target", "notifier", "discovery": the names the API shows.
std::string_view kindName(PluginKind kind);
// "issuers", "targets", "notifiers", "discovery": the install sub-directories.
std::string_view kindDirectory(PluginKind kind);
std::optional<PluginKind> kindFromCode(std::uint32_t code);

bool isKnownStatus(certctl_status status);
// "OK", "INVALID_CONFIG", ...; "UNKNOWN(<n>)" for anything else.
std::string statusName(certctl_status status);

}  // namespace certctl::plugins
