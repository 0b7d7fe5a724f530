// fleet_bench: how many agents one certctl-server sustains (issue 4).
//
// N simulated agents live in this one load process. Each heartbeats every
// 60 s (POST /api/v1/agents/{id}/heartbeat with its metadata) and polls for
// work every 30 s (GET /api/v1/agents/{id}/work), so N agents make N/20
// requests per second. The requests are sent open-loop on a fixed schedule
// (agent i's turns are spread evenly over the interval); a request's latency
// counts from the moment it was due, so a server that falls behind shows it
// in the percentiles instead of slowing the load down.
//
// The agents are registered straight into the server's database before the
// steps (the registration path is measured by the API tests, not here). The
// transport is HTTPS with keep-alive connections shared by the agents, as
// behind a connection-pooling proxy; a real fleet without one would add a
// TLS handshake per poll.
//
// For each N: achieved rate, p50/p99/max latency, the server's CPU in cores
// (and PostgreSQL's), errors. "Sustained" = ≥ 99 % of the due requests
// answered 200 within the step, p99 < 100 ms and the server < 1.5 cores.
// Run by hand (DESIGN §8): build/dev/bin/fleet_bench [--agents 25000,50000,100000]
//   [--seconds 30] [--connections 32] [--dialect sqlite|postgres --pg-url URL]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/store/database.h"
#include "tests/bench/inventory_bench.h"
#include "tests/support/server_process.h"

namespace bench = certctl::bench;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::vector<int> agents{25000, 50000, 100000};
  int seconds = 30;
  int connections = 32;
  double heartbeatSeconds = 60;
  double pollSeconds = 30;
  std::string dialect = "sqlite";
  std::string pgUrl;
};

[[noreturn]] void usage(const std::string& error = {}) {
  if (!error.empty()) std::cerr << "fleet_bench: " << error << "\n";
  std::cerr << R"(usage: fleet_bench [options]
  --agents N,N,...        fleet sizes to try, in order (default 25000,50000,100000)
  --seconds S             length of each step (default 30)
  --connections C         keep-alive HTTPS connections of the load process (default 32)
  --dialect sqlite|postgres   database of the server (default sqlite)
  --pg-url URL            admin URL of a PostgreSQL server (with --dialect postgres)
)";
  std::exit(2);
}

std::vector<int> parseList(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    int n = std::stoi(item);
    if (n <= 0) usage("--agents values must be positive");
    out.push_back(n);
  }
  if (out.empty()) usage("--agents needs at least one value");
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--agents")
      o.agents = parseList(value());
    else if (arg == "--seconds")
      o.seconds = std::stoi(value());
    else if (arg == "--connections")
      o.connections = std::stoi(value());
    else if (arg == "--dialect")
      o.dialect = value();
    else if (arg == "--pg-url")
      o.pgUrl = value();
    else
      usage("unknown option " + arg);
  }
  if (o.dialect != "sqlite" && o.dialect != "postgres") usage("--dialect: sqlite or postgres");
  if (o.dialect == "postgres" && o.pgUrl.empty()) usage("--dialect postgres needs --pg-url");
  if (o.seconds <= 0 || o.connections <= 0) usage("--seconds and --connections must be positive");
  return o;
}

std::string agentId(int i) { return "ag-fleet-" + std::to_string(i); }

// Registers agents ag-fleet-0 .. n-1 in one transaction, as Online agents
// that heartbeated a minute ago.
void registerAgents(certctl::store::Database& db, int n) {
  auto lease = db.acquire();
  db.executeScript(*lease, "BEGIN");
  const int batch = 1000;
  for (int start = 0; start < n; start += batch) {
    std::string values;
    for (int i = start; i < std::min(n, start + batch); ++i) {
      const std::string id = agentId(i);
      values += std::string(values.empty() ? "" : ", ") + "('" + id + "', '" + id + "', 'host-" +
                std::to_string(i) + "', 'Online', 'linux', 'amd64', '10.0." +
                std::to_string((i / 250) % 256) + "." + std::to_string(i % 250 + 1) + "', '0.1.0')";
    }
    db.executeScript(*lease,
                     "INSERT INTO agents (id, name, hostname, status, os, architecture, "
                     "ip_address, version) VALUES " +
                         values);
  }
  db.executeScript(*lease, "COMMIT");
}

struct StepResult {
  int agents = 0;
  double dueRps = 0;
  bench::Summary summary;
  long long due = 0;
  double serverCores = 0;
  double postgresCores = 0;
  double machineCores = 0;
  long peakRssKb = 0;
  bool sustained = false;
};

// One step: `agents` agents for `seconds`, request k due at start + k/rate.
// Request k belongs to connection k % C; of every three requests one is a
// heartbeat and two are work polls (60 s vs 30 s), agents taken in turn.
StepResult runStep(const Options& opt, certctl::testing::ServerProcess& server, pid_t serverPid,
                   int pgPort, int agents) {
  StepResult r;
  r.agents = agents;
  r.dueRps = agents / opt.heartbeatSeconds + agents / opt.pollSeconds;
  const auto total = static_cast<long long>(r.dueRps * opt.seconds);
  r.due = total;
  const auto period = std::chrono::duration<double>(1.0 / r.dueRps);
  const std::string metadata =
      R"({"os":"linux","architecture":"amd64","hostname":"h","ip_address":"10.1.2.3","version":"0.1.0"})";

  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(opt.connections));
  std::atomic<long long> errors{0};
  bench::Sampler sampler(serverPid);
  auto cpuBefore = bench::readProc(serverPid).cpuSeconds;
  auto pgBefore = pgPort > 0 ? bench::postgresCpu(pgPort) : std::map<pid_t, double>{};
  auto busyBefore = bench::machineBusySeconds();
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  std::vector<std::thread> threads;
  for (int c = 0; c < opt.connections; ++c) {
    threads.emplace_back([&, c] {
      bench::Client client(server.port(), server.caFile().string(), server.apiKey());
      auto& mine = latencies[static_cast<std::size_t>(c)];
      mine.reserve(static_cast<std::size_t>(total / opt.connections + 1));
      std::string body;
      for (long long k = c; k < total; k += opt.connections) {
        auto due = start + std::chrono::duration_cast<Clock::duration>(period * k);
        std::this_thread::sleep_until(due);
        const int agent = static_cast<int>((k / 3) % agents);
        const std::string base = "/api/v1/agents/" + agentId(agent);
        int status = (k % 3 == 0) ? client.post(base + "/heartbeat", metadata, body)
                                  : client.get(base + "/work", body);
        if (status != 200) {
          if (errors++ < 3) std::fprintf(stderr, "error %d: %.200s\n", status, body.c_str());
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.serverCores = (bench::readProc(serverPid).cpuSeconds - cpuBefore) / seconds;
  if (pgPort > 0) r.postgresCores = bench::cpuDelta(pgBefore, bench::postgresCpu(pgPort)) / seconds;
  r.machineCores = (bench::machineBusySeconds() - busyBefore) / seconds;
  r.peakRssKb = sampler.peakRssKb();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  r.summary = bench::summarize(all, errors.load(), seconds);
  r.sustained = static_cast<double>(r.summary.requests) >= 0.99 * static_cast<double>(total) &&
                r.summary.p99 < 100 && r.serverCores < 1.5;
  return r;
}

int portOf(const std::string& url) {
  // postgresql://user@127.0.0.1:PORT/db
  auto at = url.rfind(':');
  auto slash = url.find('/', at);
  if (at == std::string::npos || slash == std::string::npos) return 0;
  return std::stoi(url.substr(at + 1, slash - at - 1));
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse(argc, argv);
  const int maxAgents = *std::max_element(opt.agents.begin(), opt.agents.end());

  std::unique_ptr<bench::PostgresDatabase> pg;
  certctl::testing::ServerProcessOptions so;
  so.ownDatabase = false;
  so.env = {{"CERTCTL_RATE_LIMIT_ENABLED", "false"},
            {"CERTCTL_LOG_LEVEL", "warn"},
            {"CERTCTL_DATABASE_MAX_CONNS", "16"}};
  int pgPort = 0;
  if (opt.dialect == "postgres") {
    pg = std::make_unique<bench::PostgresDatabase>(opt.pgUrl);
    so.env["CERTCTL_DATABASE_URL"] = pg->url();
    pgPort = portOf(opt.pgUrl);
  }
  certctl::testing::ServerProcess server(so);
  const pid_t serverPid = bench::findServerPid(server.port());
  if (serverPid <= 0) {
    std::cerr << "fleet_bench: cannot find the server process\n";
    return 1;
  }
  {
    auto db = certctl::store::Database::open(server.databaseUrl(), 2);
    auto t0 = Clock::now();
    registerAgents(*db, maxAgents);
    std::printf("registered %d agents in %.1f s\n", maxAgents,
                std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::printf(
      "fleet_bench: dialect %s, %d s per step, %d connections, heartbeat %.0f s, poll %.0f s\n",
      opt.dialect.c_str(), opt.seconds, opt.connections, opt.heartbeatSeconds, opt.pollSeconds);
  std::printf("%8s %8s %8s %7s %7s %7s %6s %7s %7s %7s %8s %s\n", "agents", "due/s", "done/s",
              "p50ms", "p99ms", "maxms", "errors", "server", "pg", "machine", "rssMB", "sustained");
  int best = 0;
  for (int n : opt.agents) {
    StepResult r = runStep(opt, server, serverPid, pgPort, n);
    std::printf("%8d %8.0f %8.0f %7.2f %7.2f %7.1f %6lld %7.2f %7.2f %7.2f %8.1f %s\n", r.agents,
                r.dueRps, r.summary.rps, r.summary.p50, r.summary.p99, r.summary.max,
                r.summary.errors, r.serverCores, r.postgresCores, r.machineCores,
                static_cast<double>(r.peakRssKb) / 1024.0, r.sustained ? "yes" : "no");
    std::fflush(stdout);
    if (r.sustained) best = std::max(best, n);
  }
  std::printf("largest sustained fleet: %d agents\n", best);
  return 0;
}
