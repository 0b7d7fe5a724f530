#pragma once

#include <certctl/discovery_v1.h>
#include <certctl/issuer_v1.h>
#include <certctl/notifier_v1.h>
#include <certctl/plugin_v1.h>
#include <certctl/target_v1.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/plugins/host_services.h"
#include "core/plugins/plugin_kind.h"

namespace boost::dll {
class shared_library;
}

namespace certctl::plugins {

// What a loaded plugin declared, copied out of its descriptor.
struct PluginInfo {
  PluginKind kind = PluginKind::Issuer;
  std::string type;
  std::string version;
  std::string buildInfo;
  std::string path;
  nlohmann::json configSchema;
  std::uint32_t flags = 0;
  std::uint32_t abiMinor = 0;           // the headers' minor it was built with
  std::uint32_t minHostAbiMinor = 0;    // the oldest host minor it accepts
  std::vector<std::string> operations;  // instance operations with a callback

  bool singleThreaded() const { return (flags & CERTCTL_PLUGIN_SINGLE_THREADED) != 0; }
  bool supports(std::string_view operation) const;
  // {kind, type, version, build, config_schema, path, abi, min_host_abi, flags, operations}
  nlohmann::json toJson() const;
};

// The JSON text sent to a plugin; a null value (an omitted request) is "{}".
std::string requestText(const nlohmann::json& value);

// Why a file was not accepted as a plugin (DESIGN §3 rule 10).
class PluginRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One plugin library: loaded with Boost.DLL, handshaken, validated against
// ABI v1, its descriptor and vtable copied into zeroed host-sized structs
// (rule 3). Shared by the host and by every instance made from it, so the
// library stays loaded while anything from it is alive; the last owner runs
// module_teardown and unloads it.
class PluginModule {
 public:
  // Throws PluginRefused with a one-line reason; never anything else.
  static std::shared_ptr<PluginModule> load(const std::filesystem::path& path,
                                            std::shared_ptr<const HostContext> context);
  ~PluginModule();
  PluginModule(const PluginModule&) = delete;
  PluginModule& operator=(const PluginModule&) = delete;

  // module_init, once, after the host decided to keep the plugin. Throws PluginRefused.
  void initialize();

  const PluginInfo& info() const { return info_; }
  std::string label() const;  // "issuer 'local-ca'"

  // The copied vtables; only the one of info().kind is filled in.
  const certctl_issuer_vtable& issuerVtable() const { return issuer_; }
  const certctl_target_vtable& targetVtable() const { return target_; }
  const certctl_notifier_vtable& notifierVtable() const { return notifier_; }
  const certctl_discovery_vtable& discoveryVtable() const { return discovery_; }

  // validate_config: the plugin's result ({} or {"warnings": [...]}), or PluginCallError.
  nlohmann::json validateConfig(const nlohmann::json& config) const;
  // create_instance: the plugin's instance handle, or PluginCallError.
  void* createInstance(const nlohmann::json& config) const;
  void destroyInstance(void* instance) const noexcept;

  // Runs one plugin function with a fresh call handle and output sink, then
  // interprets the outcome: the result object, or PluginCallError for an
  // error status, malformed or oversized output, or an exception that crossed.
  using RawCall = std::function<certctl_status(certctl_call*, const certctl_sink*)>;
  nlohmann::json invoke(std::string_view operation, const RawCall& fn) const;

 private:
  PluginModule(std::filesystem::path path, std::shared_ptr<const HostContext> context);
  void handshakeAndValidate();
  void copyVtable(const void* vtable, std::uint32_t size);

  // Declared first so that it is destroyed last: nothing may outlive the code.
  std::unique_ptr<boost::dll::shared_library> library_;
  std::shared_ptr<const HostContext> context_;
  certctl_host host_{};  // per module: its address is what the plugin keeps
  certctl_plugin_descriptor descriptor_{};
  certctl_issuer_vtable issuer_{};
  certctl_target_vtable target_{};
  certctl_notifier_vtable notifier_{};
  certctl_discovery_vtable discovery_{};
  certctl_validate_config_fn validate_ = nullptr;
  certctl_create_instance_fn create_ = nullptr;
  certctl_destroy_instance_fn destroy_ = nullptr;
  PluginInfo info_;
  bool initialized_ = false;
  bool registered_ = false;  // owns the process-wide "loaded" entry of its library
};

}  // namespace certctl::plugins
