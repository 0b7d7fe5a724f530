// acme_bench: complete ACME orders per second against certctl's built-in
// ACME server in the trust_authenticated mode (issue 5), and in the same run
// against Pebble (Debian's pebble, PEBBLE_VA_ALWAYS_VALID=1, nothing stored
// durably) for scale.
//
// K client threads, each with its own ACME account (ECDSA P-256), run whole
// orders with certctl's ACME client library (plugins/issuers/acme): newOrder,
// the authorizations (Pebble: the http-01 challenge is posted and passes;
// certctl: already valid), finalize with a pre-made P-256 CSR, polling, and
// the certificate download. The client opens one TLS connection per request
// (sdk/net), for both servers alike.
// Run by hand (DESIGN §8): build/dev/bin/acme_bench [--orders N] [--clients K] [--no-pebble]

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/store/database.h"
#include "plugins/issuers/acme/acme_client.h"
#include "plugins/issuers/acme/order.h"
#include "sdk/net/https_client.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/private_key.h"
#include "sdk/plugin/plugin_error.h"
#include "tests/bench/load_support.h"
#include "tests/integration_acme/pebble.h"
#include "tests/support/server_process.h"
#include "tests/support/test_database.h"

namespace pki = certctl::sdk::pki;
namespace bench = certctl::bench;
using nlohmann::json;

namespace {

struct Options {
  int orders = 1000;
  int clients = 16;
  bool pebble = true;
};

[[noreturn]] void usage(const std::string& error) {
  std::fprintf(stderr,
               "%s\nusage: acme_bench [--orders N (1000)] [--clients K (16)] [--no-pebble]\n",
               error.c_str());
  std::exit(2);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--orders")
      o.orders = std::stoi(value());
    else if (arg == "--clients")
      o.clients = std::stoi(value());
    else if (arg == "--no-pebble")
      o.pebble = false;
    else
      usage("unknown option " + arg);
  }
  if (o.orders < 1 || o.clients < 1) usage("--orders and --clients must be positive");
  return o;
}

// Pebble's VA passes every challenge by itself and certctl's authorizations
// are valid from the start: nothing needs to be served.
class NothingToServe final : public certctl::acme::ChallengeSolver {
 public:
  const char* type() const override { return "http-01"; }
  void present(const certctl::acme::Challenge&) override {}
  void cleanup(const certctl::acme::Challenge&) noexcept override {}
};

// One ACME account and its client, per load thread.
struct AcmeWorker {
  AcmeWorker(const std::string& directoryUrl, const std::string& caBundle)
      : http({caBundle, std::chrono::seconds(60)}),
        key(pki::PrivateKey::generateEcP256()),
        client(http, directoryUrl, key) {
    client.ensureAccount("bench@example.com", std::nullopt);
  }
  certctl::sdk::net::HttpsClient http;
  certctl::acme::AccountKey key;
  certctl::acme::AcmeClient client;
  NothingToServe solver;
};

bench::Summary runOrders(const Options& opt, const std::string& directoryUrl,
                         const std::string& caBundle, const std::vector<std::string>& csrDers) {
  return bench::runLoad(
      opt.orders, opt.clients, [&] { return std::make_unique<AcmeWorker>(directoryUrl, caBundle); },
      [&](AcmeWorker& worker, int i) {
        std::string name = "bench-" + std::to_string(i) + ".example.com";
        try {
          auto finished = certctl::acme::runOrder(worker.client, worker.solver, {{"dns", name}},
                                                  csrDers[static_cast<std::size_t>(i)],
                                                  {"", std::chrono::seconds(60)});
          return finished.chainPem.find("BEGIN CERTIFICATE") != std::string::npos;
        } catch (const std::exception& e) {
          bench::reportError(0, e.what());
          return false;
        }
      });
}

void printSummary(const std::string& name, const bench::Summary& s) {
  std::printf("%-36s %7.1f orders/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  errors %lld\n",
              name.c_str(), s.rps, s.p50, s.p99, s.max, s.errors);
}

bench::Summary benchCertctl(const Options& opt, const std::vector<std::string>& csrDers) {
  certctl::testing::ServerProcessOptions so;
  so.env = {{"CERTCTL_RATE_LIMIT_ENABLED", "false"},
            {"CERTCTL_LOG_LEVEL", "warn"},
            {"CERTCTL_DATABASE_MAX_CONNS", "32"},
            {"CERTCTL_ACME_SERVER_ENABLED", "true"},
            {"CERTCTL_ACME_SERVER_ORDERS_PER_HOUR", "1000000"}};
  certctl::testing::ServerProcess server(so);
  auto profile = server.post("/api/v1/profiles", {{"name", "acme-bench"},
                                                  {"allowed_ekus", {"serverAuth"}},
                                                  {"acme_auth_mode", "trust_authenticated"}});
  if (profile.status != 201) throw std::runtime_error("create profile: " + profile.body);
  std::string directoryUrl =
      server.baseUrl() + "/acme/profile/" + profile.json()["id"].get<std::string>() + "/directory";
  std::cout << "certctl-server (sqlite) on port " << server.port() << std::endl;

  double cpuBefore = bench::processCpuSeconds(server.pid());
  auto summary = runOrders(opt, directoryUrl, server.caFile().string(), csrDers);
  std::printf("CPU per order: server %.0f us\n",
              (bench::processCpuSeconds(server.pid()) - cpuBefore) * 1e6 / opt.orders);

  // Every complete order must be a certificate in the inventory.
  auto db = certctl::store::Database::open(server.databaseUrl(), 1);
  auto lease = db->acquire();
  auto rows = lease.run("SELECT COUNT(*) FROM managed_certificates WHERE source = 'acme'");
  long long stored = std::stoll(rows.rows.at(0).at(0).value_or("0"));
  long long ok = opt.orders - summary.errors;
  std::printf("inventory: %lld certificates with source acme (%lld complete orders)\n", stored, ok);
  if (stored != ok) throw std::runtime_error("inventory count differs from complete orders");
  return summary;
}

bench::Summary benchPebble(const Options& opt, const std::vector<std::string>& csrDers) {
  certctl::testing::TempDir dir;
  certctl::testing::acme::PebbleOptions po;
  po.alwaysValid = true;
  certctl::testing::acme::Pebble pebble(dir.path(), po);
  return runOrders(opt, pebble.directoryUrl(), pebble.caBundle().string(), csrDers);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parseOptions(argc, argv);
  try {
    auto start = bench::Clock::now();
    std::vector<std::string> csrDers;
    for (const auto& pem : bench::makeCsrs(opt.orders))
      csrDers.push_back(pki::Csr::fromPem(pem).toDer());
    std::printf("made %d CSRs in %.1f s\n", opt.orders, bench::secondsSince(start));

    auto ours = benchCertctl(opt, csrDers);
    printSummary("certctl ACME (trust_authenticated)", ours);
    if (opt.pebble) {
      auto theirs = benchPebble(opt, csrDers);
      printSummary("pebble (always valid, in memory)", theirs);
      if (theirs.rps > 0) std::printf("ratio certctl / pebble: %.2f\n", ours.rps / theirs.rps);
    }
    return ours.errors ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "acme_bench: %s\n", e.what());
    return 1;
  }
}
