#include "core/services/job_runner.h"

#include <spdlog/spdlog.h>

namespace certctl::services {

JobRunner::JobRunner(Handler handler) : handler_(std::move(handler)) {}

JobRunner::~JobRunner() { stop(); }

void JobRunner::start() {
  std::lock_guard lock(mutex_);
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] { run(); });
}

void JobRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  idle_.notify_all();
}

void JobRunner::submit(std::string jobId) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back(std::move(jobId));
  }
  wake_.notify_one();
}

void JobRunner::waitIdle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return (queue_.empty() && !busy_) || stopping_; });
}

void JobRunner::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::string jobId = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      handler_(jobId);
    } catch (const std::exception& e) {
      // The handler records failures on the job itself; this is the last resort.
      spdlog::error("job {}: unhandled error: {}", jobId, e.what());
    } catch (...) {
      spdlog::error("job {}: unhandled error", jobId);
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace certctl::services
