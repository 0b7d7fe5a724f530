#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/plugins/plugin_module.h"

namespace certctl::plugins {

// One configured instance of a plugin (create_instance .. destroy_instance).
// Holds its module, so the library stays loaded while the instance lives.
// Every call returns the plugin's result object or throws PluginCallError
// (error status, malformed output, or an operation the plugin lacks).
// Thread-safe: calls are serialised here when the plugin is single-threaded.
class PluginInstance {
 public:
  PluginInstance(std::shared_ptr<const PluginModule> module, void* handle);
  virtual ~PluginInstance();
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  const PluginInfo& info() const { return module_->info(); }
  bool supports(std::string_view operation) const { return info().supports(operation); }

 protected:
  nlohmann::json call(std::string_view operation, certctl_instance_op_fn fn,
                      const nlohmann::json& request) const;
  // The same with the request document already written as JSON text.
  nlohmann::json callText(std::string_view operation, certctl_instance_op_fn fn,
                          std::string_view requestJson) const;
  const PluginModule& module() const { return *module_; }

 private:
  std::shared_ptr<const PluginModule> module_;
  void* handle_;
  mutable std::mutex mutex_;
};

class IssuerPlugin : public PluginInstance {
 public:
  using PluginInstance::PluginInstance;

  nlohmann::json issue(const nlohmann::json& request) const;
  nlohmann::json renew(const nlohmann::json& request) const;
  nlohmann::json revoke(const nlohmann::json& request) const;
  // Optional operations: PluginCallError(UNSUPPORTED) when the plugin lacks them.
  nlohmann::json getOrderStatus(const nlohmann::json& request) const;
  nlohmann::json generateCrl(const nlohmann::json& request) const;
  nlohmann::json signOcsp(const nlohmann::json& request) const;
  nlohmann::json getCaChain(const nlohmann::json& request = nlohmann::json::object()) const;
  nlohmann::json testConnection(const nlohmann::json& request = nlohmann::json::object()) const;
  // ABI 1.1 generate_crl_compact, whose request carries the revocation list
  // as one string ("revoked_tsv"): `requestJson` is the JSON text of the
  // request, written by the caller without building a DOM of 1M entries
  // (services/crl_request.h). UNSUPPORTED when the plugin lacks the slot,
  // e.g. one built against ABI 1.0.
  nlohmann::json generateCrlCompact(std::string_view requestJson) const;

 private:
  const certctl_issuer_vtable& vt() const { return module().issuerVtable(); }
};

class TargetPlugin : public PluginInstance {
 public:
  using PluginInstance::PluginInstance;

  nlohmann::json deploy(const nlohmann::json& request) const;
  nlohmann::json validateDeployment(const nlohmann::json& request) const;  // optional
};

class NotifierPlugin : public PluginInstance {
 public:
  using PluginInstance::PluginInstance;

  nlohmann::json send(const nlohmann::json& request) const;
};

class DiscoveryPlugin : public PluginInstance {
 public:
  using PluginInstance::PluginInstance;

  nlohmann::json scan(const nlohmann::json& request) const;
};

}  // namespace certctl::plugins
