#include "core/http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace certctl::http {

namespace {

constexpr std::size_t kMaxShards = 64;
constexpr double kMaxWindowSeconds = 1e9;  // ~31 years; keeps tick arithmetic far from overflow

}  // namespace

RateLimiter::RateLimiter(double ratePerSecond, int burst, std::size_t maxClients) {
  if (!(ratePerSecond > 0.0) || !std::isfinite(ratePerSecond)) {
    throw std::invalid_argument("rate limit: requests per second must be a positive number");
  }
  if (burst < 1) throw std::invalid_argument("rate limit: burst must be at least 1");
  if (maxClients < 1) throw std::invalid_argument("rate limit: maxClients must be at least 1");
  if (static_cast<double>(burst) / ratePerSecond > kMaxWindowSeconds) {
    throw std::invalid_argument("rate limit: burst / requests per second is too large");
  }
  interval_ = std::max(Clock::duration(1), std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(1.0 / ratePerSecond)));
  window_ = interval_ * burst;
  // Fewer shards than clients would let the total exceed maxClients.
  shardCount_ = std::min(kMaxShards, maxClients);
  perShardCap_ = maxClients / shardCount_;
  shards_ = std::make_unique<Shard[]>(shardCount_);
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Shard& RateLimiter::shardFor(std::size_t hash) {
  // Fibonacci mixing: the map inside a shard buckets by the low bits of the
  // same hash, so the shard index must come from different (high) bits.
  const std::uint64_t mixed = static_cast<std::uint64_t>(hash) * 0x9E3779B97F4A7C15ull;
  return shards_[(mixed >> 32) % shardCount_];
}

void RateLimiter::makeRoom(Shard& shard, Clock::time_point now) {
  auto& buckets = shard.buckets;
  // Free an eighth of the shard at once so the O(n) sweep runs at most once
  // per cap/8 new clients (amortized O(1) per request even under a flood).
  const std::size_t target = perShardCap_ - std::max<std::size_t>(1, perShardCap_ / 8);

  // A full bucket holds no state a fresh one would not: dropping it is free.
  std::erase_if(buckets, [now](const auto& entry) { return entry.second.tat <= now; });
  if (buckets.size() <= target) return;

  // Still too many active clients: drop those closest to full (earliest tat),
  // which loses the least (each regains at most its missing tokens).
  using Iterator = decltype(buckets.begin());
  std::vector<Iterator> entries;
  entries.reserve(buckets.size());
  for (auto it = buckets.begin(); it != buckets.end(); ++it) entries.push_back(it);
  const std::size_t excess = buckets.size() - target;
  std::nth_element(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(excess - 1),
                   entries.end(),
                   [](Iterator a, Iterator b) { return a->second.tat < b->second.tat; });
  for (std::size_t i = 0; i < excess; ++i) buckets.erase(entries[i]);
}

RateLimiter::Decision RateLimiter::allow(std::string_view clientKey, Clock::time_point now) {
  Shard& shard = shardFor(KeyHash{}(clientKey));
  std::lock_guard lock(shard.mutex);

  auto it = shard.buckets.find(clientKey);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= perShardCap_) makeRoom(shard, now);
    it = shard.buckets.emplace(std::string(clientKey), Bucket{now}).first;
  }
  Bucket& bucket = it->second;

  // Taking a token pushes tat one interval further; refuse when that would put
  // it more than a whole burst ahead of now. A `now` older than a previous
  // caller's (clock read before the lock) only makes this stricter.
  const Clock::time_point next = std::max(bucket.tat, now) + interval_;
  const Clock::duration ahead = next - now;
  if (ahead <= window_) {
    bucket.tat = next;
    return {true, std::chrono::seconds(0)};
  }
  const auto wait = std::chrono::ceil<std::chrono::seconds>(ahead - window_);
  return {false, std::max(wait, std::chrono::seconds(1))};
}

std::size_t RateLimiter::trackedClients() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shardCount_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].buckets.size();
  }
  return total;
}

}  // namespace certctl::http
