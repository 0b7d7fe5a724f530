#include "core/scheduler/periodic_loop.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace certctl::scheduler {

namespace {

double msSince(PeriodicLoop::Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(PeriodicLoop::Clock::now() - start).count();
}

}  // namespace

PeriodicLoop::PeriodicLoop(Options options, std::function<void()> task)
    : options_(std::move(options)), task_(std::move(task)) {
  if (options_.interval <= std::chrono::milliseconds::zero())
    options_.interval = std::chrono::milliseconds(1);
}

PeriodicLoop::~PeriodicLoop() { stop(); }

void PeriodicLoop::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void PeriodicLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PeriodicLoop::trigger() {
  {
    std::lock_guard lock(mutex_);
    if (triggered_) {
      ++stats_.coalesced;
      return;
    }
    triggered_ = true;
  }
  wake_.notify_all();
}

PeriodicLoop::Stats PeriodicLoop::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void PeriodicLoop::run() {
  auto next = Clock::now() + options_.initialDelay;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_until(lock, next, [this] { return stopping_ || triggered_; });
    if (stopping_) return;
    triggered_ = false;
    lock.unlock();
    const auto started = Clock::now();
    runOnce();
    lock.lock();
    // The next tick is one interval after this run *started*; a run longer
    // than the interval is followed at once by the next, never by several.
    next = started + options_.interval;
  }
}

void PeriodicLoop::runOnce() {
  const auto started = Clock::now();
  std::string error;
  try {
    task_();
  } catch (const std::exception& e) {
    error = e.what();
    if (error.empty()) error = "exception without a message";
  } catch (...) {
    error = "unknown exception";
  }
  const double ms = msSince(started);
  {
    std::lock_guard lock(mutex_);
    ++stats_.runs;
    if (!error.empty()) {
      ++stats_.failures;
      stats_.lastError = error;
    }
  }
  if (!error.empty()) {
    spdlog::error("{}", nlohmann::json{{"msg", "scheduler loop run failed"},
                                       {"loop", options_.name},
                                       {"error", error},
                                       {"duration_ms", ms}}
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    spdlog::debug(
        "{}",
        nlohmann::json{{"msg", "scheduler loop run"}, {"loop", options_.name}, {"duration_ms", ms}}
            .dump());
  }
}

}  // namespace certctl::scheduler
