#include "core/services/renewal_check.h"

#include <spdlog/spdlog.h>

#include "core/domain/timestamps.h"

namespace certctl::services {

namespace {

constexpr int kMaxPerRun = 5000;
constexpr std::chrono::seconds kDay{86400};

}  // namespace

RenewalCheck::RenewalCheck(JobStore& jobs, CertificateLifecycle& lifecycle)
    : jobs_(jobs), lifecycle_(lifecycle) {}

int RenewalCheck::run() {
  const auto now = domain::nowSeconds();
  // Candidates within the widest window; each is then held to its own policy's.
  const auto horizon = domain::formatRfc3339(now + kDay * jobs_.widestRenewalWindowDays());
  int created = 0;
  for (const auto& candidate :
       jobs_.renewalCandidates(horizon, domain::formatRfc3339(now), kMaxPerRun)) {
    auto expires = domain::parseRfc3339(candidate.expiresAt);
    auto ariTime = domain::parseRfc3339(candidate.ariRenewAt);
    bool windowReached = expires && *expires - kDay * candidate.windowDays <= now;
    bool ariReached = ariTime && *ariTime <= now;
    if (!windowReached && !ariReached) continue;
    std::string reason =
        windowReached ? "renewal window reached: expires " + candidate.expiresAt + ", window " +
                            std::to_string(candidate.windowDays) + " days"
                      : "the CA's renewal information (ARI) says renew at " + candidate.ariRenewAt;
    try {
      auto job = lifecycle_.scheduleRenewal(candidate.certificateId, candidate.expiresAt,
                                            !candidate.autoRenew, reason);
      if (!job) continue;
      ++created;
      spdlog::info("renewal_check: job {} renews {} ({}){}", (*job)["id"].get<std::string>(),
                   candidate.certificateId, reason,
                   candidate.autoRenew ? "" : ", awaiting approval");
    } catch (const std::exception& e) {
      // One certificate's problem must not stop the others' renewals.
      spdlog::error("renewal_check: cannot schedule the renewal of {}: {}", candidate.certificateId,
                    e.what());
    }
  }
  return created;
}

}  // namespace certctl::services
