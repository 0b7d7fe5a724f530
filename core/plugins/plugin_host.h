#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/plugins/host_services.h"
#include "core/plugins/plugin_instances.h"
#include "core/plugins/plugin_kind.h"
#include "core/plugins/plugin_module.h"

namespace certctl::plugins {

struct PluginHostOptions {
  // Directories scanned in order; in each, *.so directly inside and in the
  // <kind> sub-directories (issuers/, targets/, notifiers/, discovery/).
  std::vector<std::filesystem::path> searchDirs;
  HostServices services;
  std::string productVersion;              // "" = this build's version
  std::size_t maxResultBytes = 64u << 20;  // per plugin result
  // Per CRL result (generate_crl, generate_crl_compact): the DER in base64
  // is ~65 bytes per entry, ~65 MB for 1M entries; 512 MiB is ~8M entries.
  std::size_t maxCrlResultBytes = std::size_t{512} << 20;
};

struct PluginRefusal {
  std::string path;
  std::string reason;
};

// Loads plugins (DESIGN §3 rule 10) and makes instances of them. A file that
// is not an acceptable plugin is refused with a reason, logged and listed;
// nothing a plugin file does at load time stops the host. Thread-safe.
class PluginHost {
 public:
  explicit PluginHost(PluginHostOptions options = {});
  ~PluginHost();
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // CERTCTL_PLUGIN_DIR (if set), then <exe dir>/../lib/certctl/plugins.
  static std::vector<std::filesystem::path> defaultSearchDirs(const std::string& pluginDir);

  // Loads every not-yet-seen plugin file under the search dirs, in a stable
  // (sorted) order per directory. Returns how many were loaded now.
  std::size_t scan();
  // Loads one file; false if it was refused (see refused()) or already seen.
  bool loadFile(const std::filesystem::path& path);

  std::vector<PluginInfo> loaded() const;
  std::vector<PluginRefusal> refused() const;
  // {"loaded": [{kind, type, version, build, config_schema, path, ...}],
  //  "refused": [{path, reason}]}: what GET /api/v1/plugins returns.
  nlohmann::json listPlugins() const;
  bool has(PluginKind kind, const std::string& type) const;

  // Runs the plugin's validate_config: its result ({} or {"warnings"}), or
  // PluginCallError (INVALID_CONFIG, ...). An unknown type is a 400 on "type".
  nlohmann::json validateConfig(PluginKind kind, const std::string& type,
                                const nlohmann::json& config) const;

  // New instances for one config; PluginCallError if the plugin refuses it.
  std::unique_ptr<IssuerPlugin> createIssuer(const std::string& type,
                                             const nlohmann::json& config) const;
  std::unique_ptr<TargetPlugin> createTarget(const std::string& type,
                                             const nlohmann::json& config) const;
  std::unique_ptr<NotifierPlugin> createNotifier(const std::string& type,
                                                 const nlohmann::json& config) const;
  std::unique_ptr<DiscoveryPlugin> createDiscovery(const std::string& type,
                                                   const nlohmann::json& config) const;

 private:
  std::shared_ptr<const PluginModule> find(PluginKind kind, const std::string& type) const;
  void refuse(const std::string& path, const std::string& reason);

  std::shared_ptr<const HostContext> context_;
  std::vector<std::filesystem::path> searchDirs_;
  std::mutex loadMutex_;      // one load at a time: duplicate checks see every earlier load
  mutable std::mutex mutex_;  // guards the three members below
  std::vector<std::shared_ptr<PluginModule>> modules_;
  std::vector<PluginRefusal> refused_;
  std::set<std::string> seen_;
};

}  // namespace certctl::plugins
