#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "sdk/pki/openssl_ptr.h"

namespace certctl::protocols::acme {

// A client's public key from a JWK (RFC 7517/7518/8037): EC P-256 (ES256),
// EC P-384 (ES384), RSA of 2048-8192 bits (RS256) or OKP Ed25519 (EdDSA).
struct Jwk {
  nlohmann::json json;     // the members RFC 7638 names, nothing else
  std::string alg;         // the one JWS algorithm this key signs with
  std::string thumbprint;  // RFC 7638: base64url(SHA-256(canonical JSON))
  sdk::pki::EvpPkeyPtr key;
};

// Throws AcmeProblem badPublicKey (unsupported or weak key) or malformed.
Jwk parseJwk(const nlohmann::json& jwk);

// The canonical JSON of RFC 7638 §3 for the same key, as text.
std::string canonicalJwk(const Jwk& jwk);

// The JWS algorithms the server verifies.
const std::vector<std::string>& supportedAlgorithms();

// A flattened JSON serialization JWS (RFC 7515 §7.2.2) as ACME uses it
// (RFC 8555 §6.2): protected header with alg, url, nonce and exactly one
// of jwk/kid; no unprotected header; one signature.
struct Jws {
  nlohmann::json header;  // the decoded protected header
  std::string alg;
  std::string url;
  std::optional<std::string> nonce;
  std::optional<Jwk> jwk;
  std::optional<std::string> kid;
  std::string payload;  // decoded bytes; empty for POST-as-GET
  std::string signingInput;
  std::string signature;  // decoded bytes

  bool postAsGet() const { return payload.empty(); }
  // The payload as a JSON object; throws malformed if it is not one.
  nlohmann::json payloadObject() const;
};

// Parses `body` (a JSON text or object). Throws AcmeProblem: malformed for
// anything not shaped as above, badSignatureAlgorithm for an algorithm not
// in supportedAlgorithms() (incl. "none" and the HMAC ones).
Jws parseJwsText(std::string_view body);
Jws parseJws(const nlohmann::json& body);

// Verifies the signature with `key`; throws badSignatureAlgorithm when the
// header's alg is not the key's, malformed when the signature is wrong.
void verifyJws(const Jws& jws, const Jwk& key);

// Whether two JWKs are the same key (same thumbprint).
bool sameKey(const Jwk& a, const Jwk& b);

}  // namespace certctl::protocols::acme
