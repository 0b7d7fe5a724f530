// ocsp_bench: OCSP responses/s and latency of the certctl responder against
// `openssl ocsp -index ... -multi 2` serving the same certificates.
//
//  1. Starts the real certctl-server (plain HTTP, CERTCTL_LOG_LEVEL=warn: no
//     access-log line per request) and loads N issued certificates of the
//     local CA iss-local straight into its database (managed certificate +
//     version each), M of them revoked (certificate_revocations + status).
//  2. Warms the responder: every serial once, from 4 keep-alive clients;
//     each answer is parsed and checked (signature by the responder of
//     iss-local, good/revoked as seeded).
//  3. wrk (keep-alive, POST application/ocsp-request, random serials from a
//     pool of pre-built DER requests without nonce, as RFC 5019 clients send)
//     against certctl, then against `openssl ocsp` given the same CA, the
//     same delegated responder certificate and key and an index.txt of the
//     same certificates. openssl binds every interface, so it and its wrk run
//     inside `unshare -n` (a private network namespace with only loopback).
//
// Run by hand (docs/benchmarks.md): build/dev/bin/ocsp_bench [options]

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "core/domain/timestamps.h"
#include "core/store/database.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/fingerprint.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/test_database.h"

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using Clock = std::chrono::steady_clock;
using certctl::testing::runProcess;

namespace {

struct Options {
  int issued = 100000;
  int revoked = 10000;
  int seconds = 10;
  int connections = 8;
  int threads = 2;
  int pool = 20000;  // distinct pre-built requests wrk picks from
  bool openssl = true;
  std::map<std::string, std::string> serverEnv;
};

[[noreturn]] void usage(const std::string& error = {}) {
  if (!error.empty()) std::cerr << "ocsp_bench: " << error << "\n";
  std::cerr << "usage: ocsp_bench [--issued N] [--revoked M] [--seconds S] [--connections C]\n"
               "                  [--threads T] [--pool P] [--no-openssl] [--server-env K=V]...\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--issued")
      o.issued = std::stoi(next());
    else if (a == "--revoked")
      o.revoked = std::stoi(next());
    else if (a == "--seconds")
      o.seconds = std::stoi(next());
    else if (a == "--connections")
      o.connections = std::stoi(next());
    else if (a == "--threads")
      o.threads = std::stoi(next());
    else if (a == "--pool")
      o.pool = std::stoi(next());
    else if (a == "--no-openssl")
      o.openssl = false;
    else if (a == "--server-env") {
      auto kv = next();
      auto eq = kv.find('=');
      if (eq == std::string::npos) usage("--server-env needs KEY=VALUE");
      o.serverEnv[kv.substr(0, eq)] = kv.substr(eq + 1);
    } else
      usage("unknown option " + a);
  }
  if (o.revoked > o.issued) usage("--revoked must not exceed --issued");
  return o;
}

void writeFile(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// 128-bit serials whose first octet is >= 0x10, so the canonical form (no
// leading zeros) is also the whole-octet form openssl's index.txt uses.
std::vector<std::string> makeSerials(int n) {
  std::mt19937_64 rng(20261122);
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::string bytes(16, '\0');
    for (int j = 0; j < 16; j += 8) {
      const std::uint64_t r = rng();
      for (int k = 0; k < 8; ++k)
        bytes[static_cast<std::size_t>(j + k)] = static_cast<char>(r >> (8 * k));
    }
    if (static_cast<unsigned char>(bytes[0]) < 0x10) bytes[0] = static_cast<char>(bytes[0] | 0x10);
    out.push_back(pki::hexEncode(bytes, true));
  }
  return out;
}

const char* kReasons[] = {"keyCompromise", "superseded", "cessationOfOperation", "unspecified"};

// Managed certificate + version per serial, the first `revoked` revoked.
void seed(certctl::store::Database& db, const std::vector<std::string>& serials, int revoked,
          const std::string& notBefore, const std::string& notAfter, const std::string& revokedAt) {
  auto lease = db.acquire();
  const bool pg = db.dialect() == certctl::store::Dialect::Postgres;
  db.executeScript(*lease, "BEGIN");
  const std::size_t batch = 500;
  for (std::size_t start = 0; start < serials.size(); start += batch) {
    std::string certs, versions, revocations;
    for (std::size_t i = start; i < std::min(serials.size(), start + batch); ++i) {
      const std::string n = std::to_string(i);
      const bool isRevoked = static_cast<int>(i) < revoked;
      const std::string reason = kReasons[i % 4];
      certs += std::string(certs.empty() ? "" : ", ") + "('mc-bench-" + n + "', 'bench-" + n +
               "', 'bench-" + n + ".example.test', 'iss-local', '" +
               (isRevoked ? "Revoked" : "Active") + "', '" + notAfter + "', " +
               (isRevoked ? "'" + revokedAt + "', '" + reason + "'" : "NULL, NULL") + ")";
      versions += std::string(versions.empty() ? "" : ", ") + "('cv-bench-" + n + "', 'mc-bench-" +
                  n + "', 'iss-local', '" + serials[i] + "', '" + notBefore + "', '" + notAfter +
                  "', 'fp-" + n + "', 'bench')";
      if (isRevoked)
        revocations += std::string(revocations.empty() ? "" : ", ") + "('rev-bench-" + n +
                       "', 'mc-bench-" + n + "', 'iss-local', '" + serials[i] + "', '" + reason +
                       "', 'bench', '" + revokedAt + "')";
    }
    std::string sql =
        "INSERT INTO managed_certificates (id, name, common_name, issuer_id, status, expires_at, "
        "revoked_at, revocation_reason) VALUES " +
        certs +
        ";\nINSERT INTO certificate_versions (id, certificate_id, issuer_id, serial_number, "
        "not_before, not_after, fingerprint_sha256, pem_chain) VALUES " +
        versions + ";\n";
    if (!revocations.empty())
      sql +=
          "INSERT INTO certificate_revocations (id, certificate_id, issuer_id, serial_number, "
          "reason, revoked_by, revoked_at) VALUES " +
          revocations + ";\n";
    db.executeScript(*lease, sql);
  }
  db.executeScript(*lease, "COMMIT");
  // Checkpoint the bulk load's WAL, as a server that grew slowly would have.
  if (!pg) db.executeScript(*lease, "PRAGMA wal_checkpoint(TRUNCATE)");
  if (pg) db.executeScript(*lease, "ANALYZE");
}

// A DER OCSPRequest (SHA-1 CertID, no nonce) for `serial` of `ca`.
std::string ocspRequest(const pki::Certificate& ca, const std::string& serial) {
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, serial.c_str());
  ASN1_INTEGER* number = BN_to_ASN1_INTEGER(bn, nullptr);
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  OCSP_request_add0_id(req, OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(ca.get()),
                                             X509_get0_pubkey_bitstr(ca.get()), number));
  unsigned char* out = nullptr;
  const int len = i2d_OCSP_REQUEST(req, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  OCSP_REQUEST_free(req);
  ASN1_INTEGER_free(number);
  BN_free(bn);
  return der;
}

// V_OCSP_CERTSTATUS_* of a verified successful response, -1 otherwise.
int certStatus(const std::string& responseDer, const std::string& requestDer, X509_STORE* trust) {
  const auto* p = reinterpret_cast<const unsigned char*>(responseDer.data());
  OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(responseDer.size()));
  int status = -1;
  if (resp && OCSP_response_status(resp) == OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    OCSP_BASICRESP* basic = OCSP_response_get1_basic(resp);
    const auto* q = reinterpret_cast<const unsigned char*>(requestDer.data());
    OCSP_REQUEST* req = d2i_OCSP_REQUEST(nullptr, &q, static_cast<long>(requestDer.size()));
    if (basic && req && OCSP_basic_verify(basic, nullptr, trust, 0) == 1) {
      int reason = 0;
      ASN1_GENERALIZEDTIME *rev = nullptr, *thisUpd = nullptr, *nextUpd = nullptr;
      OCSP_resp_find_status(basic, OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, 0)), &status,
                            &reason, &rev, &thisUpd, &nextUpd);
    }
    OCSP_REQUEST_free(req);
    OCSP_BASICRESP_free(basic);
  }
  OCSP_RESPONSE_free(resp);
  return status;
}

// Every serial once through the server; returns {good, revoked, other}.
std::array<int, 3> warm(int port, const pki::Certificate& ca,
                        const std::vector<std::string>& serials) {
  X509_STORE* trust = X509_STORE_new();
  X509_STORE_add_cert(trust, ca.get());
  std::atomic<std::size_t> next{0};
  std::atomic<int> good{0}, revoked{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
      session.setKeepAlive(true);
      for (std::size_t i = next++; i < serials.size(); i = next++) {
        const std::string der = ocspRequest(ca, serials[i]);
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST,
                                       "/.well-known/pki/ocsp/iss-local",
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/ocsp-request");
        request.setContentLength(static_cast<std::streamsize>(der.size()));
        request.setKeepAlive(true);
        session.sendRequest(request) << der;
        Poco::Net::HTTPResponse response;
        std::ostringstream body;
        body << session.receiveResponse(response).rdbuf();
        const int status = certStatus(body.str(), der, trust);
        if (status == V_OCSP_CERTSTATUS_GOOD)
          ++good;
        else if (status == V_OCSP_CERTSTATUS_REVOKED)
          ++revoked;
        else
          ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  X509_STORE_free(trust);
  return {good.load(), revoked.load(), other.load()};
}

// The wrk script: every request a random one of the pre-built POSTs.
void writeWrkFiles(const fs::path& dir, const pki::Certificate& ca,
                   const std::vector<std::string>& serials, int pool, const std::string& path) {
  std::mt19937 rng(7);
  std::string data;
  for (int i = 0; i < pool; ++i) {
    const std::string der = ocspRequest(ca, serials[rng() % serials.size()]);
    data.push_back(static_cast<char>(der.size() >> 8));
    data.push_back(static_cast<char>(der.size() & 0xff));
    data += der;
  }
  writeFile(dir / "requests.bin", data);
  writeFile(dir / "ocsp.lua",
            "local f = assert(io.open('" + (dir / "requests.bin").string() +
                "', 'rb'))\n"
                "local data = f:read('*a')\nf:close()\n"
                "local reqs = {}\nlocal i = 1\n"
                "while i <= #data do\n"
                "  local n = data:byte(i) * 256 + data:byte(i + 1)\n"
                "  reqs[#reqs + 1] = wrk.format('POST', '" +
                path +
                "',\n"
                "    {['Content-Type'] = 'application/ocsp-request'}, data:sub(i + 2, i + 1 + n))\n"
                "  i = i + 2 + n\nend\n"
                "local count = #reqs\n"
                "math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))\n"
                "request = function() return reqs[math.random(count)] end\n");
}

// CPU accounting from /proc, in clock ticks.
long long processTicks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return utime + stime;
}

// {busy, total} ticks of all CPUs.
std::pair<long long, long long> machineTicks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long v = 0, total = 0, idle = 0;
  in >> cpu;
  for (int i = 0; i < 8 && in >> v; ++i) {
    total += v;
    if (i == 3 || i == 4) idle += v;  // idle, iowait
  }
  return {total - idle, total};
}

// The certctl-server this process started (ServerProcess does not expose it).
int serverPid() {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto open = text.find('('), close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (text.substr(open + 1, close - open - 1) != "certctl-server") continue;
    std::istringstream rest(text.substr(close + 2));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == getpid()) return std::stoi(name);
  }
  return 0;
}

struct CpuUse {
  double serverPercent = 0;   // of one core
  double machinePercent = 0;  // of all cores
};

template <typename Fn>
CpuUse measureCpu(int pid, Fn&& fn) {
  const long long hz = sysconf(_SC_CLK_TCK);
  const long long before = pid ? processTicks(pid) : 0;
  const auto machineBefore = machineTicks();
  const auto start = Clock::now();
  fn();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto machineAfter = machineTicks();
  CpuUse use;
  if (pid) use.serverPercent = 100.0 * (processTicks(pid) - before) / hz / seconds;
  const long long total = machineAfter.second - machineBefore.second;
  if (total > 0) use.machinePercent = 100.0 * (machineAfter.first - machineBefore.first) / total;
  return use;
}

struct WrkResult {
  double rps = 0;
  double p50 = 0, p90 = 0, p99 = 0;  // ms
  long long requests = 0;
  std::string errors;  // "Socket errors" / "Non-2xx" lines
  std::string raw;
};

double toMs(const std::string& value, const std::string& unit) {
  double v = std::stod(value);
  if (unit == "us") return v / 1000;
  if (unit == "s") return v * 1000;
  if (unit == "m") return v * 60000;
  return v;
}

WrkResult parseWrk(const std::string& out) {
  WrkResult r;
  r.raw = out;
  std::smatch m;
  if (std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))")))
    r.rps = std::stod(m[1]);
  if (std::regex_search(out, m, std::regex(R"((\d+) requests in)"))) r.requests = std::stoll(m[1]);
  auto pct = [&](const char* p, double& into) {
    std::smatch pm;
    if (std::regex_search(out, pm,
                          std::regex(std::string(R"(\s)") + p + R"(%\s+([0-9.]+)(us|ms|s|m)\b)")))
      into = toMs(pm[1], pm[2]);
  };
  pct("50", r.p50);
  pct("90", r.p90);
  pct("99", r.p99);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (line.find("Socket errors") != std::string::npos ||
        line.find("Non-2xx") != std::string::npos)
      r.errors += line + " ";
  return r;
}

std::vector<std::string> wrkArgs(const Options& o, const fs::path& script, const std::string& url) {
  return {"wrk",
          "-t",
          std::to_string(o.threads),
          "-c",
          std::to_string(o.connections),
          "-d",
          std::to_string(o.seconds) + "s",
          "--latency",
          "-s",
          script.string(),
          url};
}

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int run(const Options& o) {
  certctl::testing::TempDir work;
  const fs::path dir = work.path();

  certctl::testing::ServerProcessOptions serverOptions;
  serverOptions.tls = false;  // OCSP is plain HTTP (RFC 5019), like the openssl responder
  serverOptions.env["CERTCTL_LOG_LEVEL"] = "warn";
  serverOptions.env["CERTCTL_DATABASE_MAX_CONNS"] = "8";
  for (const auto& [k, v] : o.serverEnv) serverOptions.env[k] = v;
  certctl::testing::ServerProcess server(serverOptions);
  std::printf("certctl-server on :%d, database %s\n", server.port(),
              server.databaseUrl().rfind("postgres", 0) == 0 ? "PostgreSQL" : "SQLite");

  // The server created iss-local on start; its CA and delegated responder live in the data dir.
  const fs::path issuerDir = server.dataDir() / "issuers" / "iss-local";
  // A first request makes the plugin create its responder certificate if it has not yet.
  {
    auto probe = server.request("POST", "/.well-known/pki/ocsp/iss-local", "x",
                                {{"Content-Type", "application/ocsp-request"}}, "-");
    (void)probe;
  }
  const pki::Certificate ca = pki::Certificate::fromPem(readFile(issuerDir / "ca.crt"));
  fs::copy_file(issuerDir / "ca.crt", dir / "ca.pem");
  fs::copy_file(issuerDir / "ocsp-responder.crt", dir / "responder.pem");
  fs::copy_file(issuerDir / "ocsp-responder.key", dir / "responder.key");

  const auto serials = makeSerials(o.issued);
  const auto now = certctl::domain::nowSeconds();
  const std::string notBefore = certctl::domain::formatRfc3339(now - std::chrono::hours(24));
  const std::string notAfter = certctl::domain::formatRfc3339(now + std::chrono::hours(24 * 90));
  const std::string revokedAt = certctl::domain::formatRfc3339(now - std::chrono::hours(1));
  auto started = Clock::now();
  {
    auto db = certctl::store::Database::open(server.databaseUrl(), 1);
    seed(*db, serials, o.revoked, notBefore, notAfter, revokedAt);
  }
  std::printf("seeded %d issued / %d revoked certificates in %.1f s\n", o.issued, o.revoked,
              std::chrono::duration<double>(Clock::now() - started).count());

  started = Clock::now();
  auto counts = warm(server.port(), ca, serials);
  const double warmSeconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf(
      "warm-up: %zu requests in %.1f s (%.0f/s, each a database read + signature): "
      "%d good, %d revoked, %d other\n",
      serials.size(), warmSeconds, serials.size() / warmSeconds, counts[0], counts[1], counts[2]);
  if (counts[0] != o.issued - o.revoked || counts[1] != o.revoked || counts[2] != 0) {
    std::cerr << "ocsp_bench: wrong answers during warm-up\n";
    return 1;
  }

  const std::string path = "/.well-known/pki/ocsp/iss-local";
  writeWrkFiles(dir, ca, serials, o.pool, path);
  certctl::testing::ProcessResult ours;
  const CpuUse ourCpu = measureCpu(serverPid(), [&] {
    ours = runProcess(
        wrkArgs(o, dir / "ocsp.lua", "http://127.0.0.1:" + std::to_string(server.port()) + path),
        {}, std::chrono::seconds(o.seconds + 60));
  });
  WrkResult certctl = parseWrk(ours.output);

  WrkResult peer;
  CpuUse peerCpu;
  if (o.openssl) {
    // index.txt: V/R lines with the same serials, expiry and revocation data.
    std::string index;
    auto indexTime = [](certctl::domain::TimePoint t) {
      const std::time_t tt = std::chrono::system_clock::to_time_t(t);
      std::tm tm{};
      gmtime_r(&tt, &tm);
      char buf[16];
      std::strftime(buf, sizeof buf, "%y%m%d%H%M%SZ", &tm);
      return std::string(buf);
    };
    const std::string expiry = indexTime(now + std::chrono::hours(24 * 90));
    const std::string revokedTime = indexTime(now - std::chrono::hours(1));
    for (int i = 0; i < o.issued; ++i) {
      const bool isRevoked = i < o.revoked;
      index += std::string(isRevoked ? "R" : "V") + "\t" + expiry + "\t" +
               (isRevoked ? revokedTime + "," + kReasons[i % 4] : "") + "\t" +
               serials[static_cast<std::size_t>(i)] + "\tunknown\t/CN=bench-" + std::to_string(i) +
               "\n";
    }
    writeFile(dir / "index.txt", index);
    writeFile(dir / "index.txt.attr", "unique_subject = no\n");
    writeFile(dir / "probe.der", ocspRequest(ca, serials[0]));
    const std::string peerPort = "8880";
    const std::string peerUrl = "http://127.0.0.1:" + peerPort + path;
    std::string wrk;
    for (const auto& a : wrkArgs(o, dir / "ocsp.lua", peerUrl)) wrk += shellQuote(a) + " ";
    const std::string script =
        "ip link set lo up\n"
        "openssl ocsp -index " +
        shellQuote((dir / "index.txt").string()) + " -port " + peerPort + " -rsigner " +
        shellQuote((dir / "responder.pem").string()) + " -rkey " +
        shellQuote((dir / "responder.key").string()) + " -CA " +
        shellQuote((dir / "ca.pem").string()) + " -nmin 60 -multi 2 >" +
        shellQuote((dir / "openssl-ocsp.log").string()) +
        " 2>&1 &\n"
        "P=$!\n"
        "for i in $(seq 1 100); do\n"
        "  curl -s -o " +
        shellQuote((dir / "probe.resp").string()) + " --data-binary @" +
        shellQuote((dir / "probe.der").string()) + " -H 'Content-Type: application/ocsp-request' " +
        peerUrl +
        " && break\n"
        "  sleep 0.1\ndone\n"
        "echo '--- wrk ---'\n" +
        wrk +
        "\n"
        // The -multi parent only notices SIGTERM once a child exits; it then
        // stops the other child itself.
        "kill -TERM $P\nsleep 0.2\npkill -TERM -P $P\nwait $P\ntrue\n";
    certctl::testing::ProcessResult theirs;
    peerCpu = measureCpu(0, [&] {
      theirs = runProcess({"unshare", "-n", "sh", "-c", script}, {},
                          std::chrono::seconds(o.seconds + 120));
    });
    const auto cut = theirs.output.find("--- wrk ---");
    peer = parseWrk(cut == std::string::npos ? theirs.output : theirs.output.substr(cut));
    X509_STORE* trust = X509_STORE_new();
    X509_STORE_add_cert(trust, ca.get());
    const int probeStatus =
        fs::exists(dir / "probe.resp")
            ? certStatus(readFile(dir / "probe.resp"), readFile(dir / "probe.der"), trust)
            : -1;
    X509_STORE_free(trust);
    if (probeStatus != V_OCSP_CERTSTATUS_REVOKED) {
      std::cerr << "ocsp_bench: openssl ocsp did not answer as expected:\n" << theirs.output;
      return 1;
    }
  }

  std::printf("\nwrk -t%d -c%d -d%ds, POST, %d distinct requests over %d serials, no nonce\n",
              o.threads, o.connections, o.seconds, o.pool, o.issued);
  std::printf(
      "(server cpu%%: 100 = one core; machine cpu%%: all %u cores, wrk and anything else "
      "included)\n",
      std::thread::hardware_concurrency());
  std::printf("%-28s %12s %9s %9s %9s %11s %12s  %s\n", "responder", "responses/s", "p50 ms",
              "p90 ms", "p99 ms", "server cpu%", "machine cpu%", "errors");
  auto row = [](const char* name, const WrkResult& r, const CpuUse& cpu) {
    std::printf("%-28s %12.0f %9.3f %9.3f %9.3f %11s %12.0f  %s\n", name, r.rps, r.p50, r.p90,
                r.p99, cpu.serverPercent > 0 ? std::to_string(int(cpu.serverPercent)).c_str() : "-",
                cpu.machinePercent, r.errors.empty() ? "-" : r.errors.c_str());
  };
  row("certctl (pre-signed cache)", certctl, ourCpu);
  if (o.openssl) {
    row("openssl ocsp -multi 2", peer, peerCpu);
    if (peer.rps > 0) std::printf("ratio certctl / openssl: %.1fx\n", certctl.rps / peer.rps);
  }
  if (certctl.rps == 0) std::cerr << ours.output << "\n";
  if (o.openssl && peer.rps == 0) std::cerr << peer.raw << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines show up while it runs
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "ocsp_bench: " << e.what() << "\n";
    return 1;
  }
}
