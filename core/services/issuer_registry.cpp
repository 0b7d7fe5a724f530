#include "core/services/issuer_registry.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "core/domain/errors.h"
#include "core/domain/resources.h"
#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"

namespace certctl::services {

using nlohmann::json;

namespace {

const domain::ResourceSpec& issuerSpec() {
  static const domain::ResourceSpec* spec = domain::findResource("issuers");
  return *spec;
}

bool isEnabled(const json& record) {
  auto it = record.find("enabled");
  if (it == record.end() || it->is_null()) return true;
  return it->is_boolean() ? it->get<bool>() : (it->is_number() && it->get<int>() != 0);
}

}  // namespace

IssuerRegistry::IssuerRegistry(plugins::PluginHost& host, ResourceService& resources,
                               IssuerHostSettings settings)
    : host_(host), resources_(resources), settings_(std::move(settings)) {}

IssuerRegistry::~IssuerRegistry() = default;

std::string IssuerRegistry::pluginType(const std::string& storedType) {
  if (storedType == "local-ca") return "GenericCA";
  if (storedType == "script") return "OpenSSL";
  return storedType;
}

void IssuerRegistry::attach() {
  resources_.addValidator(
      "issuers", [this](const json& values, const json* current) { validate(values, current); });
  resources_.addChangeListener(
      "issuers", [this](ResourceService::Change change, const std::string& id, const json& record) {
        invalidate(id);
        if (change == ResourceService::Change::Removed || !isEnabled(record)) return;
        // (Re)instantiate now so a CA that cannot start shows up in the log at
        // once, not at the first issuance.
        try {
          get(id);
        } catch (const std::exception& e) {
          spdlog::warn("issuer {}: the plugin cannot start with this config: {}", id, e.what());
        }
      });
}

void IssuerRegistry::validate(const json& values, const json* current) const {
  if (!values.contains("type") && !values.contains("config")) return;
  std::string type = values.contains("type") ? values["type"].get<std::string>()
                                             : current->value("type", std::string());
  json config = values.contains("config")
                    ? values["config"]
                    : (current ? current->value("config", json::object()) : json::object());
  if (!config.is_object()) throw domain::badRequest("config", "config must be a JSON object");
  if (config.contains("host"))
    throw domain::badRequest("config", "config.host is reserved: the server fills it in");
  try {
    host_.validateConfig(plugins::PluginKind::Issuer, pluginType(type), config);
  } catch (const plugins::PluginCallError& e) {
    // The plugin's message names the offending config field.
    throw domain::badRequest("config", e.what());
  }
}

json IssuerRegistry::instanceConfig(const std::string& issuerId, const json& config) const {
  json full = config.is_object() ? config : json::object();
  full["host"] = {{"issuer_id", issuerId},
                  {"state_dir", (settings_.dataDir / "issuers" / issuerId).string()},
                  {"public_url", settings_.publicUrl}};
  if (!full.contains("ocsp_responder_rotation_grace_seconds"))
    full["ocsp_responder_rotation_grace_seconds"] = settings_.ocspRotationGrace.count();
  return full;
}

IssuerRegistry::Entry IssuerRegistry::get(const std::string& issuerId) {
  {
    std::shared_lock lock(mutex_);
    auto it = cache_.find(issuerId);
    if (it != cache_.end()) return it->second.entry;
  }
  json record = resources_.get(issuerSpec(), issuerId);
  if (!isEnabled(record))
    throw domain::badRequest("issuer_id", "issuer " + issuerId + " is disabled");
  std::string type = pluginType(record.value("type", std::string()));
  if (!host_.has(plugins::PluginKind::Issuer, type))
    throw domain::badRequest("issuer_id", "issuer " + issuerId + " has type " + type +
                                              " but no issuer plugin of that type is loaded");
  std::unique_lock lock(mutex_);
  auto it = cache_.find(issuerId);
  if (it != cache_.end()) return it->second.entry;
  // Made under the lock: a first use (e.g. a self-signed CA being created) happens once.
  std::shared_ptr<plugins::IssuerPlugin> plugin =
      host_.createIssuer(type, instanceConfig(issuerId, record.value("config", json::object())));
  Entry entry{std::move(plugin), std::move(record)};
  cache_[issuerId] = Cached{entry, nullptr};
  return entry;
}

void IssuerRegistry::invalidate(const std::string& issuerId) {
  std::unique_lock lock(mutex_);
  cache_.erase(issuerId);
}

json IssuerRegistry::test(const std::string& issuerId) {
  auto entry = get(issuerId);
  if (!entry.plugin->supports("test_connection"))
    return {{"ok", true}, {"message", "the plugin accepted the configuration"}};
  json result = entry.plugin->testConnection();
  if (!result.contains("ok")) result["ok"] = true;
  return result;
}

std::string IssuerRegistry::caChainPem(const std::string& issuerId) {
  auto entry = get(issuerId);
  {
    std::shared_lock lock(mutex_);
    auto it = cache_.find(issuerId);
    if (it != cache_.end() && it->second.chainPem) return *it->second.chainPem;
  }
  std::string chain;
  if (entry.plugin->supports("get_ca_chain"))
    chain = entry.plugin->getCaChain().value("chain_pem", std::string());
  std::unique_lock lock(mutex_);
  auto it = cache_.find(issuerId);
  if (it != cache_.end() && it->second.entry.plugin == entry.plugin)
    it->second.chainPem = std::make_shared<const std::string>(chain);
  return chain;
}

void IssuerRegistry::ensureDefaultLocalIssuer(const std::string& caCertPath,
                                              const std::string& caKeyPath) {
  if (resources_.repository().exists(issuerSpec(), kDefaultIssuerId)) return;
  if (!host_.has(plugins::PluginKind::Issuer, "GenericCA")) {
    spdlog::warn("no GenericCA (local CA) issuer plugin is loaded: {} not created",
                 kDefaultIssuerId);
    return;
  }
  json config = {{"ca_common_name", "CertCtl Local CA"}, {"validity_days", 90}};
  if (!caCertPath.empty()) {
    config["ca_cert_path"] = caCertPath;
    config["ca_key_path"] = caKeyPath;
  }
  resources_.create(issuerSpec(), {{"id", kDefaultIssuerId},
                                   {"name", "Local CA"},
                                   {"type", "GenericCA"},
                                   {"config", config},
                                   {"description", "Default local CA (created on first start)"}});
  spdlog::info("created the default local CA issuer {} ({} mode)", kDefaultIssuerId,
               caCertPath.empty() ? "self-signed" : "sub-CA");
}

void IssuerRegistry::ensureEnvironmentAcmeIssuer(const json& config) {
  if (!host_.has(plugins::PluginKind::Issuer, "ACME"))
    throw std::runtime_error(
        "CERTCTL_ACME_DIRECTORY_URL is set but no ACME issuer plugin is loaded");
  if (auto existing = resources_.repository().get(issuerSpec(), kEnvironmentAcmeIssuerId)) {
    if (existing->value("config", json::object()) == config) return;
    resources_.update(issuerSpec(), kEnvironmentAcmeIssuerId, {{"config", config}});
    spdlog::info("updated the ACME issuer {} from CERTCTL_ACME_* ({})", kEnvironmentAcmeIssuerId,
                 config.value("directory_url", std::string()));
    return;
  }
  resources_.create(issuerSpec(), {{"id", kEnvironmentAcmeIssuerId},
                                   {"name", "ACME"},
                                   {"type", "ACME"},
                                   {"config", config},
                                   {"description", "ACME issuer from CERTCTL_ACME_* settings"}});
  spdlog::info("created the ACME issuer {} from CERTCTL_ACME_* ({})", kEnvironmentAcmeIssuerId,
               config.value("directory_url", std::string()));
}

}  // namespace certctl::services
