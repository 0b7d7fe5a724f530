#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace certctl::protocols::est {

// Counts events per key over a sliding window, process-local (docs/est.md
// threat model). Used for the per-source-IP Basic-auth lockout (10 failures
// an hour) and the per-(CN, source IP) enrollment cap (N a day). At most
// `maxKeys` keys are tracked; when full, keys whose window has emptied are
// dropped first, then the oldest.
class SlidingWindowLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  SlidingWindowLimiter(std::size_t limit, Clock::duration window, std::size_t maxKeys = 50000);

  // True when `key` has `limit` events in the window (it is locked out).
  bool exhausted(const std::string& key, Clock::time_point now = Clock::now());
  // Records one event.
  void add(const std::string& key, Clock::time_point now = Clock::now());
  // Records one event unless exhausted; true when recorded.
  bool tryAdd(const std::string& key, Clock::time_point now = Clock::now());
  // Forgets `key` (e.g. a success ends a run of consecutive failures).
  void reset(const std::string& key);
  // Seconds until the oldest event of `key` leaves the window (0 if none).
  long long retryAfterSeconds(const std::string& key, Clock::time_point now = Clock::now());

 private:
  void prune(std::deque<Clock::time_point>& events, Clock::time_point now) const;
  void makeRoom(Clock::time_point now);
  // The pruned events of `key`, its entry made (room made first) if new.
  std::deque<Clock::time_point>& eventsOf(const std::string& key, Clock::time_point now);

  std::size_t limit_;
  Clock::duration window_;
  std::size_t maxKeys_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> events_;
};

}  // namespace certctl::protocols::est
