#pragma once

#include <string>

namespace certctl::protocols::acme {

// One RFC 8555 §8 / RFC 8737 challenge to check for an authorization in the
// `challenge` auth mode: the server proves the client controls `identifier`.
struct ChallengeCheck {
  std::string type;              // "http-01", "dns-01" or "tls-alpn-01"
  std::string identifierType;    // "dns" or "ip"
  std::string identifier;        // e.g. "x.example.com" (no "*." prefix)
  std::string token;             // the challenge token (base64url)
  std::string keyAuthorization;  // token + "." + base64url(JWK thumbprint)
};

// The result: on failure an RFC 8555 §6.7 error type (the part after
// "urn:ietf:params:acme:error:", e.g. "connection", "dns",
// "incorrectResponse", "unauthorized", "tls") and a detail for the client.
struct ChallengeOutcome {
  bool valid = false;
  std::string errorType;
  std::string detail;
};

// Talks to the client's side (HTTP on port 80, DNS TXT records, TLS with
// ALPN "acme-tls/1"). Blocking and bounded by its own timeouts; safe to call
// from several threads at once.
class ChallengeValidator {
 public:
  virtual ~ChallengeValidator() = default;
  virtual ChallengeOutcome validate(const ChallengeCheck& check) = 0;
};

}  // namespace certctl::protocols::acme
