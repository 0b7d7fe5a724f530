#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace certctl::services {

// Certificate profiles (seed 001 "Profile Model") as issuance constraints.
// Pure functions over the stored profile record (core/domain/resources.cpp,
// "profiles"): no I/O, so every rule is table-tested in
// tests/unit/services/profile_enforcement_test.cpp.

// The public key of a request, as sdk::pki::Csr reports it.
struct KeyFacts {
  std::string algorithm;  // "RSA", "ECDSA", "Ed25519", or OpenSSL's name for others
  int bits = 0;           // modulus bits (RSA), field bits (EC), 256 (Ed25519)
  std::string curve;      // "P-256", "P-384", "P-521", other EC group names; "" when not EC
};

// What a profile decides for one request.
struct ProfileDecision {
  std::vector<std::string> violations;     // human-readable reasons; empty = allowed
  std::optional<long long> maxTtlSeconds;  // lifetime cap for the issuer (max_ttl_seconds)
  std::vector<std::string> ekus;           // passed to the issuer as "ekus"
  bool allowed() const { return violations.empty(); }
  // "; "-joined violations.
  std::string reason() const;
};

// One entry of allowed_key_algorithms after normalisation. The stored form
// is either a list of names (["ECDSA", "RSA"], "RSA-3072", "ECDSA-P384") or
// of objects ([{"algorithm": "RSA", "min_size": 3072}]); see docs/lifecycle.md.
struct AllowedKeyAlgorithm {
  std::string algorithm;  // "RSA", "ECDSA", "Ed25519"
  int minSize = 0;        // 0 = the built-in minimum
};

// Parses allowed_key_algorithms; throws domain::ApiError(BadRequest) naming
// the field for an entry it does not understand. null/absent = empty list.
std::vector<AllowedKeyAlgorithm> parseAllowedKeyAlgorithms(const nlohmann::json& value);

// The smaller of max_ttl_hours and max_ttl_seconds, when either is a positive number.
std::optional<long long> profileMaxTtlSeconds(const nlohmann::json& profile);

// Checks the key and the names about to be issued against `profile`
// (nullptr: no profile, only the built-in key minimums apply):
//  * key algorithm and size: RSA >= 2048, ECDSA on P-256/P-384/P-521, plus
//    the profile's allowed_key_algorithms (algorithm listed, size >= min_size);
//  * required_sans: each entry ("api.example.com" or "*.example.com") is
//    matched by at least one of `names`;
//  * a disabled profile refuses everything.
// The decision also carries the profile's EKUs and lifetime cap.
ProfileDecision enforceProfile(const nlohmann::json* profile, const KeyFacts& key,
                               const std::vector<std::string>& names);

// The key the server makes in CERTCTL_KEYGEN_MODE=server: ECDSA P-256
// unless the profile's allowed_key_algorithms rule it out, then P-384, RSA
// (at the profile's minimum size, at least 2048) or Ed25519, in that order.
struct ServerKeyChoice {
  std::string algorithm;  // "ECDSA", "RSA", "Ed25519"
  int bits = 256;
};
ServerKeyChoice serverKeyFor(const nlohmann::json* profile);

// Validator for profile create/update: allowed_key_algorithms must parse and
// the TTLs must be positive. Throws domain::ApiError(BadRequest).
void validateProfileFields(const nlohmann::json& values);

// True when `name` matches `pattern`: equal (case-insensitive), or pattern
// "*.example.com" and name a subdomain of example.com at any depth
// (including a wildcard name "*.example.com" itself).
bool domainMatches(const std::string& pattern, const std::string& name);

}  // namespace certctl::services
