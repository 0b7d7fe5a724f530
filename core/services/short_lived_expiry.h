#pragma once

#include "core/services/audit_log.h"
#include "core/services/job_store.h"

namespace certctl::services {

// The short-lived expiry loop of seed 001: certificates of profiles with a
// lifetime under an hour get no CRL or OCSP entries, so expiry is their
// revocation signal; past not_after they are marked Expired and audited.
class ShortLivedExpiry {
 public:
  ShortLivedExpiry(JobStore& jobs, AuditLog& audit);

  // Returns how many certificates became Expired.
  int run();

 private:
  JobStore& jobs_;
  AuditLog& audit_;
};

}  // namespace certctl::services
