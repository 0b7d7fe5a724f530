#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "core/scheduler/periodic_loop.h"
#include "core/services/agent_health.h"
#include "core/services/job_dispatcher.h"
#include "core/services/job_store.h"
#include "core/services/renewal_check.h"
#include "core/services/short_lived_expiry.h"

namespace certctl::scheduler {

struct JobSchedulerIntervals {
  std::chrono::milliseconds renewalCheck{std::chrono::hours(1)};     // ..._RENEWAL_CHECK_INTERVAL
  std::chrono::milliseconds jobProcessor{std::chrono::seconds(30)};  // ..._JOB_PROCESSOR_INTERVAL
  std::chrono::milliseconds retry{std::chrono::minutes(5)};          // ..._RETRY_INTERVAL
  std::chrono::milliseconds agentHealth{
      std::chrono::minutes(2)};  // ..._AGENT_HEALTH_CHECK_INTERVAL
  std::chrono::milliseconds jobTimeoutCheck{std::chrono::minutes(1)};  // a fraction of the timeout
  std::chrono::milliseconds shortLivedExpiry{std::chrono::seconds(30)};
};

// The job and certificate loops of DESIGN §7 on PeriodicLoop (overlap
// guard, one structured log line per failed run): job processor and retry
// run on every replica (claims are row-level); renewal check, job timeout,
// agent health and short-lived expiry are singletons that run only where
// the cluster-wide lock of their name is free (PostgreSQL advisory lock;
// SQLite: always).
class JobScheduler {
 public:
  struct Tasks {
    services::JobStore& store;
    services::JobDispatcher& dispatcher;
    services::RenewalCheck& renewals;
    services::AgentHealth& agentHealth;
    services::ShortLivedExpiry& shortLived;
  };

  JobScheduler(JobSchedulerIntervals intervals, Tasks tasks);
  ~JobScheduler();

  // Gives back the jobs of dead processes, then starts every loop (each
  // runs once at once).
  void start();
  void stop();

 private:
  // A loop whose task runs only under the cluster-wide lock `name`.
  void addSingleton(const char* name, std::chrono::milliseconds interval, std::function<int()> task,
                    std::chrono::milliseconds initialDelay = std::chrono::milliseconds(0));
  void add(const char* name, std::chrono::milliseconds interval, std::function<int()> task,
           std::chrono::milliseconds initialDelay = std::chrono::milliseconds(0));

  Tasks tasks_;
  std::vector<std::unique_ptr<PeriodicLoop>> loops_;
};

}  // namespace certctl::scheduler
