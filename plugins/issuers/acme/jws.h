#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "config.h"
#include "sdk/pki/private_key.h"

namespace certctl::acme {

// The ACME account key: ECDSA P-256, signing ES256 (RFC 7518 section 3.4).
class AccountKey {
 public:
  // Throws sdk::PluginError(Internal) for a key that is not P-256.
  explicit AccountKey(sdk::pki::PrivateKey key);

  // The public JWK {"crv", "kty", "x", "y"} (RFC 7518 section 6.2.1).
  const nlohmann::json& jwk() const { return jwk_; }
  // base64url(SHA-256(canonical JWK)) (RFC 7638): the key-authorization suffix.
  const std::string& thumbprint() const { return thumbprint_; }
  // The raw r||s signature (64 bytes) of SHA-256(data).
  std::string signEs256(std::string_view data) const;
  const sdk::pki::PrivateKey& key() const { return key_; }

 private:
  sdk::pki::PrivateKey key_;
  nlohmann::json jwk_;
  std::string thumbprint_;
};

// <dir>/account_key.pem, created (0600, under the directory lock) when
// missing. An empty `dir` gives a key that lives as long as the instance.
AccountKey loadOrCreateAccountKey(const std::filesystem::path& dir);

// A flattened JWS (RFC 7515 section 7.2.2) signed by the account key:
// `header` gets "alg": "ES256"; the caller sets "nonce", "url" and "jwk" or
// "kid". A null payload signs the empty string (POST-as-GET).
nlohmann::json signJws(const AccountKey& key, nlohmann::json header, const nlohmann::json& payload);

// The externalAccountBinding of newAccount (RFC 8555 section 7.3.4): the
// account JWK as payload, HS256 with the CA's MAC key.
nlohmann::json externalAccountBinding(const EabCredentials& eab, const nlohmann::json& jwk,
                                      const std::string& newAccountUrl);

// token "." thumbprint (RFC 8555 section 8.1).
std::string keyAuthorization(const std::string& token, const AccountKey& key);
// The TXT record value of dns-01: base64url(SHA-256(key authorization)).
std::string dns01TxtValue(const std::string& keyAuthorization);

}  // namespace certctl::acme
