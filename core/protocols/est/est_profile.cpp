#include "core/protocols/est/est_profile.h"

#include <stdexcept>

namespace certctl::protocols::est {

EstProfile::EstProfile(config::EstProfileConfig settings)
    : settings_(std::move(settings)), basicAuth_(settings_.enrollmentPassword) {
  if (settings_.mtlsEnabled) {
    try {
      trustAnchor_ = std::make_unique<ClientTrustAnchor>(settings_.mtlsClientCaTrustBundlePath);
    } catch (const std::exception& e) {
      throw std::runtime_error("EST profile " + settings_.pathId + ": CERTCTL_EST_PROFILE_" +
                               settings_.name + "_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH: " + e.what());
    }
  }
  if (settings_.rateLimitPerPrincipal24h > 0)
    principalLimiter_ = std::make_unique<SlidingWindowLimiter>(
        static_cast<std::size_t>(settings_.rateLimitPerPrincipal24h), std::chrono::hours(24));
}

std::string EstProfile::basicPrefix() const {
  return settings_.pathId.empty() ? "/.well-known/est/"
                                  : "/.well-known/est/" + settings_.pathId + "/";
}

std::string EstProfile::mtlsPrefix() const {
  return "/.well-known/est-mtls/" + settings_.pathId + "/";
}

}  // namespace certctl::protocols::est
