#include "core/plugins/plugin_instances.h"

#include "core/plugins/plugin_call_error.h"

namespace certctl::plugins {

PluginInstance::PluginInstance(std::shared_ptr<const PluginModule> module, void* handle)
    : module_(std::move(module)), handle_(handle) {}

PluginInstance::~PluginInstance() {
  std::lock_guard lock(mutex_);
  module_->destroyInstance(handle_);
}

nlohmann::json PluginInstance::call(std::string_view operation, certctl_instance_op_fn fn,
                                    const nlohmann::json& request) const {
  if (fn == nullptr)
    throw PluginCallError(CERTCTL_UNSUPPORTED,
                          module_->label() + " does not support " + std::string(operation));
  return callText(operation, fn, requestText(request));
}

nlohmann::json PluginInstance::callText(std::string_view operation, certctl_instance_op_fn fn,
                                        std::string_view requestJson) const {
  if (fn == nullptr)
    throw PluginCallError(CERTCTL_UNSUPPORTED,
                          module_->label() + " does not support " + std::string(operation));
  std::unique_lock lock(mutex_, std::defer_lock);
  if (info().singleThreaded()) lock.lock();
  return module_->invoke(operation, [&](certctl_call* c, const certctl_sink* out) {
    return fn(handle_, c, certctl_str{requestJson.data(), requestJson.size()}, out);
  });
}

nlohmann::json IssuerPlugin::issue(const nlohmann::json& r) const {
  return call("issue", vt().issue, r);
}
nlohmann::json IssuerPlugin::renew(const nlohmann::json& r) const {
  return call("renew", vt().renew, r);
}
nlohmann::json IssuerPlugin::revoke(const nlohmann::json& r) const {
  return call("revoke", vt().revoke, r);
}
nlohmann::json IssuerPlugin::getOrderStatus(const nlohmann::json& r) const {
  return call("get_order_status", vt().get_order_status, r);
}
nlohmann::json IssuerPlugin::generateCrl(const nlohmann::json& r) const {
  return call("generate_crl", vt().generate_crl, r);
}
nlohmann::json IssuerPlugin::generateCrlCompact(std::string_view requestJson) const {
  return callText("generate_crl_compact", vt().generate_crl_compact, requestJson);
}
nlohmann::json IssuerPlugin::signOcsp(const nlohmann::json& r) const {
  return call("sign_ocsp", vt().sign_ocsp, r);
}
nlohmann::json IssuerPlugin::getCaChain(const nlohmann::json& r) const {
  return call("get_ca_chain", vt().get_ca_chain, r);
}
nlohmann::json IssuerPlugin::testConnection(const nlohmann::json& r) const {
  return call("test_connection", vt().test_connection, r);
}

nlohmann::json TargetPlugin::deploy(const nlohmann::json& r) const {
  return call("deploy", module().targetVtable().deploy, r);
}
nlohmann::json TargetPlugin::validateDeployment(const nlohmann::json& r) const {
  return call("validate_deployment", module().targetVtable().validate_deployment, r);
}

nlohmann::json NotifierPlugin::send(const nlohmann::json& r) const {
  return call("send", module().notifierVtable().send, r);
}

nlohmann::json DiscoveryPlugin::scan(const nlohmann::json& r) const {
  return call("scan", module().discoveryVtable().scan, r);
}

}  // namespace certctl::plugins
