#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace certctl::protocols::acme {

// A few threads that run challenge validations after the challenge POST
// was answered (validations block on the network for seconds). Pending
// work is dropped at shutdown: those challenges stay "processing" and the
// client's order eventually expires.
class ValidationWorkers {
 public:
  explicit ValidationWorkers(std::size_t threads = 4);
  ~ValidationWorkers();
  ValidationWorkers(const ValidationWorkers&) = delete;
  ValidationWorkers& operator=(const ValidationWorkers&) = delete;

  void post(std::function<void()> work);

 private:
  void run();

  std::size_t threadCount_;
  std::vector<std::thread> threads_;
  std::deque<std::function<void()>> queue_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace certctl::protocols::acme
