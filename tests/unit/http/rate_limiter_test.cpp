#include "core/http/rate_limiter.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using certctl::http::RateLimiter;
using namespace std::chrono_literals;

namespace {
const RateLimiter::Clock::time_point t0 = RateLimiter::Clock::time_point{} + 1000h;
}

TEST_CASE("RateLimiter allows the burst, then refuses with Retry-After", "[http][rate_limiter]") {
  RateLimiter limiter(50, 100);
  for (int i = 0; i < 100; ++i) {
    const auto d = limiter.allow("10.0.0.1", t0);
    REQUIRE(d.allowed);
    REQUIRE(d.retryAfter == 0s);
  }
  const auto refused = limiter.allow("10.0.0.1", t0);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retryAfter == 1s);  // 1/50 s rounds up to the minimum of 1 s
}

TEST_CASE("RateLimiter Retry-After is the ceiling of the time to one token",
          "[http][rate_limiter]") {
  RateLimiter slow(0.3, 1);  // one token every 3.33 s
  REQUIRE(slow.allow("c", t0).allowed);
  auto d = slow.allow("c", t0);
  CHECK_FALSE(d.allowed);
  CHECK(d.retryAfter == 4s);
  d = slow.allow("c", t0 + 2s);  // 0.6 tokens: 1.33 s to go
  CHECK_FALSE(d.allowed);
  CHECK(d.retryAfter == 2s);
  CHECK(slow.allow("c", t0 + 3400ms).allowed);
}

TEST_CASE("RateLimiter refills over time up to the burst", "[http][rate_limiter]") {
  RateLimiter limiter(10, 5);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.allow("k", t0).allowed);
  REQUIRE_FALSE(limiter.allow("k", t0).allowed);

  CHECK_FALSE(limiter.allow("k", t0 + 90ms).allowed);  // 0.9 tokens
  CHECK(limiter.allow("k", t0 + 100ms).allowed);       // 1.0 tokens
  CHECK_FALSE(limiter.allow("k", t0 + 100ms).allowed);

  // A long pause gives back the burst, never more.
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += limiter.allow("k", t0 + 1h).allowed ? 1 : 0;
  CHECK(allowed == 5);
}

TEST_CASE("RateLimiter never refuses a client pacing at exactly the rate", "[http][rate_limiter]") {
  RateLimiter limiter(10, 5);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.allow("k", t0).allowed);
  int refused = 0;
  for (int i = 1; i <= 10000; ++i) {
    if (!limiter.allow("k", t0 + i * 100ms).allowed) ++refused;
  }
  CHECK(refused == 0);
  CHECK_FALSE(limiter.allow("k", t0 + 10000 * 100ms).allowed);  // and no more than that
}

TEST_CASE("RateLimiter ignores a time earlier than the bucket's last update",
          "[http][rate_limiter]") {
  RateLimiter limiter(1, 1);
  REQUIRE(limiter.allow("k", t0 + 10s).allowed);
  // A thread that read the clock before another took the lock must not get
  // tokens from "negative" elapsed time, nor rewind the bucket.
  CHECK_FALSE(limiter.allow("k", t0 + 9s).allowed);
  CHECK_FALSE(limiter.allow("k", t0 + 10500ms).allowed);
  CHECK(limiter.allow("k", t0 + 11s).allowed);
}

TEST_CASE("RateLimiter keeps clients independent", "[http][rate_limiter]") {
  RateLimiter limiter(1, 3);
  for (int i = 0; i < 3; ++i) REQUIRE(limiter.allow("a", t0).allowed);
  CHECK_FALSE(limiter.allow("a", t0).allowed);
  CHECK(limiter.allow("b", t0).allowed);
  CHECK(limiter.allow("a:b", t0).allowed);
  CHECK(limiter.trackedClients() == 3);
}

TEST_CASE("RateLimiter rejects nonsensical configuration", "[http][rate_limiter]") {
  CHECK_THROWS_AS(RateLimiter(0, 10), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(-1, 10), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(std::numeric_limits<double>::quiet_NaN(), 10), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(std::numeric_limits<double>::infinity(), 10), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(10, 0), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(10, 10, 0), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(1e-9, 10), std::invalid_argument);  // 300-year window
  CHECK_NOTHROW(RateLimiter(50, 100));
}

TEST_CASE("RateLimiter memory stays bounded under a flood of addresses", "[http][rate_limiter]") {
  constexpr std::size_t kMax = 1024;
  RateLimiter limiter(1, 3, kMax);

  SECTION("flood of one-shot clients at one instant (no bucket is idle)") {
    for (int i = 0; i < 50000; ++i) {
      REQUIRE(limiter.allow("198.51." + std::to_string(i), t0).allowed);
      if (i % 997 == 0) REQUIRE(limiter.trackedClients() <= kMax);
    }
    CHECK(limiter.trackedClients() <= kMax);
    CHECK(limiter.trackedClients() > kMax / 2);  // eviction is not a wholesale reset
  }

  SECTION("tiny maxClients is honoured exactly") {
    RateLimiter tiny(1, 3, 5);
    for (int i = 0; i < 1000; ++i) tiny.allow("x" + std::to_string(i), t0);
    CHECK(tiny.trackedClients() <= 5);
  }

  SECTION("idle (full) buckets are evicted before an active client's") {
    // Old one-shot clients, full again by t0 + 10 s.
    for (int i = 0; i < 5000; ++i) limiter.allow("old-" + std::to_string(i), t0);
    // A client that drained its bucket just now must keep being limited
    // even when a flood of new addresses forces evictions.
    const auto t1 = t0 + 10s;
    for (int i = 0; i < 3; ++i) REQUIRE(limiter.allow("victim", t1).allowed);
    REQUIRE_FALSE(limiter.allow("victim", t1).allowed);
    for (int i = 0; i < 5000; ++i) limiter.allow("new-" + std::to_string(i), t1);
    CHECK(limiter.trackedClients() <= kMax);
    CHECK_FALSE(limiter.allow("victim", t1).allowed);
  }
}

TEST_CASE("RateLimiter holds its bound under 16 concurrent threads", "[http][rate_limiter]") {
  constexpr double kRate = 2000;
  constexpr int kBurst = 200;
  constexpr int kThreads = 16;
  RateLimiter limiter(kRate, kBurst);
  const std::vector<std::string> keys = {"203.0.113.1", "203.0.113.2", "2001:db8::1",
                                         "203.0.113.4"};
  std::vector<std::atomic<long>> allowed(keys.size());
  std::atomic<long> refused{0};
  std::atomic<bool> go{false};

  const auto start = RateLimiter::Clock::now();
  const auto stopAt = start + 300ms;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      std::size_t i = static_cast<std::size_t>(t);
      while (RateLimiter::Clock::now() < stopAt) {
        const std::size_t k = i++ % keys.size();
        if (limiter.allow(keys[k]).allowed) {
          allowed[k].fetch_add(1);
        } else {
          refused.fetch_add(1);
        }
      }
    });
  }
  go = true;
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(RateLimiter::Clock::now() - start).count();

  long total = 0;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    INFO("key " << keys[k] << " allowed " << allowed[k].load() << " in " << elapsed << " s");
    CHECK(allowed[k].load() <= kBurst + static_cast<long>(kRate * elapsed) + 1);
    CHECK(allowed[k].load() >= kBurst);  // the burst itself is always granted
    total += allowed[k].load();
  }
  CHECK(refused.load() > 0);  // the threads really outran the limit
  CHECK(total <=
        static_cast<long>(keys.size()) * (kBurst + static_cast<long>(kRate * elapsed) + 1));
  CHECK(limiter.trackedClients() == keys.size());
}
