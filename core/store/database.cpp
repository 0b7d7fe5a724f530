#include "core/store/database.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/URI.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <unordered_map>

#include "core/domain/errors.h"

namespace certctl::store {

namespace {
// How long a connection waits for SQLite's locks before SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 10000;
}  // namespace

namespace {

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Before SQLite initialises: its allocation statistics take one global
    // mutex on every malloc, which the 30-odd connections contend for.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

bool startsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// Poco's PostgreSQL connector takes libpq keywords, not a URL, and cannot
// quote values; a password with spaces must come from PGPASSWORD instead.
std::string postgresConnectionString(const std::string& url, std::string& redacted) {
  Poco::URI uri(url);
  std::string user, password;
  const std::string& info = uri.getUserInfo();
  auto colon = info.find(':');
  user = info.substr(0, colon);
  if (colon != std::string::npos) password = info.substr(colon + 1);
  std::string decodedUser, decodedPassword;
  Poco::URI::decode(user, decodedUser);
  Poco::URI::decode(password, decodedPassword);
  std::string db = uri.getPath();
  if (!db.empty() && db[0] == '/') db.erase(0, 1);
  auto checkValue = [](const std::string& what, const std::string& v) {
    if (v.find_first_of(" '\\") != std::string::npos)
      throw std::invalid_argument("CERTCTL_DATABASE_URL: " + what +
                                  " must not contain spaces or quotes (use PGPASSWORD)");
  };
  // One pass over the query: ?host=/dir is libpq's own URI form for a
  // Unix-domain socket directory (Debian's /var/run/postgresql); a few other
  // libpq keywords pass through.
  std::string host = uri.getHost().empty() ? std::string("localhost") : uri.getHost();
  std::string options;
  for (const auto& [key, value] : uri.getQueryParameters()) {
    if (key == "host") {
      if (value.empty() || value[0] != '/')
        throw std::invalid_argument(
            "CERTCTL_DATABASE_URL: host= must be an absolute socket directory (the TCP host goes "
            "before the path)");
      checkValue("host", value);
      host = value;
    } else if (key == "sslmode" || key == "sslrootcert" || key == "connect_timeout" ||
               key == "application_name") {
      checkValue(key, value);
      options += " " + key + "=" + value;
    }
  }
  std::string cs = "host=" + host;
  cs += " port=" + std::to_string(uri.getPort() ? uri.getPort() : 5432);
  if (!decodedUser.empty()) {
    checkValue("user", decodedUser);
    cs += " user=" + decodedUser;
  }
  if (!decodedPassword.empty()) {
    checkValue("password", decodedPassword);
    cs += " password=" + decodedPassword;
  }
  if (!db.empty()) {
    checkValue("database", db);
    cs += " dbname=" + db;
  }
  cs += options;
  Poco::URI shown(uri);
  if (!password.empty()) shown.setUserInfo(user + ":***");
  redacted = shown.toString();
  return cs;
}

}  // namespace

// Cached statements are finalized before their session closes.
struct Database::Connection {
  std::unique_ptr<Poco::Data::Session> session;
  std::unordered_map<std::string, CachedStatement> statements;
  // PostgreSQL: SQL text -> name of the statement prepared on this
  // connection (parsed and planned once instead of at every execution).
  std::unordered_map<std::string, std::string> prepared;

  explicit Connection(std::unique_ptr<Poco::Data::Session> s) : session(std::move(s)) {}
  ~Connection() {
    for (auto& [sql, cached] : statements) sqlite3_finalize(cached.stmt);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
};

Database::Lease::Lease(Database& db, std::unique_ptr<Connection> connection)
    : db_(&db), connection_(std::move(connection)) {}

Database::Lease::Lease(Lease&& other) noexcept
    : db_(other.db_), connection_(std::move(other.connection_)), broken_(other.broken_) {}

Database::Lease::~Lease() {
  if (connection_) db_->release(std::move(connection_), broken_);
}

Poco::Data::Session& Database::Lease::operator*() { return *connection_->session; }

Poco::Data::Session* Database::Lease::operator->() { return connection_->session.get(); }

namespace {

// Bounded: the hot statements are a handful; anything beyond is prepared anew.
constexpr std::size_t kMaxCachedStatements = 64;

std::string sqliteMessage(sqlite3* handle) {
  const char* message = sqlite3_errmsg(handle);
  return message != nullptr ? message : "unknown SQLite error";
}

}  // namespace

const Database::CachedStatement& Database::Lease::sqliteStatement(const std::string& sql) {
  auto& cache = connection_->statements;
  auto it = cache.find(sql);
  if (it != cache.end()) return it->second;
  sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(*connection_->session);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(handle, sql.c_str(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
    throw SqlError("SQLite: " + sqliteMessage(handle));
  if (cache.size() >= kMaxCachedStatements) {
    for (auto& [text, cached] : cache) sqlite3_finalize(cached.stmt);
    cache.clear();
  }
  // $N -> SQLite's index, looked up once: by name per execution it is a
  // linear search per parameter, quadratic for a multi-row INSERT.
  CachedStatement cached{stmt, {}};
  const int count = sqlite3_bind_parameter_count(stmt);
  for (int index = 1; index <= count; ++index) {
    const char* name = sqlite3_bind_parameter_name(stmt, index);
    if (name == nullptr || name[0] != '$') continue;
    char* end = nullptr;
    const long n = std::strtol(name + 1, &end, 10);
    if (end == name + 1 || *end != '\0' || n <= 0 || n > 65535) continue;
    if (cached.parameterIndex.size() < static_cast<std::size_t>(n))
      cached.parameterIndex.resize(static_cast<std::size_t>(n), 0);
    cached.parameterIndex[static_cast<std::size_t>(n - 1)] = index;
  }
  return cache.emplace(sql, std::move(cached)).first->second;
}

const std::string* Database::Lease::pgStatement(pg_conn* conn, const std::string& sql) {
  auto& cache = connection_->prepared;
  auto it = cache.find(sql);
  if (it != cache.end()) return &it->second;
  // Data statements only (transaction control stays unnamed), and a bounded
  // number: past it, statements are parsed per execution as before.
  auto starts = [&sql](const char* word) { return sql.rfind(word, 0) == 0; };
  if (cache.size() >= kMaxCachedStatements ||
      !(starts("SELECT") || starts("INSERT") || starts("UPDATE") || starts("DELETE") ||
        starts("WITH")))
    return nullptr;
  std::string name = "certctl_" + std::to_string(cache.size() + 1);
  PGresult* result = PQprepare(conn, name.c_str(), sql.c_str(), 0, nullptr);
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  if (!ok) return nullptr;  // executed unnamed, which reports the error
  return &cache.emplace(sql, std::move(name)).first->second;
}

void Database::Lease::catchUpWal() {
  if (db_->dialect() != Dialect::Sqlite) return;
  // Past this the log must start over even if readers are in the way.
  constexpr int kRestartFrames = 8192;  // 32 MiB of 4 KiB pages
  sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(*connection_->session);
  int logFrames = 0;
  sqlite3_wal_checkpoint_v2(handle, nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, nullptr);
  if (logFrames <= kRestartFrames) return;
  // RESTART waits (busy handler) for the readers of older snapshots, which
  // a busy server always has: a few ms at most, never a long export's
  // duration; what does not finish by then is tried again later.
  sqlite3_busy_timeout(handle, 20);
  sqlite3_wal_checkpoint_v2(handle, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
}

SqlRows Database::Lease::run(const std::string& sql, const SqlParams& params) {
  SqlRows out;
  if (db_->dialect() == Dialect::Sqlite) {
    sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(*connection_->session);
    const CachedStatement& cached = sqliteStatement(sql);
    sqlite3_stmt* stmt = cached.stmt;
    // Reset on every exit, so the cached statement holds no read lock.
    struct Reset {
      sqlite3_stmt* stmt;
      ~Reset() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
      }
    } reset{stmt};
    for (std::size_t i = 0; i < params.size() && i < cached.parameterIndex.size(); ++i) {
      // SQLite numbers parameters in order of first appearance, not by N.
      const int index = cached.parameterIndex[i];
      if (index == 0) continue;
      int rc = params[i] ? sqlite3_bind_text(stmt, index, params[i]->data(),
                                             static_cast<int>(params[i]->size()), SQLITE_STATIC)
                         : sqlite3_bind_null(stmt, index);
      if (rc != SQLITE_OK) throw SqlError("SQLite: " + sqliteMessage(handle));
    }
    const int columns = sqlite3_column_count(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) throw SqlError("SQLite: " + sqliteMessage(handle));
      auto& row = out.rows.emplace_back(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row[static_cast<std::size_t>(c)].emplace(
            text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
      }
    }
    if (columns == 0 || sqlite3_stmt_readonly(stmt) == 0)
      out.changed = static_cast<std::size_t>(sqlite3_changes(handle));
    return out;
  }

  auto& impl = static_cast<Poco::Data::PostgreSQL::SessionImpl&>(*connection_->session->impl());
  PGconn* conn = impl.handle();
  std::vector<const char*> values(params.size());
  for (std::size_t i = 0; i < params.size(); ++i)
    values[i] = params[i] ? params[i]->c_str() : nullptr;
  PGresult* result = nullptr;
  if (const std::string* name = pgStatement(conn, sql)) {
    result = PQexecPrepared(conn, name->c_str(), static_cast<int>(params.size()), values.data(),
                            nullptr, nullptr, 0);
  } else {
    result = PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr,
                          values.data(), nullptr, nullptr, 0);
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> guard(result, &PQclear);
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    if (PQstatus(conn) != CONNECTION_OK) broken_ = true;
    throw SqlError("PostgreSQL: " + message);
  }
  const int rows = PQntuples(result);
  const int columns = PQnfields(result);
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    auto& row = out.rows.emplace_back(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c)
      if (!PQgetisnull(result, r, c))
        row[static_cast<std::size_t>(c)].emplace(
            PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c)));
  }
  const char* changed = PQcmdTuples(result);
  if (changed != nullptr && *changed != '\0') out.changed = std::stoull(changed);
  return out;
}

std::unique_ptr<Database> Database::open(const std::string& url, int maxConnections) {
  registerConnectors();
  if (startsWith(url, "sqlite://")) {
    std::string path = url.substr(9);
    if (path.empty()) throw std::invalid_argument("CERTCTL_DATABASE_URL: sqlite:// needs a path");
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    auto db = std::unique_ptr<Database>(
        new Database(Dialect::Sqlite, "SQLite", path, maxConnections, url));
    db->acquire();  // fail fast on an unusable path
    Database* raw = db.get();
    raw->checkpointConnection_ = raw->connect();
    raw->checkpointer_ = std::thread([raw] { raw->checkpointLoop(); });
    return db;
  }
  if (startsWith(url, "postgres://") || startsWith(url, "postgresql://")) {
    std::string redacted;
    std::string cs = postgresConnectionString(url, redacted);
    auto db = std::unique_ptr<Database>(
        new Database(Dialect::Postgres, "PostgreSQL", cs, maxConnections, redacted));
    db->acquire();
    return db;
  }
  throw std::invalid_argument("CERTCTL_DATABASE_URL: expected sqlite://PATH or postgres://…");
}

Database::Database(Dialect dialect, std::string connector, std::string connectionString,
                   int maxConnections, std::string redactedUrl)
    : dialect_(dialect),
      connector_(std::move(connector)),
      connectionString_(std::move(connectionString)),
      redactedUrl_(std::move(redactedUrl)),
      maxConnections_(maxConnections < 1 ? 1 : maxConnections) {}

Database::~Database() {
  {
    std::lock_guard lock(checkpointMutex_);
    stopping_ = true;
  }
  checkpointWake_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

void Database::checkpointLoop() {
  // PASSIVE: copies what no reader still needs, never blocks the writer or
  // readers. Often enough that the WAL stays a few MB (SQLite's own
  // threshold is 1000 pages), and that the writer's own catch-up (below),
  // during which no commit runs, finds little left to copy: at 200 ms it
  // copied half the WAL itself and p99 latency under load was ~10 ms worse.
  //
  // SQLite starts the WAL over from its beginning only when a write
  // transaction begins right after a checkpoint got through all of it,
  // which under a steady stream of commits this thread alone never
  // achieves: the file grew without bound (GBs within a minute of
  // sustained issuance). The group committer's writer therefore catches
  // up itself between its transactions (Lease::catchUpWal). Should that
  // not succeed for long (a reader holding an old snapshot), a RESTART
  // checkpoint past kRestartFrames waits for the readers and the writer.
  constexpr auto kInterval = std::chrono::milliseconds(25);
  constexpr int kRestartFrames = 65536;  // 256 MiB of 4 KiB pages
  sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(*checkpointConnection_->session);
  std::unique_lock lock(checkpointMutex_);
  while (!checkpointWake_.wait_for(lock, kInterval, [this] { return stopping_; })) {
    lock.unlock();
    int logFrames = 0, checkpointed = 0;
    sqlite3_wal_checkpoint_v2(handle, nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames,
                              &checkpointed);
    if (logFrames > kRestartFrames)
      sqlite3_wal_checkpoint_v2(handle, nullptr, SQLITE_CHECKPOINT_RESTART, &logFrames,
                                &checkpointed);
    lock.lock();
  }
}

std::unique_ptr<Database::Connection> Database::connect() {
  auto session = std::make_unique<Poco::Data::Session>(connector_, connectionString_);
  if (dialect_ == Dialect::Sqlite) {
    sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(*session);
    sqlite3_busy_timeout(handle, kBusyTimeoutMs);
    // WAL lets readers run beside the single writer; foreign keys are off by
    // default in SQLite and must be enabled on every connection.
    // A small page cache per connection (default ~2 MB each): the OS page
    // cache serves the file anyway, and 25 connections would cost 50 MB.
    // wal_autocheckpoint=0: the checkpoint thread does it (checkpointLoop).
    // No mmap: in WAL mode SQLite drops a connection's whole mapping at
    // the start of any read after another connection wrote (munmap, a TLB
    // shootdown on every core, then page faults to map it again), i.e. on
    // nearly every read of a busy server; pread from the OS cache is cheaper.
    executeScript(*session,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                  "PRAGMA cache_size=-512; PRAGMA wal_autocheckpoint=0; "
                  "PRAGMA mmap_size=0; PRAGMA temp_store=MEMORY;");
  } else {
    executeScript(*session, "SET TIME ZONE 'UTC'; SET client_min_messages TO WARNING;");
  }
  return std::make_unique<Connection>(std::move(session));
}

Database::Lease Database::acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (!idle_.empty()) {
      auto session = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(session));
    }
    if (openConnections_ < maxConnections_) {
      ++openConnections_;
      lock.unlock();
      try {
        return Lease(*this, connect());
      } catch (...) {
        std::lock_guard relock(mutex_);
        --openConnections_;
        available_.notify_one();
        throw;
      }
    }
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        openConnections_ >= maxConnections_)
      throw domain::ApiError(domain::ErrorKind::Unavailable, "database_busy",
                             "all database connections are busy");
  }
}

void Database::release(std::unique_ptr<Connection> connection, bool broken) {
  std::unique_ptr<Connection> dropped;
  {
    std::lock_guard lock(mutex_);
    if (broken || !connection->session->isConnected()) {
      --openConnections_;
      dropped = std::move(connection);  // closed outside the lock
    } else {
      idle_.push_back(std::move(connection));
    }
    available_.notify_one();
  }
}

void Database::executeScript(Poco::Data::Session& session, const std::string& sql) {
  // Poco prepares one statement at a time; scripts (migrations, pragmas)
  // go straight to the driver, which runs several statements in one call.
  if (dialect_ == Dialect::Sqlite) {
    char* error = nullptr;
    sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(session);
    if (sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown SQLite error";
      sqlite3_free(error);
      throw std::runtime_error("SQLite: " + message);
    }
    return;
  }
  auto& impl = static_cast<Poco::Data::PostgreSQL::SessionImpl&>(*session.impl());
  PGconn* conn = impl.handle();
  PGresult* result = PQexec(conn, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  std::string message = PQresultErrorMessage(result);
  PQclear(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("PostgreSQL: " + message);
}

bool Database::ping() {
  try {
    auto lease = acquire(std::chrono::seconds(2));
    int one = 0;
    *lease << "SELECT 1", Poco::Data::Keywords::into(one), Poco::Data::Keywords::now;
    return one == 1;
  } catch (...) {
    return false;
  }
}

}  // namespace certctl::store
