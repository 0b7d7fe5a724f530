#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>

#include "core/services/resource_service.h"

namespace certctl::plugins {
class PluginHost;
class IssuerPlugin;
}  // namespace certctl::plugins

namespace certctl::services {

// What the host adds to every issuer's config under "host" when it makes an
// instance (plugin-api/certctl/issuer_v1.h): where the issuer may keep files
// and the URLs relying parties use to reach our CRL and OCSP endpoints.
struct IssuerHostSettings {
  std::filesystem::path dataDir;  // <data>/issuers/<id> per issuer
  std::string publicUrl;          // "https://host:port", no trailing '/'
  std::chrono::seconds ocspRotationGrace{7 * 24 * 3600};
};

// The configured issuers as live plugin instances. An instance is made from
// the stored record on first use and dropped when the record changes, so an
// update takes effect on the next call. Issuer create/update are validated by
// the plugin of the issuer's type before anything is written. Thread-safe.
class IssuerRegistry {
 public:
  IssuerRegistry(plugins::PluginHost& host, ResourceService& resources,
                 IssuerHostSettings settings);
  ~IssuerRegistry();

  // Plugin validation on issuer create/update, instance invalidation on change.
  void attach();

  struct Entry {
    std::shared_ptr<plugins::IssuerPlugin> plugin;
    nlohmann::json record;  // the stored issuer row the instance was made from
  };
  // The instance of an enabled issuer. NotFound for an unknown id; BadRequest
  // for a disabled issuer or one whose type has no loaded plugin;
  // PluginCallError when the plugin refuses its config.
  Entry get(const std::string& issuerId);

  // POST /issuers/{id}/test: the plugin's test_connection (or, when it has
  // none, proof that an instance could be made).
  nlohmann::json test(const std::string& issuerId);

  // The CA chain of an issuer (PEM), cached with its instance; "" when the
  // plugin does not publish one.
  std::string caChainPem(const std::string& issuerId);

  // First start: creates the default local CA issuer `iss-local` (the default
  // binding of EST/SCEP) when it does not exist. Sub-CA mode when both paths
  // are set (CERTCTL_CA_CERT_PATH / _KEY_PATH).
  void ensureDefaultLocalIssuer(const std::string& caCertPath, const std::string& caKeyPath);
  // CERTCTL_ACME_*: creates the ACME issuer `iss-acme` with `config`, or
  // brings an existing one's config in line with it (the environment is its
  // source of truth). The plugin validates the config: an invalid one throws
  // the plugin's message.
  void ensureEnvironmentAcmeIssuer(const nlohmann::json& config);

  // The plugin type for a stored type name: "local-ca" is our alias of the
  // original product's "GenericCA", "script" of its "OpenSSL" (custom CA).
  static std::string pluginType(const std::string& storedType);

  static constexpr const char* kDefaultIssuerId = "iss-local";
  static constexpr const char* kEnvironmentAcmeIssuerId = "iss-acme";

 private:
  nlohmann::json instanceConfig(const std::string& issuerId, const nlohmann::json& config) const;
  void validate(const nlohmann::json& values, const nlohmann::json* current) const;
  void invalidate(const std::string& issuerId);

  struct Cached {
    Entry entry;
    std::shared_ptr<const std::string> chainPem;  // set on first caChainPem()
  };

  plugins::PluginHost& host_;
  ResourceService& resources_;
  IssuerHostSettings settings_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Cached> cache_;
};

}  // namespace certctl::services
