#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace certctl::scheduler {

// One background loop of DESIGN §7: runs a task every `interval` on its own
// thread. Runs never overlap (a run that outlasts the interval makes the next
// tick wait, it is not stacked), a failing run is logged as one structured
// line and the loop carries on, and stop() returns once the current run has
// finished. Generic: the CRL generation loop is one user, the job and renewal
// loops of later issues are others.
class PeriodicLoop {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::string name;                    // in logs: "crl_generation"
    std::chrono::milliseconds interval;  // between the starts of two runs
    // Delay of the first run after start(); an interval means "not at once".
    std::chrono::milliseconds initialDelay{0};
  };

  struct Stats {
    std::uint64_t runs = 0;       // finished runs, failed ones included
    std::uint64_t failures = 0;   // runs that threw
    std::uint64_t coalesced = 0;  // trigger() calls folded into a pending or running run
    std::string lastError;        // what the last failed run threw
  };

  PeriodicLoop(Options options, std::function<void()> task);
  ~PeriodicLoop();  // stop()
  PeriodicLoop(const PeriodicLoop&) = delete;
  PeriodicLoop& operator=(const PeriodicLoop&) = delete;

  void start();
  // Wakes the loop, waits for a run in progress to end and joins the thread.
  // Idempotent.
  void stop();

  // Asks for a run as soon as possible (on the loop thread). A trigger while
  // a run is pending or in progress is folded into it: that run, or the one
  // right after a run in progress, serves every trigger so far.
  void trigger();

  Stats stats() const;
  const std::string& name() const { return options_.name; }

 private:
  void run();
  void runOnce();

  Options options_;
  std::function<void()> task_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool triggered_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace certctl::scheduler
