#include "core/store/database.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/URI.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "core/domain/errors.h"

namespace certctl::store {

namespace {

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
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
  std::string cs = "host=" + (uri.getHost().empty() ? std::string("localhost") : uri.getHost());
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
  for (const auto& [key, value] : uri.getQueryParameters()) {
    if (key == "sslmode" || key == "sslrootcert" || key == "connect_timeout" ||
        key == "application_name") {
      checkValue(key, value);
      cs += " " + key + "=" + value;
    }
  }
  Poco::URI shown(uri);
  if (!password.empty()) shown.setUserInfo(user + ":***");
  redacted = shown.toString();
  return cs;
}

}  // namespace

Database::Lease::~Lease() {
  if (session_) db_->release(std::move(session_), broken_);
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

Database::~Database() = default;

std::unique_ptr<Poco::Data::Session> Database::connect() {
  auto session = std::make_unique<Poco::Data::Session>(connector_, connectionString_);
  if (dialect_ == Dialect::Sqlite) {
    sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(*session);
    sqlite3_busy_timeout(handle, 10000);
    // WAL lets readers run beside the single writer; foreign keys are off by
    // default in SQLite and must be enabled on every connection.
    // A small page cache per connection (default ~2 MB each): the OS page
    // cache serves the file anyway, and 25 connections would cost 50 MB.
    executeScript(*session,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                  "PRAGMA cache_size=-512;");
  } else {
    executeScript(*session, "SET TIME ZONE 'UTC'; SET client_min_messages TO WARNING;");
  }
  return session;
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

void Database::release(std::unique_ptr<Poco::Data::Session> session, bool broken) {
  std::lock_guard lock(mutex_);
  if (broken || !session->isConnected()) {
    --openConnections_;
  } else {
    idle_.push_back(std::move(session));
  }
  available_.notify_one();
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
