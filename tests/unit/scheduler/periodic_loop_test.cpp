// PeriodicLoop: runs on its interval, never overlaps, survives failures,
// folds triggers together and stops cleanly.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "core/scheduler/periodic_loop.h"

using certctl::scheduler::PeriodicLoop;
using namespace std::chrono_literals;

namespace {

bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout = 3000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return probe();
}

}  // namespace

TEST_CASE("a loop runs at start and then every interval", "[scheduler]") {
  std::atomic<int> runs{0};
  PeriodicLoop loop({"test", 30ms}, [&] { ++runs; });
  loop.start();
  CHECK(eventually([&] { return runs >= 4; }));
  loop.stop();
  const int stopped = runs;
  std::this_thread::sleep_for(100ms);
  CHECK(runs == stopped);
  CHECK(loop.stats().runs == static_cast<std::uint64_t>(stopped));
}

TEST_CASE("the initial delay postpones the first run", "[scheduler]") {
  std::atomic<int> runs{0};
  PeriodicLoop loop({"test", 10ms, 300ms}, [&] { ++runs; });
  loop.start();
  std::this_thread::sleep_for(100ms);
  CHECK(runs == 0);
  CHECK(eventually([&] { return runs >= 1; }));
}

TEST_CASE("a failing run is recorded and the loop carries on", "[scheduler]") {
  std::atomic<int> runs{0};
  PeriodicLoop loop({"flaky", 10ms}, [&] {
    if (++runs == 1) throw std::runtime_error("database unreachable");
  });
  loop.start();
  CHECK(eventually([&] { return runs >= 3; }));
  loop.stop();
  auto stats = loop.stats();
  CHECK(stats.failures == 1);
  CHECK(stats.lastError == "database unreachable");
  CHECK(stats.runs >= 3);
}

TEST_CASE("runs never overlap and triggers during a run fold into one", "[scheduler]") {
  std::atomic<int> runs{0}, inside{0}, maxInside{0};
  std::promise<void> release;
  auto released = release.get_future().share();
  PeriodicLoop loop({"slow", 1h}, [&] {
    const int now = ++inside;
    maxInside = std::max(maxInside.load(), now);
    if (++runs == 1) released.wait();  // the first run outlasts many triggers
    --inside;
  });
  loop.start();
  REQUIRE(eventually([&] { return runs == 1; }));
  for (int i = 0; i < 10; ++i) loop.trigger();
  release.set_value();
  CHECK(eventually([&] { return runs == 2; }));
  std::this_thread::sleep_for(100ms);
  CHECK(runs == 2);  // ten triggers, one run; the 1 h interval keeps it at that
  CHECK(maxInside == 1);
  CHECK(loop.stats().coalesced == 9);
  loop.trigger();
  CHECK(eventually([&] { return runs == 3; }));
}

TEST_CASE("stop waits for the run in progress and is idempotent", "[scheduler]") {
  std::atomic<bool> finished{false};
  std::atomic<bool> started{false};
  PeriodicLoop loop({"stopper", 1h}, [&] {
    started = true;
    std::this_thread::sleep_for(200ms);
    finished = true;
  });
  loop.start();
  REQUIRE(eventually([&] { return started.load(); }));
  loop.stop();
  CHECK(finished);
  loop.stop();
  loop.trigger();  // after stop: nothing happens
}
