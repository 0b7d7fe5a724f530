#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/protocols/acme/challenge_validator.h"
#include "core/protocols/acme/dns_lookup.h"

namespace certctl::protocols::acme {

struct ChallengeValidationSettings {
  std::optional<DnsServer> dnsServer;        // empty: /etc/resolv.conf
  int http01Port = 80;                       // RFC 8555 §8.3
  int tlsAlpn01Port = 443;                   // RFC 8737 §3
  std::chrono::milliseconds timeout{10000};  // per connection / lookup
  // Loopback targets are refused unless allowed (tests, a one-host lab):
  // validation must not become a way to reach the server's own services.
  bool allowLoopback = false;
};

// The real validator: resolves the identifier, then checks http-01 (HTTP
// GET of the key authorization), dns-01 (TXT at _acme-challenge) or
// tls-alpn-01 (a TLS handshake with ALPN "acme-tls/1" whose certificate
// carries the key authorization's digest).
class NetworkChallengeValidator : public ChallengeValidator {
 public:
  explicit NetworkChallengeValidator(ChallengeValidationSettings settings);
  ChallengeOutcome validate(const ChallengeCheck& check) override;

 private:
  ChallengeOutcome checkHttp01(const ChallengeCheck& check);
  ChallengeOutcome checkDns01(const ChallengeCheck& check);
  ChallengeOutcome checkTlsAlpn01(const ChallengeCheck& check);
  // The addresses to connect to for the identifier, unusable ones removed.
  std::vector<std::string> targetAddresses(const ChallengeCheck& check);

  ChallengeValidationSettings settings_;
  DnsLookup dns_;
};

// Why `address` (IPv4/IPv6 text) may not be the target of a validation
// connection; empty when it may.
std::string refusedTargetReason(const std::string& address, bool allowLoopback);

}  // namespace certctl::protocols::acme
