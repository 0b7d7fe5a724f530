#include "core/services/job_dispatcher.h"

#include <spdlog/spdlog.h>

#include "core/domain/timestamps.h"

namespace certctl::services {

namespace {

// Small batches: a replica takes only what it can start now, the rest stays
// claimable by the others.
constexpr int kBatch = 8;
// One pass handles at most this many, so a flood cannot starve the loop's stop().
constexpr int kMaxPerRun = 1000;

std::string durationText(std::chrono::milliseconds d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return s % 60 == 0 ? std::to_string(s / 60) + " min" : std::to_string(s) + " s";
}

}  // namespace

JobDispatcher::JobDispatcher(JobStore& jobs, LifecycleStore& lifecycle, IssuanceService& issuance,
                             std::chrono::milliseconds jobTimeout)
    : jobs_(jobs), lifecycle_(lifecycle), issuance_(issuance), jobTimeout_(jobTimeout) {}

int JobDispatcher::dispatch(bool retries) {
  const bool serverKeys = issuance_.settings().keygenMode == "server";
  int handled = 0;
  while (handled < kMaxPerRun) {
    auto ids = serverKeys ? jobs_.claimDueJobs(issuance_.settings().instanceId, retries, kBatch)
                          : jobs_.dueJobs(retries, kBatch);
    for (const auto& id : ids) {
      if (serverKeys)
        issuance_.runClaimed(id);
      else
        issuance_.runJob(id);
    }
    handled += static_cast<int>(ids.size());
    if (ids.size() < static_cast<size_t>(kBatch)) break;
  }
  return handled;
}

int JobDispatcher::requeueOrphans() {
  int requeued = jobs_.requeueOrphanedJobs(issuance_.settings().instanceId);
  if (requeued > 0)
    spdlog::info("job_processor: {} jobs of a stopped server are pending again", requeued);
  return requeued;
}

int JobDispatcher::reapOverdue() {
  auto cutoff = domain::formatRfc3339(
      domain::nowSeconds() - std::chrono::duration_cast<std::chrono::seconds>(jobTimeout_));
  int reaped = 0;
  for (const auto& job : jobs_.overdueJobs({"Running", "AwaitingCSR"}, cutoff)) {
    bool issuance = job.type == "Issuance" || job.type == "Renewal";
    std::string reason =
        "timed out: no progress for " + durationText(jobTimeout_) + " while " + job.status;
    lifecycle_.failJob(job.id, reason, issuance ? job.certificateId : std::string(),
                       issuance ? "Failed" : "");
    spdlog::warn("job_timeout: job {} ({} of {}) {}", job.id, job.type, job.certificateId, reason);
    ++reaped;
  }
  return reaped;
}

}  // namespace certctl::services
