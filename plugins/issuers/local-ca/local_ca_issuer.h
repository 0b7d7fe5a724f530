#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ca_material.h"
#include "config.h"
#include "ocsp_responder.h"
#include "sdk/plugin/issuer.h"

namespace certctl::local_ca {

// The "GenericCA" issuer: one instance per configured issuer (docs/local-ca.md).
// Everything it holds is immutable after construction except the OCSP
// responder, which rotates itself; every operation may run on many threads.
class LocalCaIssuer final : public sdk::Issuer {
 public:
  explicit LocalCaIssuer(const nlohmann::json& config);

  // validate_config: the config's fields and, in sub-CA mode, the CA files.
  // Returns {} or {"warnings": [...]}.
  static nlohmann::json validateConfig(const nlohmann::json& config);

  nlohmann::json issue(const nlohmann::json& request) override;
  // The core keeps the revocation list and hands it to generate_crl and
  // sign_ocsp; there is nothing to record here.
  nlohmann::json revoke(const nlohmann::json& request) override;
  nlohmann::json generateCrl(const nlohmann::json& request) override;
  nlohmann::json generateCrlCompact(const nlohmann::json& request) override;
  nlohmann::json signOcsp(const nlohmann::json& request) override;
  nlohmann::json getCaChain(const nlohmann::json& request) override;
  nlohmann::json testConnection(const nlohmann::json& request) override;

 private:
  const LocalCaConfig config_;
  const CaMaterial ca_;
  const std::string chainPem_;
  OcspResponder ocsp_;  // after ca_: it borrows it
};

}  // namespace certctl::local_ca
