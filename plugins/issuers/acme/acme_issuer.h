#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "acme_client.h"
#include "challenges.h"
#include "config.h"
#include "jws.h"
#include "sdk/net/https_client.h"
#include "sdk/plugin/issuer.h"

namespace certctl::acme {

// The "ACME" issuer (docs/acme-issuer.md): one account key per issuer,
// one order per issue/renew. Exported single-threaded: the host serialises
// calls, so the client's nonce and the http-01 port need no locking.
class AcmeIssuer final : public sdk::Issuer {
 public:
  explicit AcmeIssuer(const nlohmann::json& config);
  // `hooks` runs the dns-01 Lua hooks (tests pass a fake).
  AcmeIssuer(const nlohmann::json& config, HookRunner hooks);

  static nlohmann::json validateConfig(const nlohmann::json& config);

  nlohmann::json issue(const nlohmann::json& request) override;
  // revokeCert signed by the account key, for a certificate this issuer
  // issued (kept under its state dir) or that the host stores.
  nlohmann::json revoke(const nlohmann::json& request) override;
  nlohmann::json testConnection(const nlohmann::json& request) override;

 private:
  std::string certificateFor(const std::string& serial, const nlohmann::json& request);

  const AcmeConfig config_;
  const HookRunner hooks_;
  const sdk::net::HttpsClient http_;
  const AccountKey key_;
  AcmeClient client_;
};

}  // namespace certctl::acme
