#pragma once

#include <chrono>
#include <string>

#include "core/services/issuance.h"
#include "core/services/job_store.h"
#include "core/services/lifecycle_store.h"

namespace certctl::services {

// The job side of the scheduler: picks up due Pending issuance/renewal jobs
// (fresh ones for the job processor, retries for the retry loop), gives
// the Running jobs of dead processes back, and fails jobs that stopped
// making progress.
class JobDispatcher {
 public:
  JobDispatcher(JobStore& jobs, LifecycleStore& lifecycle, IssuanceService& issuance,
                std::chrono::milliseconds jobTimeout);

  // Claims and runs due jobs in batches until none is left; returns how
  // many were handled. Server keygen claims (Running); agent keygen moves
  // them to AwaitingCSR.
  int dispatch(bool retries);

  // Running jobs of processes that are gone go back to Pending (start-up,
  // and every reaper run for the replicas that died meanwhile).
  int requeueOrphans();

  // Running and AwaitingCSR jobs not updated for the job timeout become
  // Failed (their certificate too, for issuance/renewal); returns how many.
  int reapOverdue();

 private:
  JobStore& jobs_;
  LifecycleStore& lifecycle_;
  IssuanceService& issuance_;
  std::chrono::milliseconds jobTimeout_;
};

}  // namespace certctl::services
