#include "core/protocols/est/sliding_window_limiter.h"

#include <algorithm>

namespace certctl::protocols::est {

SlidingWindowLimiter::SlidingWindowLimiter(std::size_t limit, Clock::duration window,
                                           std::size_t maxKeys)
    : limit_(limit), window_(window), maxKeys_(std::max<std::size_t>(maxKeys, 1)) {}

void SlidingWindowLimiter::prune(std::deque<Clock::time_point>& events,
                                 Clock::time_point now) const {
  while (!events.empty() && now - events.front() >= window_) events.pop_front();
}

void SlidingWindowLimiter::makeRoom(Clock::time_point now) {
  for (auto it = events_.begin(); it != events_.end();) {
    prune(it->second, now);
    it = it->second.empty() ? events_.erase(it) : std::next(it);
  }
  while (events_.size() >= maxKeys_) {
    auto oldest = std::min_element(
        events_.begin(), events_.end(),
        [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
    events_.erase(oldest);
  }
}

bool SlidingWindowLimiter::exhausted(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = events_.find(key);
  if (it == events_.end()) return false;
  prune(it->second, now);
  return it->second.size() >= limit_;
}

std::deque<SlidingWindowLimiter::Clock::time_point>& SlidingWindowLimiter::eventsOf(
    const std::string& key, Clock::time_point now) {
  auto it = events_.find(key);
  if (it == events_.end()) {
    if (events_.size() >= maxKeys_) makeRoom(now);
    it = events_.emplace(key, std::deque<Clock::time_point>{}).first;
  }
  prune(it->second, now);
  return it->second;
}

void SlidingWindowLimiter::add(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& events = eventsOf(key, now);
  events.push_back(now);
  // Only the last `limit` events matter.
  while (events.size() > limit_) events.pop_front();
}

bool SlidingWindowLimiter::tryAdd(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& events = eventsOf(key, now);
  if (events.size() >= limit_) return false;  // checked and counted atomically
  events.push_back(now);
  return true;
}

void SlidingWindowLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  events_.erase(key);
}

long long SlidingWindowLimiter::retryAfterSeconds(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = events_.find(key);
  if (it == events_.end() || it->second.empty()) return 0;
  auto left = window_ - (now - it->second.front());
  return std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(left).count());
}

}  // namespace certctl::protocols::est
