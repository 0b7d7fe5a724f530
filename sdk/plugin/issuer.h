#pragma once

#include <nlohmann/json.hpp>

#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk {

// Base class of an issuer plugin (plugin-api/certctl/issuer_v1.h describes
// the request and result documents). One object per configured issuer:
// the derived class takes its config in an `explicit T(const nlohmann::json&
// config)` constructor (throw PluginError::invalidConfig for a bad one) and
// is exported with CERTCTL_EXPORT_ISSUER(T, "Type", "1.0.0", schemaJson).
//
// Optionally, the derived class may declare
//   static void validateConfig(const nlohmann::json& config);   // or returning json
//   static void moduleInit();  static void moduleTeardown();
// Without validateConfig, validation constructs and drops an instance.
//
// Overriding an optional operation (public, same signature) makes the plugin
// advertise it; one not overridden is a NULL slot, i.e. "not supported".
// Methods may be called from several threads at once unless the plugin is
// exported with CERTCTL_PLUGIN_SINGLE_THREADED.
class Issuer {
 public:
  virtual ~Issuer() = default;

  virtual nlohmann::json issue(const nlohmann::json& request) = 0;
  // By default a renewal is a fresh issuance of the same request.
  virtual nlohmann::json renew(const nlohmann::json& request) { return issue(request); }
  virtual nlohmann::json revoke(const nlohmann::json&) {
    throw PluginError::unsupported("this issuer does not revoke certificates");
  }

  // Optional operations.
  virtual nlohmann::json getOrderStatus(const nlohmann::json&) { throw unsupported(); }
  virtual nlohmann::json generateCrl(const nlohmann::json&) { throw unsupported(); }
  virtual nlohmann::json signOcsp(const nlohmann::json&) { throw unsupported(); }
  virtual nlohmann::json getCaChain(const nlohmann::json&) { throw unsupported(); }
  virtual nlohmann::json testConnection(const nlohmann::json&) { throw unsupported(); }
  // ABI 1.1: generate_crl with the revocation list as one string,
  // request["revoked_tsv"] (walk it with forEachRevokedEntry, revoked_tsv.h),
  // for CRLs of a million entries. Overriding it is worth it only when the
  // CA builds large CRLs; the host falls back to generateCrl otherwise.
  virtual nlohmann::json generateCrlCompact(const nlohmann::json&) { throw unsupported(); }

 private:
  static PluginError unsupported() {
    return PluginError::unsupported("operation not supported by this issuer");
  }
};

}  // namespace certctl::sdk

CERTCTL_SDK_END_HIDDEN
