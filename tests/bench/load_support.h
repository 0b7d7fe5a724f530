#pragma once

// Closed-loop load generation shared by the benchmarks that count complete
// operations (issuance_bench, acme_bench): K threads each take the next job
// number until N are done, and CPU figures from /proc.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/inventory_bench.h"

namespace certctl::bench {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start);
// User + system CPU seconds a process has used (/proc/PID/stat).
double processCpuSeconds(pid_t pid);
// The same for this process (getrusage).
double ownCpuSeconds();
// `n` ECDSA P-256 CSRs (PEM) for bench-<i>.example.com, made on every core.
std::vector<std::string> makeCsrs(int n);
// Prints the first few failures to stderr, counts the rest silently.
void reportError(int status, const std::string& body);

// Runs `count` jobs on `clients` threads; job(client, i) returns success.
template <typename MakeClient, typename Job>
Summary runLoad(int count, int clients, MakeClient makeClient, Job job) {
  std::atomic<int> next{0};
  std::atomic<long long> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      auto client = makeClient();
      for (int i = next++; i < count; i = next++) {
        auto t0 = Clock::now();
        bool ok = job(*client, i);
        latencies[static_cast<std::size_t>(c)].push_back(secondsSince(t0) * 1000);
        if (!ok) ++errors;
      }
    });
  for (auto& t : threads) t.join();
  double seconds = secondsSince(start);
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return summarize(all, errors, seconds);
}

}  // namespace certctl::bench
