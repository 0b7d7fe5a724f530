#pragma once

#include "core/services/certificate_lifecycle.h"
#include "core/services/job_store.h"

namespace certctl::services {

// The renewal checker of seed 001: every certificate that is inside its
// renewal policy's window (renewal_window_days before expires_at, 30 days
// without a policy) and has no issuance/renewal in flight gets a Renewal
// job; AwaitingApproval when the policy's auto_renew is false. The partial
// unique index of migration 0003 keeps it at one job per certificate even
// when two replicas check at once.
class RenewalCheck {
 public:
  RenewalCheck(JobStore& jobs, CertificateLifecycle& lifecycle);

  // Returns how many renewal jobs were created.
  int run();

 private:
  JobStore& jobs_;
  CertificateLifecycle& lifecycle_;
};

}  // namespace certctl::services
