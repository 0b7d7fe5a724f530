#pragma once

#include <memory>

#include "core/config/est_profile_config.h"
#include "core/protocols/client_trust_anchor.h"
#include "core/protocols/est/sliding_window_limiter.h"
#include "core/protocols/est_basic_auth.h"

namespace certctl::protocols::est {

// One EST profile as served: its settings, its HTTP Basic secret, its own
// client-CA trust anchors (never shared with another profile, so a
// certificate from another profile's CA is refused) and its own
// per-(CN, source IP) enrollment limiter.
class EstProfile {
 public:
  // Loads the trust bundle when mTLS is enabled; throws when it is unusable.
  explicit EstProfile(config::EstProfileConfig settings);

  const config::EstProfileConfig& settings() const { return settings_; }
  const std::string& pathId() const { return settings_.pathId; }
  const EstBasicAuth& basicAuth() const { return basicAuth_; }
  ClientTrustAnchor* trustAnchor() const { return trustAnchor_.get(); }  // null without mTLS
  SlidingWindowLimiter* principalLimiter() const { return principalLimiter_.get(); }  // null = off
  // "/.well-known/est/<pathId>/" or "/.well-known/est/" for the legacy profile.
  std::string basicPrefix() const;
  // "/.well-known/est-mtls/<pathId>/".
  std::string mtlsPrefix() const;

 private:
  config::EstProfileConfig settings_;
  EstBasicAuth basicAuth_;
  std::unique_ptr<ClientTrustAnchor> trustAnchor_;
  std::unique_ptr<SlidingWindowLimiter> principalLimiter_;
};

}  // namespace certctl::protocols::est
