#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config.h"
#include "jws.h"
#include "sdk/net/https_client.h"

namespace certctl::acme {

struct AcmeResponse {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
  std::string raw;
  std::string location;
  std::string retryAfter;  // the Retry-After header, as sent
};

// The protocol of RFC 8555 over one account key: the directory, nonces,
// JWS-signed POSTs (badNonce retried up to 5 times) and the account. ACME
// problem documents become sdk::PluginError with a status that tells the
// host whether to retry. Not thread-safe (the plugin is single-threaded).
class AcmeClient {
 public:
  AcmeClient(const sdk::net::HttpsClient& http, std::string directoryUrl, const AccountKey& key);

  // The directory (fetched once).
  const nlohmann::json& directory();
  // A directory resource URL ("newOrder", "revokeCert", "renewalInfo", ...);
  // "" when the CA does not offer it.
  std::string resource(const std::string& name);

  // newAccount (agreeing to the terms, with the contact and EAB when given);
  // the account URL, remembered as the "kid" of later requests.
  const std::string& ensureAccount(const std::string& email,
                                   const std::optional<EabCredentials>& eab);
  const std::string& accountUrl() const { return accountUrl_; }
  const AccountKey& key() const { return key_; }

  // A POST signed with the account ("kid"); a null payload is POST-as-GET.
  // Throws PluginError for a problem document or a transport failure.
  AcmeResponse post(const std::string& url, const nlohmann::json& payload,
                    const std::string& accept = {});
  // An unsigned GET (renewalInfo); any status is returned.
  AcmeResponse get(const std::string& url);

 private:
  AcmeResponse send(const std::string& url, const nlohmann::json& payload, bool withJwk,
                    const std::string& accept);
  std::string takeNonce();

  const sdk::net::HttpsClient& http_;
  const std::string directoryUrl_;
  const AccountKey& key_;
  nlohmann::json directory_;
  std::string nonce_;
  std::string accountUrl_;
};

// "urn:ietf:params:acme:error:badNonce" -> "badNonce"; "" when not an ACME problem.
std::string problemType(const nlohmann::json& body);

}  // namespace certctl::acme
