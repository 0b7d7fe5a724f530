#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace certctl::services {

// A small in-process worker: job ids go into a queue and one background
// thread hands them to the handler, woken at once by submit(). The job rows
// in the database are the truth; the queue only says "look at this one now",
// so losing it on a crash is harmless (start-up resubmits what is left).
// The full scheduler (DESIGN §7) replaces this in a later issue.
class JobRunner {
 public:
  using Handler = std::function<void(const std::string& jobId)>;

  explicit JobRunner(Handler handler);
  ~JobRunner();  // stop()
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void start();
  // Finishes the job in hand, drops the rest of the queue and joins.
  void stop();
  void submit(std::string jobId);
  // Waits until the queue is empty and no job is being handled.
  void waitIdle();

 private:
  void run();

  Handler handler_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace certctl::services
