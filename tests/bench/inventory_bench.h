#pragma once

// Helpers of tests/bench/inventory_bench.cpp: bulk loading of the inventory,
// an HTTPS keep-alive client, latency statistics and a /proc sampler of the
// server process.

#include <Poco/Net/Context.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/store/database.h"

namespace Poco::Net {
class HTTPSClientSession;
}  // namespace Poco::Net

namespace certctl::bench {

// ---- loading ---------------------------------------------------------------

struct LoadResult {
  double seconds = 0;            // the INSERT transaction alone
  double analyzeSeconds = 0;     // ANALYZE afterwards (0 when skipped)
  std::vector<std::string> ids;  // every certificate id, for random single reads
};

// Inserts one issuer and `rows` managed certificates in one transaction,
// generated inside the database (recursive CTE / generate_series).
LoadResult loadInventory(store::Database& db, int rows, bool analyze);

// The query plans of the list query (first page and a cursor page) and of the
// single read, spelled the way core/store/sql_resource_repository.cpp does.
std::string explainQueries(store::Database& db, int rows);

// Rows in audit_events (the server audits every API request).
long long countAuditEvents(store::Database& db);

// ---- databases -------------------------------------------------------------

std::string randomHex(int bytes);

// A database created on a PostgreSQL server for one run, dropped at the end.
class PostgresDatabase {
 public:
  explicit PostgresDatabase(const std::string& adminUrl);
  ~PostgresDatabase();
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;
  const std::string& url() const { return url_; }

 private:
  std::string adminUrl_, name_, url_;
};

// ---- HTTP ------------------------------------------------------------------

// One keep-alive HTTPS connection that trusts the server's bootstrap CA.
class Client {
 public:
  Client(int port, std::string caFile, std::string apiKey);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // GET path; the body goes to `body`. Returns the HTTP status, or 0 when the
  // connection failed (the next call reconnects).
  int get(const std::string& path, std::string& body);
  // POST a body, JSON unless told otherwise (same contract as get()).
  int post(const std::string& path, const std::string& json, std::string& body,
           const std::string& contentType = "application/json");
  long reconnects() const { return reconnects_; }
  // Requests sent by every Client so far (each is audited by the server).
  static long long totalRequests() { return total_.load(); }

 private:
  void connect();
  int send(const std::string& method, const std::string& path, const std::string* json,
           std::string& body, const std::string& contentType = "application/json");

  int port_;
  std::string caFile_;
  std::string authorization_;
  Poco::Net::Context::Ptr context_;
  std::unique_ptr<Poco::Net::HTTPSClientSession> session_;
  long reconnects_ = -1;  // the first connect is not a reconnect
  static std::atomic<long long> total_;
};

// The value of "next_cursor" in a list envelope, "" when null or absent.
std::string extractNextCursor(const std::string& body);
// How many items a list page holds (counts the "common_name" keys).
int countItems(const std::string& body);

// ---- statistics ------------------------------------------------------------

struct Summary {
  long long requests = 0;
  long long errors = 0;  // non-200 statuses and failed connections
  double seconds = 0;
  double rps = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;  // milliseconds
};

// latenciesMs is sorted in place.
Summary summarize(std::vector<double>& latenciesMs, long long errors, double seconds);

// ---- the server process ----------------------------------------------------

// The certctl-server that ServerProcess spawned: our child listening on `port`.
pid_t findServerPid(int port);

struct ProcSample {
  long rssKb = 0;
  long threads = 0;
  double cpuSeconds = 0;  // utime + stime
};
ProcSample readProc(pid_t pid);
double selfCpuSeconds();
// CPU seconds per process of the PostgreSQL server listening on `port` (the
// postmaster started with "-p PORT" and all its children); empty if not found.
std::map<pid_t, double> postgresCpu(int port);
// CPU seconds spent between two postgresCpu() snapshots (new backends count from 0).
double cpuDelta(const std::map<pid_t, double>& before, const std::map<pid_t, double>& after);
// CPU seconds all CPUs of the machine spent busy (not idle/iowait), from /proc/stat.
double machineBusySeconds();

// Samples VmRSS and the thread count of `pid` every 100 ms; peak() is the
// maximum since the last resetPeak().
class Sampler {
 public:
  explicit Sampler(pid_t pid);
  ~Sampler();
  void resetPeak();
  long peakRssKb() const { return peakRss_.load(); }
  long peakThreads() const { return peakThreads_.load(); }

 private:
  pid_t pid_;
  std::atomic<bool> stop_{false};
  std::atomic<long> peakRss_{0};
  std::atomic<long> peakThreads_{0};
  std::thread thread_;
};

}  // namespace certctl::bench
