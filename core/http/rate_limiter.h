#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace certctl::http {

// Per-client token bucket (seed: CERTCTL_RATE_LIMIT_RPS default 50, _BURST
// default 100). Each client starts with `burst` tokens; a request takes one;
// tokens come back at `ratePerSecond` up to `burst`.
//
// Implemented as its exact integer equivalent, GCRA: a bucket is one
// "theoretical arrival time" in clock ticks. Floating-point token counts drift
// (0.9 + 0.1 < 1.0) and would refuse a client pacing itself at exactly the rate.
//
// The map is split into shards, each with its own mutex, so 16 request threads
// rarely wait on each other. Memory is bounded by `maxClients`: when a shard is
// full, idle buckets (refilled to `burst`, i.e. indistinguishable from a new
// client) are dropped first; only if that is not enough are the fullest of the
// others dropped, so a flood of distinct addresses cannot grow the map.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws std::invalid_argument unless ratePerSecond > 0 (finite), burst >= 1,
  // maxClients >= 1 and burst / ratePerSecond <= ~30 years: these come from
  // configuration, and a limiter that silently never refills (or overflows)
  // would be worse than failing start.
  RateLimiter(double ratePerSecond, int burst, std::size_t maxClients = 100000);
  ~RateLimiter();

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  struct Decision {
    bool allowed;
    std::chrono::seconds retryAfter;  // 0 when allowed; >= 1s when refused
  };

  Decision allow(std::string_view clientKey, Clock::time_point now = Clock::now());

  std::size_t trackedClients() const;

 private:
  struct Bucket {
    // When the bucket would be full again; <= now means full (idle).
    Clock::time_point tat;
  };

  // Transparent hashing lets allow() look up a string_view without allocating.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Bucket, KeyHash, std::equal_to<>> buckets;
  };

  Shard& shardFor(std::size_t hash);
  void makeRoom(Shard& shard, Clock::time_point now);

  Clock::duration interval_;  // time to earn one token
  Clock::duration window_;    // burst * interval_: how far tat may run ahead
  std::size_t shardCount_;
  std::size_t perShardCap_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace certctl::http
