#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/bench/inventory_bench.h"

namespace certctl::bench {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Values are derived from n so that sort order on expires_at, name and id all
// differ: expiry offsets use a multiplicative hash (Knuth), the status and
// environment buckets other residues. Offsets span 400 days, from 30 days in
// the past (Expired) to 370 days ahead; 2 % have no expiry (Pending).
constexpr const char* kSqliteLoad = R"SQL(
BEGIN;
INSERT INTO issuers (id, name, type, config, description)
  VALUES ('iss-bench-local', 'bench-local-ca', 'local', '{"validity_days":90}', 'benchmark issuer');
WITH RECURSIVE
  seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < @ROWS@),
  base(now_s) AS (SELECT CAST(strftime('%s', 'now') AS INTEGER)),
  gen AS (
    SELECT n, now_s,
           ((n * 2654435761) % 34560000) - 2592000 AS off,
           ((n * 40503) % 65536) % 100 AS bucket,
           CASE (n * 7) % 10 WHEN 0 THEN NULL WHEN 1 THEN 'development'
             WHEN 2 THEN 'staging' WHEN 3 THEN 'staging' ELSE 'production' END AS env,
           printf('svc%06d.%s.bench.example.com', n,
                  CASE n % 5 WHEN 0 THEN 'eu' WHEN 1 THEN 'us' WHEN 2 THEN 'ap'
                    WHEN 3 THEN 'corp' ELSE 'edge' END) AS cn
    FROM seq, base)
INSERT INTO managed_certificates
  (id, name, common_name, sans, environment, issuer_id, status, expires_at, tags, source,
   revoked_at, revocation_reason, created_at, updated_at)
SELECT printf('mc-bench-%06d-%08x', n, (n * 2654435761) % 4294967296),
       printf('bench-%06d', n),
       cn,
       json_array(cn, 'www.' || cn),
       env,
       'iss-bench-local',
       CASE WHEN bucket < 2 THEN 'Pending' WHEN bucket < 4 THEN 'Revoked'
            WHEN bucket = 4 THEN 'Failed' WHEN bucket = 5 THEN 'RenewalInProgress'
            WHEN bucket = 6 THEN 'Archived' WHEN off < 0 THEN 'Expired'
            WHEN off < 2592000 THEN 'Expiring' ELSE 'Active' END,
       CASE WHEN bucket < 2 THEN NULL
            ELSE strftime('%Y-%m-%dT%H:%M:%SZ', now_s + off, 'unixepoch') END,
       json_object('team', 'team-' || (n % 20), 'cost_center', 'cc-' || (n % 7)),
       CASE n % 20 WHEN 0 THEN 'discovery' WHEN 1 THEN 'acme' ELSE 'api' END,
       CASE WHEN bucket BETWEEN 2 AND 3
            THEN strftime('%Y-%m-%dT%H:%M:%SZ', now_s - (n % 86400), 'unixepoch') END,
       CASE WHEN bucket BETWEEN 2 AND 3 THEN 'superseded' END,
       strftime('%Y-%m-%dT%H:%M:%SZ', now_s - 31536000 + (n * 311) % 31536000, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', now_s - (n * 311) % 2592000, 'unixepoch')
FROM gen;
COMMIT;
)SQL";

constexpr const char* kPostgresLoad = R"SQL(
BEGIN;
INSERT INTO issuers (id, name, type, config, description)
  VALUES ('iss-bench-local', 'bench-local-ca', 'local', '{"validity_days":90}', 'benchmark issuer');
INSERT INTO managed_certificates
  (id, name, common_name, sans, environment, issuer_id, status, expires_at, tags, source,
   revoked_at, revocation_reason, created_at, updated_at)
SELECT format('mc-bench-%s-%s', lpad(n::text, 6, '0'),
              lpad(to_hex((n * 2654435761) % 4294967296), 8, '0')),
       'bench-' || lpad(n::text, 6, '0'),
       cn,
       jsonb_build_array(cn, 'www.' || cn),
       env,
       'iss-bench-local',
       CASE WHEN bucket < 2 THEN 'Pending' WHEN bucket < 4 THEN 'Revoked'
            WHEN bucket = 4 THEN 'Failed' WHEN bucket = 5 THEN 'RenewalInProgress'
            WHEN bucket = 6 THEN 'Archived' WHEN off < 0 THEN 'Expired'
            WHEN off < 2592000 THEN 'Expiring' ELSE 'Active' END,
       CASE WHEN bucket < 2 THEN NULL ELSE to_timestamp(now_s + off) END,
       jsonb_build_object('team', 'team-' || (n % 20), 'cost_center', 'cc-' || (n % 7)),
       CASE n % 20 WHEN 0 THEN 'discovery' WHEN 1 THEN 'acme' ELSE 'api' END,
       CASE WHEN bucket BETWEEN 2 AND 3 THEN to_timestamp(now_s - (n % 86400)) END,
       CASE WHEN bucket BETWEEN 2 AND 3 THEN 'superseded' END,
       to_timestamp(now_s - 31536000 + (n * 311) % 31536000),
       to_timestamp(now_s - (n * 311) % 2592000)
FROM (
  SELECT n, now_s,
         ((n * 2654435761) % 34560000) - 2592000 AS off,
         ((n * 40503) % 65536) % 100 AS bucket,
         CASE (n * 7) % 10 WHEN 0 THEN NULL WHEN 1 THEN 'development'
           WHEN 2 THEN 'staging' WHEN 3 THEN 'staging' ELSE 'production' END AS env,
         format('svc%s.%s.bench.example.com', lpad(n::text, 6, '0'),
                CASE n % 5 WHEN 0 THEN 'eu' WHEN 1 THEN 'us' WHEN 2 THEN 'ap'
                  WHEN 3 THEN 'corp' ELSE 'edge' END) AS cn
  FROM generate_series(1::bigint, @ROWS@::bigint) AS n,
       (SELECT extract(epoch FROM date_trunc('second', now()))::bigint AS now_s) AS base
) AS gen;
COMMIT;
)SQL";

std::string withRows(std::string sql, int rows) {
  const std::string token = "@ROWS@";
  for (auto pos = sql.find(token); pos != std::string::npos; pos = sql.find(token))
    sql.replace(pos, token.size(), std::to_string(rows));
  return sql;
}

std::string rowsToText(Poco::Data::RecordSet& rs) {
  std::string out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    out += "    ";
    // SQLite: id|parent|notused|detail, PostgreSQL: one "QUERY PLAN" column.
    std::size_t col = rs.columnCount() - 1;
    out += rs.value(col, row).convert<std::string>();
    out += "\n";
  }
  return out;
}

}  // namespace

LoadResult loadInventory(store::Database& db, int rows, bool analyze) {
  LoadResult result;
  bool pg = db.dialect() == store::Dialect::Postgres;
  auto lease = db.acquire();
  auto start = Clock::now();
  db.executeScript(*lease, withRows(pg ? kPostgresLoad : kSqliteLoad, rows));
  result.seconds = secondsSince(start);
  if (analyze) {
    start = Clock::now();
    db.executeScript(*lease, pg ? "ANALYZE managed_certificates" : "ANALYZE");
    result.analyzeSeconds = secondsSince(start);
  }
  using namespace Poco::Data::Keywords;
  *lease << "SELECT id FROM managed_certificates", into(result.ids), now;
  return result;
}

std::string explainQueries(store::Database& db, int rows) {
  bool pg = db.dialect() == store::Dialect::Postgres;
  auto lease = db.acquire();
  // A cursor from the middle of the walk.
  std::string sortValue, lastId;
  {
    using namespace Poco::Data::Keywords;
    std::string sql =
        pg ? "SELECT to_char(COALESCE(expires_at, '0001-01-01T00:00:00Z'::timestamptz) AT TIME "
             "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), id FROM managed_certificates ORDER BY "
             "COALESCE(expires_at, '0001-01-01T00:00:00Z'::timestamptz) DESC, id DESC "
             "LIMIT 1 OFFSET " +
                 std::to_string(rows / 2)
           : "SELECT CAST(COALESCE(expires_at, '0001-01-01T00:00:00Z') AS TEXT), id FROM "
             "managed_certificates ORDER BY COALESCE(expires_at, '0001-01-01T00:00:00Z') DESC, "
             "id DESC LIMIT 1 OFFSET " +
                 std::to_string(rows / 2);
    Poco::Data::Statement stmt(*lease);
    stmt << sql, into(sortValue), into(lastId);
    stmt.execute();
  }
  // Spelled like SqlResourceRepository::list()/get() (columns abridged: the
  // select list does not change the plan).
  std::vector<std::pair<std::string, std::string>> queries;
  if (pg) {
    std::string expr = "COALESCE(expires_at, '0001-01-01T00:00:00Z'::timestamptz)";
    std::string select = "SELECT id, name, common_name, sans::text, to_char(" + expr +
                         " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
                         "managed_certificates";
    std::string order = " ORDER BY " + expr + " DESC, id DESC LIMIT 51";
    queries = {
        {"list, first page", select + order},
        {"list, cursor page", select + " WHERE (" + expr + ", id) < ('" + sortValue +
                                  "'::timestamptz, '" + lastId + "'::text)" + order},
        {"single read",
         "SELECT id, name FROM managed_certificates WHERE id = '" + lastId + "'::text"},
    };
    for (auto& [name, sql] : queries) sql = "EXPLAIN (ANALYZE, BUFFERS) " + sql;
  } else {
    std::string expr = "COALESCE(expires_at, '0001-01-01T00:00:00Z')";
    std::string select =
        "SELECT id, name, common_name, sans, CAST(" + expr + " AS TEXT) FROM managed_certificates";
    std::string order = " ORDER BY " + expr + " DESC, id DESC LIMIT 51";
    queries = {
        {"list, first page", select + order},
        {"list, cursor page", select + " WHERE " + expr + " <= '" + sortValue + "' AND (" + expr +
                                  " < '" + sortValue + "' OR id < '" + lastId + "')" + order},
        {"single read", "SELECT id, name FROM managed_certificates WHERE id = '" + lastId + "'"},
    };
    for (auto& [name, sql] : queries) sql = "EXPLAIN QUERY PLAN " + sql;
  }
  std::string out;
  for (auto& [name, sql] : queries) {
    Poco::Data::Statement stmt(*lease);
    stmt << sql;
    stmt.execute();
    Poco::Data::RecordSet rs(stmt);
    out += "  " + name + ":\n" + rowsToText(rs);
  }
  return out;
}

long long countAuditEvents(store::Database& db) {
  using namespace Poco::Data::Keywords;
  auto lease = db.acquire();
  Poco::Int64 count = 0;
  *lease << "SELECT COUNT(*) FROM audit_events", into(count), now;
  return count;
}

// ---- databases -------------------------------------------------------------

std::string randomHex(int bytes) {
  std::vector<unsigned char> buf(static_cast<std::size_t>(bytes));
  RAND_bytes(buf.data(), bytes);
  std::string out;
  for (unsigned char b : buf) {
    out += "0123456789abcdef"[b >> 4];
    out += "0123456789abcdef"[b & 15];
  }
  return out;
}

PostgresDatabase::PostgresDatabase(const std::string& adminUrl) : adminUrl_(adminUrl) {
  name_ = "certctl_bench_" + randomHex(4);
  auto admin = store::Database::open(adminUrl_, 1);
  auto lease = admin->acquire();
  admin->executeScript(*lease, "CREATE DATABASE " + name_);
  auto slash = adminUrl_.find('/', adminUrl_.find("://") + 3);
  auto query = adminUrl_.find('?');
  url_ = adminUrl_.substr(0, slash) + "/" + name_ +
         (query == std::string::npos ? "" : adminUrl_.substr(query));
}

PostgresDatabase::~PostgresDatabase() {
  try {
    auto admin = store::Database::open(adminUrl_, 1);
    auto lease = admin->acquire();
    admin->executeScript(*lease, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "warning: could not drop " << name_ << ": " << e.what() << "\n";
  }
}

// ---- HTTP ------------------------------------------------------------------

Client::Client(int port, std::string caFile, std::string apiKey)
    : port_(port), caFile_(std::move(caFile)), authorization_("Bearer " + std::move(apiKey)) {
  context_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", caFile_,
                                    Poco::Net::Context::VERIFY_STRICT, 9, false);
}

Client::~Client() = default;

void Client::connect() {
  session_ = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", port_, context_);
  session_->setKeepAlive(true);
  session_->setTimeout(Poco::Timespan(30, 0));
  ++reconnects_;
}

std::atomic<long long> Client::total_{0};

int Client::get(const std::string& path, std::string& body) {
  return send(Poco::Net::HTTPRequest::HTTP_GET, path, nullptr, body);
}

int Client::post(const std::string& path, const std::string& json, std::string& body,
                 const std::string& contentType) {
  return send(Poco::Net::HTTPRequest::HTTP_POST, path, &json, body, contentType);
}

int Client::send(const std::string& method, const std::string& path, const std::string* json,
                 std::string& body, const std::string& contentType) {
  body.clear();
  ++total_;
  try {
    if (!session_) connect();
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    request.set("Authorization", authorization_);
    if (json) {
      request.setContentType(contentType);
      request.setContentLength(static_cast<std::streamsize>(json->size()));
    }
    std::ostream& out = session_->sendRequest(request);
    if (json) out << *json;
    Poco::Net::HTTPResponse response;
    std::istream& in = session_->receiveResponse(response);
    Poco::StreamCopier::copyToString(in, body);
    if (!response.getKeepAlive()) session_.reset();
    return response.getStatus();
  } catch (const Poco::Exception&) {
    session_.reset();
    return 0;
  } catch (const std::exception&) {
    session_.reset();
    return 0;
  }
}

std::string extractNextCursor(const std::string& body) {
  static const std::string key = "\"next_cursor\":";
  auto pos = body.rfind(key);  // the envelope key follows "data" in nlohmann's sorted dump
  if (pos == std::string::npos) return {};
  pos += key.size();
  while (pos < body.size() && body[pos] == ' ') ++pos;
  if (pos >= body.size() || body[pos] != '"') return {};
  auto end = body.find('"', pos + 1);
  if (end == std::string::npos) return {};
  return body.substr(pos + 1, end - pos - 1);
}

int countItems(const std::string& body) {
  static const std::string key = "\"common_name\":";
  int n = 0;
  for (auto pos = body.find(key); pos != std::string::npos; pos = body.find(key, pos + key.size()))
    ++n;
  return n;
}

// ---- statistics ------------------------------------------------------------

Summary summarize(std::vector<double>& latenciesMs, long long errors, double seconds) {
  Summary s;
  s.requests = static_cast<long long>(latenciesMs.size());
  s.errors = errors;
  s.seconds = seconds;
  s.rps = seconds > 0 ? static_cast<double>(s.requests) / seconds : 0;
  if (latenciesMs.empty()) return s;
  std::sort(latenciesMs.begin(), latenciesMs.end());
  auto at = [&](double q) {
    auto index = static_cast<std::size_t>(std::ceil(q * static_cast<double>(latenciesMs.size())));
    return latenciesMs[std::min(latenciesMs.size() - 1, index == 0 ? 0 : index - 1)];
  };
  s.p50 = at(0.50);
  s.p90 = at(0.90);
  s.p99 = at(0.99);
  s.max = latenciesMs.back();
  return s;
}

// ---- the server process ----------------------------------------------------

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Fields after the ")" that ends comm in /proc/<pid>/stat, numbered from 3 (state).
std::vector<std::string> statFields(pid_t pid) {
  std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream in(stat.substr(close + 2));
  std::string f;
  while (in >> f) fields.push_back(f);
  return fields;
}

}  // namespace

pid_t findServerPid(int port) {
  const std::string portVar = "CERTCTL_SERVER_PORT=" + std::to_string(port);
  DIR* proc = opendir("/proc");
  if (!proc) return -1;
  pid_t found = -1;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    auto fields = statFields(static_cast<pid_t>(pid));
    if (fields.size() < 2 || std::stol(fields[1]) != getpid()) continue;  // ppid
    std::string environ = slurp("/proc/" + std::to_string(pid) + "/environ");
    std::replace(environ.begin(), environ.end(), '\0', '\n');
    if (("\n" + environ).find("\n" + portVar + "\n") == std::string::npos) continue;
    found = static_cast<pid_t>(pid);
    break;
  }
  closedir(proc);
  return found;
}

ProcSample readProc(pid_t pid) {
  ProcSample sample;
  std::istringstream status(slurp("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) sample.rssKb = std::stol(line.substr(6));
    if (line.rfind("Threads:", 0) == 0) sample.threads = std::stol(line.substr(8));
  }
  auto fields = statFields(pid);
  if (fields.size() > 12) {
    static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    sample.cpuSeconds = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;  // utime, stime
  }
  return sample;
}

double selfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return tv(usage.ru_utime) + tv(usage.ru_stime);
}

std::map<pid_t, double> postgresCpu(int port) {
  std::map<pid_t, double> cpu;
  if (port <= 0) return cpu;
  const std::string portArg = std::to_string(port);
  std::vector<std::pair<pid_t, pid_t>> processes;  // pid, ppid
  pid_t postmaster = -1;
  DIR* proc = opendir("/proc");
  if (!proc) return cpu;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    auto fields = statFields(static_cast<pid_t>(pid));
    if (fields.size() < 2) continue;
    processes.emplace_back(static_cast<pid_t>(pid), static_cast<pid_t>(std::stol(fields[1])));
    std::string cmdline = slurp("/proc/" + std::to_string(pid) + "/cmdline");
    std::vector<std::string> args;
    std::stringstream ss(cmdline);
    for (std::string a; std::getline(ss, a, '\0');) args.push_back(a);
    if (args.empty() || args[0].size() < 8 ||
        args[0].compare(args[0].size() - 8, 8, "postgres") != 0)
      continue;
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == "-p" && args[i + 1] == portArg) postmaster = static_cast<pid_t>(pid);
  }
  closedir(proc);
  if (postmaster <= 0) return cpu;
  for (const auto& [pid, ppid] : processes)
    if (pid == postmaster || ppid == postmaster) cpu[pid] = readProc(pid).cpuSeconds;
  return cpu;
}

double cpuDelta(const std::map<pid_t, double>& before, const std::map<pid_t, double>& after) {
  double total = 0;
  for (const auto& [pid, seconds] : after) {
    auto it = before.find(pid);
    total += seconds - (it == before.end() ? 0 : it->second);
  }
  return total;
}

double machineBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;  // "cpu": the sum over all CPUs
  double total = 0, idle = 0;
  for (int i = 0; i < 8; ++i) {  // user nice system idle iowait irq softirq steal
    double v = 0;
    in >> v;
    total += v;
    if (i == 3 || i == 4) idle += v;
  }
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (total - idle) / ticks;
}

Sampler::Sampler(pid_t pid) : pid_(pid) {
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      auto sample = readProc(pid_);
      long rss = peakRss_.load();
      while (sample.rssKb > rss && !peakRss_.compare_exchange_weak(rss, sample.rssKb)) {
      }
      long threads = peakThreads_.load();
      while (sample.threads > threads &&
             !peakThreads_.compare_exchange_weak(threads, sample.threads)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

Sampler::~Sampler() {
  stop_ = true;
  thread_.join();
}

void Sampler::resetPeak() {
  auto sample = readProc(pid_);
  peakRss_ = sample.rssKb;
  peakThreads_ = sample.threads;
}

}  // namespace certctl::bench
