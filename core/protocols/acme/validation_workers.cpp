#include "core/protocols/acme/validation_workers.h"

#include <spdlog/spdlog.h>

namespace certctl::protocols::acme {

ValidationWorkers::ValidationWorkers(std::size_t threads) : threadCount_(threads) {}

ValidationWorkers::~ValidationWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ValidationWorkers::post(std::function<void()> work) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  queue_.push_back(std::move(work));
  // Threads start with the first validation: servers that never see the
  // challenge mode keep none.
  if (threads_.size() < threadCount_ && queue_.size() > 0) threads_.emplace_back([this] { run(); });
  wake_.notify_one();
}

void ValidationWorkers::run() {
  while (true) {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      work();
    } catch (const std::exception& e) {
      spdlog::error("ACME challenge validation failed: {}", e.what());
    }
  }
}

}  // namespace certctl::protocols::acme
