// issuance_bench: certificates per second end to end through the REST API,
// and in the same run `cfssl serve` signing the same CSRs (issue 3).
//
// certctl: one agent and N managed certificates bound to it are created
// first (each waits in AwaitingCSR), then K concurrent keep-alive HTTPS
// clients submit pre-made ECDSA P-256 CSRs with POST /api/v1/agents/{id}/csr.
// Every 200 is a signed certificate whose version is stored durably in the
// server's database (checked by counting certificate_versions afterwards).
// cfssl: `cfssl serve` with an ECDSA P-256 CA on loopback, K concurrent
// keep-alive HTTP clients POST /api/v1/cfssl/sign with the same CSRs; it
// stores nothing. With --cfssl-tls it also runs behind TLS (a P-256
// certificate, like certctl's own), with the same HTTPS client as certctl.
// Run by hand (DESIGN §8): build/dev/bin/issuance_bench [--dialect postgres --pg-url URL]

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "core/store/database.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/csr_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/bench/inventory_bench.h"
#include "tests/bench/load_support.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

extern char** environ;

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using certctl::bench::makeCsrs;
using certctl::bench::ownCpuSeconds;
using certctl::bench::processCpuSeconds;
using certctl::bench::reportError;
using certctl::bench::runLoad;
using certctl::bench::secondsSince;

namespace {

struct Options {
  std::string dialect = "sqlite";
  std::string pgUrl;
  int certs = 20000;
  int clients = 16;
  bool cfssl = true;
  bool est = false;
  bool cfsslTls = false;
  std::map<std::string, std::string> serverEnv;  // --server-env KEY=VALUE
};

[[noreturn]] void usage(const std::string& error) {
  if (!error.empty()) std::cerr << "issuance_bench: " << error << "\n";
  std::cerr << R"(usage: issuance_bench [options]
  --dialect sqlite|postgres   database of the server (default sqlite)
  --pg-url URL                admin URL of a PostgreSQL server (with --dialect postgres)
  --certs N                   certificates to issue (default 20000)
  --clients K                 concurrent clients (default 16)
  --no-cfssl                  skip the cfssl comparison
  --cfssl-tls                 also measure cfssl serve behind TLS (-tls-cert/-tls-key)
  --est                       enroll through EST simpleenroll instead of the agent CSR API
  --server-env KEY=VALUE      extra server environment (repeatable), e.g. LD_PRELOAD=...
)";
  std::exit(error.empty() ? 0 : 2);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--dialect")
      o.dialect = value();
    else if (arg == "--pg-url")
      o.pgUrl = value();
    else if (arg == "--certs")
      o.certs = std::stoi(value());
    else if (arg == "--clients")
      o.clients = std::stoi(value());
    else if (arg == "--server-env") {
      std::string kv = value();
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) usage("--server-env needs KEY=VALUE");
      o.serverEnv[kv.substr(0, eq)] = kv.substr(eq + 1);
    } else if (arg == "--no-cfssl")
      o.cfssl = false;
    else if (arg == "--est")
      o.est = true;
    else if (arg == "--cfssl-tls")
      o.cfsslTls = true;
    else if (arg == "-h" || arg == "--help")
      usage("");
    else
      usage("unknown option " + arg);
  }
  if (o.dialect == "postgres" && o.pgUrl.empty()) usage("--dialect postgres needs --pg-url");
  if (o.certs < 1 || o.clients < 1) usage("--certs and --clients must be positive");
  return o;
}

void printSummary(const std::string& name, const certctl::bench::Summary& s) {
  std::printf("%-34s %8.0f certs/s  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  errors %lld\n",
              name.c_str(), s.rps, s.p50, s.p99, s.max, s.errors);
}

// ---- certctl ----------------------------------------------------------------

// runLoad on certctl, printing the CPU the server and this process used per
// certificate (steadier than certs/s on a shared machine).
template <typename Job>
certctl::bench::Summary measuredLoad(certctl::testing::ServerProcess& server, const Options& opt,
                                     int count, Job job) {
  auto makeClient = [&] {
    return std::make_unique<certctl::bench::Client>(server.port(), server.caFile().string(),
                                                    server.apiKey());
  };
  double serverCpuBefore = processCpuSeconds(server.pid());
  double benchCpuBefore = ownCpuSeconds();
  auto summary = runLoad(count, opt.clients, makeClient, job);
  double serverCpu = processCpuSeconds(server.pid()) - serverCpuBefore;
  double benchCpu = ownCpuSeconds() - benchCpuBefore;
  std::printf("CPU per certificate: server %.0f us, load generator %.0f us\n",
              serverCpu * 1e6 / count, benchCpu * 1e6 / count);
  return summary;
}

// POST /api/v1/agents/{id}/csr for certificates created (and waiting in
// AwaitingCSR) beforehand.
certctl::bench::Summary loadAgentCsrs(certctl::testing::ServerProcess& server, const Options& opt,
                                      const std::vector<std::string>& csrs) {
  auto agent = server.post("/api/v1/agents", {{"name", "bench-agent"}, {"hostname", "bench"}});
  if (agent.status != 201) throw std::runtime_error("register agent: " + agent.body);
  std::string agentId = agent.json()["id"];

  // N certificates, each waiting for its CSR.
  std::vector<std::string> certIds(csrs.size());
  auto makeClient = [&] {
    return std::make_unique<certctl::bench::Client>(server.port(), server.caFile().string(),
                                                    server.apiKey());
  };
  auto setupStart = Clock::now();
  auto setup = runLoad(static_cast<int>(csrs.size()), opt.clients, makeClient,
                       [&](certctl::bench::Client& client, int i) {
                         std::string cn = "bench-" + std::to_string(i) + ".example.com";
                         json body = {{"name", cn},
                                      {"common_name", cn},
                                      {"sans", {cn}},
                                      {"issuer_id", "iss-local"},
                                      {"agent_id", agentId}};
                         std::string out;
                         int status = client.post("/api/v1/certificates", body.dump(), out);
                         if (status != 201) {
                           reportError(status, out);
                           return false;
                         }
                         certIds[static_cast<std::size_t>(i)] = json::parse(out)["id"];
                         return true;
                       });
  std::printf("setup: %zu certificates created in %.1f s (%lld errors)\n", csrs.size(),
              secondsSince(setupStart), setup.errors);
  if (setup.errors) throw std::runtime_error("certificate creation failed");
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let the jobs reach AwaitingCSR

  std::string path = "/api/v1/agents/" + agentId + "/csr";
  return measuredLoad(server, opt, static_cast<int>(csrs.size()),
                      [&](certctl::bench::Client& client, int i) {
                        json body = {{"certificate_id", certIds[static_cast<std::size_t>(i)]},
                                     {"csr_pem", csrs[static_cast<std::size_t>(i)]}};
                        std::string out;
                        int status = client.post(path, body.dump(), out);
                        if (status != 200) reportError(status, out);
                        return status == 200;
                      });
}

// EST simpleenroll (RFC 7030): base64 DER CSRs, anonymous; each enrollment
// creates its managed certificate, job and version.
certctl::bench::Summary loadEstEnrollments(certctl::testing::ServerProcess& server,
                                           const Options& opt,
                                           const std::vector<std::string>& csrs) {
  std::vector<std::string> bodies;
  bodies.reserve(csrs.size());
  for (const auto& pem : csrs) bodies.push_back(pki::base64Encode(pki::Csr::fromPem(pem).toDer()));
  return measuredLoad(
      server, opt, static_cast<int>(csrs.size()), [&](certctl::bench::Client& client, int i) {
        std::string out;
        int status = client.post("/.well-known/est/simpleenroll",
                                 bodies[static_cast<std::size_t>(i)], out, "application/pkcs10");
        if (status != 200) reportError(status, out);
        return status == 200;
      });
}

certctl::bench::Summary benchCertctl(const Options& opt, const std::vector<std::string>& csrs) {
  std::unique_ptr<certctl::bench::PostgresDatabase> pg;
  certctl::testing::ServerProcessOptions so;
  so.ownDatabase = false;
  so.env = {{"CERTCTL_RATE_LIMIT_ENABLED", "false"},
            {"CERTCTL_LOG_LEVEL", "warn"},
            {"CERTCTL_KEYGEN_MODE", "agent"},
            {"CERTCTL_DATABASE_MAX_CONNS", "32"}};
  if (opt.est) so.env["CERTCTL_EST_ENABLED"] = "true";
  for (const auto& [key, value] : opt.serverEnv) so.env[key] = value;
  if (opt.dialect == "postgres") {
    pg = std::make_unique<certctl::bench::PostgresDatabase>(opt.pgUrl);
    so.env["CERTCTL_DATABASE_URL"] = pg->url();
  }
  certctl::testing::ServerProcess server(so);
  std::cout << "certctl-server (" << opt.dialect << ") on port " << server.port() << std::endl;

  auto summary = opt.est ? loadEstEnrollments(server, opt, csrs) : loadAgentCsrs(server, opt, csrs);

  // Every 200 must be a stored version: counted in the database itself.
  auto db = certctl::store::Database::open(server.databaseUrl(), 1);
  auto lease = db->acquire();
  auto rows = lease.run("SELECT COUNT(*) FROM certificate_versions");
  long long stored = std::stoll(rows.rows.at(0).at(0).value_or("0"));
  long long ok = static_cast<long long>(csrs.size()) - summary.errors;
  std::printf("stored certificate versions: %lld (%lld successful submissions)\n", stored, ok);
  if (stored != ok) throw std::runtime_error("stored versions differ from successful submissions");
  return summary;
}

// ---- cfssl --------------------------------------------------------------------

class SpawnedProcess {
 public:
  explicit SpawnedProcess(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0)
      throw std::runtime_error("cannot start " + argv[0]);
    posix_spawn_file_actions_destroy(&actions);
  }
  pid_t pid() const { return pid_; }
  ~SpawnedProcess() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_ = -1;
};

struct PlainClient {
  explicit PlainClient(int port) : session("127.0.0.1", static_cast<Poco::UInt16>(port)) {
    session.setKeepAlive(true);
  }
  int post(const std::string& path, const std::string& body, std::string& out) {
    try {
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      req.setKeepAlive(true);
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
      session.sendRequest(req) << body;
      Poco::Net::HTTPResponse resp;
      out.clear();
      Poco::StreamCopier::copyToString(session.receiveResponse(resp), out);
      return resp.getStatus();
    } catch (const std::exception&) {
      session.reset();
      return 0;
    }
  }
  Poco::Net::HTTPClientSession session;
};

// `cfssl serve` on loopback with a fresh ECDSA P-256 CA; with `tls`, behind
// a P-256 TLS certificate it presents to the same HTTPS client as certctl's.
certctl::bench::Summary benchCfssl(const Options& opt, const std::vector<std::string>& csrs,
                                   bool tls) {
  certctl::testing::TempDir dir;
  auto p = [&](const char* name) { return (dir.path() / name).string(); };
  std::ofstream(p("csr.json")) << R"({"CN":"cfssl bench CA","key":{"algo":"ecdsa","size":256}})";
  std::ofstream(p("config.json"))
      << R"({"signing":{"default":{"expiry":"2160h","usages":["digital signature","server auth"]}}})";
  auto genkey = certctl::testing::runProcess({"cfssl", "genkey", "-initca", p("csr.json")});
  if (genkey.exitCode != 0) throw std::runtime_error("cfssl genkey: " + genkey.output);
  auto out = json::parse(genkey.output.substr(genkey.output.find('{')));
  std::ofstream(p("ca.pem")) << out["cert"].get<std::string>();
  std::ofstream(p("ca-key.pem")) << out["key"].get<std::string>();

  int port = certctl::testing::freeLoopbackPort();
  std::vector<std::string> argv = {
      "cfssl", "serve",     "-address", "127.0.0.1",     "-port",   std::to_string(port),
      "-ca",   p("ca.pem"), "-ca-key",  p("ca-key.pem"), "-config", p("config.json")};
  if (tls) {
    const auto key = pki::PrivateKey::generateEcP256();
    const auto cert = pki::CertificateBuilder()
                          .commonName("127.0.0.1")
                          .ipAddress("127.0.0.1")
                          .serverAuth()
                          .validFor(std::chrono::hours(24))
                          .selfSign(key);
    std::ofstream(p("tls.pem")) << cert.toPem();
    std::ofstream(p("tls-key.pem")) << key.toPkcs8Pem();
    argv.insert(argv.end(), {"-tls-cert", p("tls.pem"), "-tls-key", p("tls-key.pem")});
  }
  SpawnedProcess cfssl(argv, dir.path() / "cfssl.log");
  // Wait until it answers.
  for (int i = 0; i < 100; ++i) {
    std::string body;
    const int status =
        tls ? certctl::bench::Client(port, p("tls.pem"), "").post("/api/v1/cfssl/sign", "{}", body)
            : PlainClient(port).post("/api/v1/cfssl/sign", "{}", body);
    if (status != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cout << "cfssl serve" << (tls ? " (TLS)" : "") << " on port " << port << std::endl;
  auto sign = [&](auto& client, int i) {
    std::string cn = "bench-" + std::to_string(i) + ".example.com";
    json body = {{"certificate_request", csrs[static_cast<std::size_t>(i)]}, {"hosts", {cn}}};
    std::string response;
    return client.post("/api/v1/cfssl/sign", body.dump(), response) == 200 &&
           response.find("\"success\":true") != std::string::npos;
  };
  double cfsslCpuBefore = processCpuSeconds(cfssl.pid());
  const int count = static_cast<int>(csrs.size());
  auto summary =
      tls ? runLoad(
                count, opt.clients,
                [&] { return std::make_unique<certctl::bench::Client>(port, p("tls.pem"), ""); },
                [&](certctl::bench::Client& client, int i) { return sign(client, i); })
          : runLoad(
                count, opt.clients, [&] { return std::make_unique<PlainClient>(port); },
                [&](PlainClient& client, int i) { return sign(client, i); });
  std::printf(
      "CPU per certificate: cfssl %.0f us\n",
      (processCpuSeconds(cfssl.pid()) - cfsslCpuBefore) * 1e6 / static_cast<double>(csrs.size()));
  return summary;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parseOptions(argc, argv);
  Poco::Net::initializeSSL();
  signal(SIGPIPE, SIG_IGN);
  std::printf("issuance_bench: %d ECDSA P-256 CSRs, %d clients, dialect %s\n", opt.certs,
              opt.clients, opt.dialect.c_str());
  auto csrStart = Clock::now();
  auto csrs = makeCsrs(opt.certs);
  std::printf("made %d CSRs in %.1f s\n", opt.certs, secondsSince(csrStart));
  try {
    auto ours = benchCertctl(opt, csrs);
    printSummary(
        std::string(opt.est ? "certctl (EST, stored) " : "certctl (REST, stored) ") + opt.dialect,
        ours);
    if (opt.cfssl) {
      auto theirs = benchCfssl(opt, csrs, false);
      printSummary("cfssl serve (not stored)", theirs);
      if (theirs.rps > 0) std::printf("ratio certctl / cfssl: %.2f\n", ours.rps / theirs.rps);
    }
    if (opt.cfsslTls) {
      auto theirs = benchCfssl(opt, csrs, true);
      printSummary("cfssl serve, TLS (not stored)", theirs);
      if (theirs.rps > 0) std::printf("ratio certctl / cfssl (TLS): %.2f\n", ours.rps / theirs.rps);
    }
  } catch (const std::exception& e) {
    std::cerr << "issuance_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
