#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/config/est_profile_config.h"
#include "core/http/router.h"
#include "core/protocols/est/est_profile.h"
#include "core/protocols/est/sliding_window_limiter.h"
#include "core/services/audit_log.h"
#include "core/services/issuance.h"
#include "core/services/issuer_registry.h"
#include "core/services/resource_service.h"
#include "core/services/revocation_store.h"

namespace certctl::protocols::est {

struct EstDependencies {
  services::IssuerRegistry& issuers;
  services::IssuanceService& issuance;
  services::ResourceService& resources;
  services::AuditLog* audit = nullptr;
  // Refuses client certificates the profile's issuer has revoked (null: no check).
  services::RevocationStore* revocations = nullptr;
};

// The EST (RFC 7030) server of docs/est.md: every configured profile's
// endpoint groups, the shared per-source-IP Basic-auth lockout, and the
// trust-anchor reload used by the admin API and SIGHUP.
class EstServer {
 public:
  // Builds every profile (loading mTLS trust bundles); throws with the
  // offending profile named when one is unusable, so the server refuses to start.
  EstServer(const std::vector<config::EstProfileConfig>& profiles, EstDependencies deps);
  ~EstServer();

  // The /.well-known/est[-mtls]/ routes (no API key: EST authenticates in-protocol).
  void registerRoutes(http::Router& router);
  // True when some profile verifies client certificates: the TLS listener
  // must then ask for one.
  bool needsClientCertificates() const;

  // Reloads the trust bundle of `pathId` ("*" = every mTLS profile):
  // [{"path_id", "reloaded", "error"?}]. A failed reload keeps the old pool.
  nlohmann::json reloadTrust(const std::string& pathId, const http::Request& cause);
  // GET /api/v1/admin/est/profiles: settings without secrets, trust anchors.
  nlohmann::json profilesJson() const;
  // Throws domain::ApiError(NotFound) for a path id no profile has.
  void requireProfile(const std::string& pathId) const;

  enum class Operation { SimpleEnroll, SimpleReenroll, ServerKeygen };

 private:
  http::Response cacerts(const EstProfile& profile);
  http::Response csrattrs(const EstProfile& profile);
  http::Response enroll(EstProfile& profile, Operation operation, bool mtlsRoute,
                        http::Request& request);

  EstDependencies deps_;
  std::vector<std::unique_ptr<EstProfile>> profiles_;
  SlidingWindowLimiter basicFailures_;  // per source IP: 10 failures an hour lock it out
};

}  // namespace certctl::protocols::est
