#include "core/scheduler/job_scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace certctl::scheduler {

JobScheduler::JobScheduler(JobSchedulerIntervals intervals, Tasks tasks) : tasks_(tasks) {
  add("job_processor", intervals.jobProcessor,
      [this] { return tasks_.dispatcher.dispatch(false); });
  add("job_retry", intervals.retry, [this] { return tasks_.dispatcher.dispatch(true); });
  // The first renewal check waits (one interval, at most a minute): a server
  // just started, or started on demo data, is not rewritten in its first seconds.
  addSingleton(
      "renewal_check", intervals.renewalCheck, [this] { return tasks_.renewals.run(); },
      std::min<std::chrono::milliseconds>(intervals.renewalCheck, std::chrono::minutes(1)));
  addSingleton("job_timeout", intervals.jobTimeoutCheck, [this] {
    return tasks_.dispatcher.requeueOrphans() + tasks_.dispatcher.reapOverdue();
  });
  addSingleton("agent_health", intervals.agentHealth, [this] { return tasks_.agentHealth.run(); });
  addSingleton("short_lived_expiry", intervals.shortLivedExpiry,
               [this] { return tasks_.shortLived.run(); });
}

JobScheduler::~JobScheduler() { stop(); }

void JobScheduler::add(const char* name, std::chrono::milliseconds interval,
                       std::function<int()> task, std::chrono::milliseconds initialDelay) {
  loops_.push_back(std::make_unique<PeriodicLoop>(
      PeriodicLoop::Options{name, interval, initialDelay}, [name, task = std::move(task)] {
        int done = task();
        if (done > 0) spdlog::debug("{}: {} handled", name, done);
      }));
}

void JobScheduler::addSingleton(const char* name, std::chrono::milliseconds interval,
                                std::function<int()> task, std::chrono::milliseconds initialDelay) {
  add(
      name, interval,
      [this, name, task = std::move(task)] {
        int done = 0;
        if (!tasks_.store.runExclusive(name, [&] { done = task(); }))
          spdlog::debug("{}: skipped, another server holds its lock", name);
        return done;
      },
      initialDelay);
}

void JobScheduler::start() {
  tasks_.dispatcher.requeueOrphans();
  for (auto& loop : loops_) loop->start();
}

void JobScheduler::stop() {
  for (auto& loop : loops_) loop->stop();
}

}  // namespace certctl::scheduler
