#pragma once

#include <Poco/Data/Session.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;
struct pg_conn;

namespace certctl::store {

enum class Dialect { Sqlite, Postgres };

// A statement the driver refused; what() is the driver's message (the
// callers map "unique", "foreign key" … to API errors).
class SqlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parameters $1, $2 … as text (nullopt = NULL) and result rows as text:
// the lean path for hot statements, beside Poco Data's typed one.
using SqlParams = std::vector<std::optional<std::string>>;
struct SqlRows {
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::size_t changed = 0;  // rows an INSERT/UPDATE/DELETE changed
};

// A fixed-size pool of Poco Data sessions. Unlike Poco's SessionPool it
// waits (bounded) for a free session instead of throwing at once, and it
// prepares every new connection (UTC, foreign keys, WAL, busy timeout).
class Database {
 public:
  struct Connection;  // a session and its cached raw statements (the .cpp)
  // A prepared SQLite statement and, for each $N, its parameter index (0: absent).
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> parameterIndex;
  };

  class Lease {
   public:
    Lease(Database& db, std::unique_ptr<Connection> connection);
    Lease(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    ~Lease();
    Poco::Data::Session& operator*();
    Poco::Data::Session* operator->();
    // Drops a connection that failed (e.g. PostgreSQL restarted) instead of reusing it.
    void discard() { broken_ = true; }
    Dialect dialect() const { return db_->dialect(); }

    // Runs one statement straight through the driver, bypassing Poco Data:
    // one round trip on PostgreSQL (PQexecParams; Poco prepares, executes
    // and deallocates), a prepared statement cached per connection on
    // SQLite. Throws SqlError with the driver's message.
    SqlRows run(const std::string& sql, const SqlParams& params = {});

    // SQLite, between transactions of the only writer: a PASSIVE
    // checkpoint of what the background checkpointer has not copied yet
    // (little: it runs every 25 ms). When it gets through the whole WAL,
    // this connection's next write transaction starts the file over from
    // its beginning; past 32 MiB a RESTART checkpoint waits up to 20 ms
    // for readers so that it does. A no-op on PostgreSQL.
    void catchUpWal();

   private:
    const CachedStatement& sqliteStatement(const std::string& sql);
    const std::string* pgStatement(pg_conn* conn, const std::string& sql);

    Database* db_;
    std::unique_ptr<Connection> connection_;
    bool broken_ = false;
  };

  // url: sqlite://PATH or postgres://user:pass@host:port/db?sslmode=…
  static std::unique_ptr<Database> open(const std::string& url, int maxConnections);
  ~Database();

  Dialect dialect() const { return dialect_; }
  Lease acquire(std::chrono::milliseconds wait = std::chrono::seconds(10));
  // Runs a multi-statement SQL script as one unit (migrations).
  void executeScript(Poco::Data::Session& session, const std::string& sql);
  bool ping();
  // For logs: the URL without its password.
  const std::string& redactedUrl() const { return redactedUrl_; }

 private:
  Database(Dialect dialect, std::string connector, std::string connectionString, int maxConnections,
           std::string redactedUrl);
  std::unique_ptr<Connection> connect();
  void release(std::unique_ptr<Connection> connection, bool broken);

  Dialect dialect_;
  std::string connector_;
  std::string connectionString_;
  std::string redactedUrl_;
  int maxConnections_;
  int openConnections_ = 0;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::mutex mutex_;
  std::condition_variable available_;

  // SQLite: WAL checkpoints run here, on a connection of their own, instead
  // of inside whichever commit crosses the WAL size threshold (a commit
  // that checkpoints copies pages and syncs the database file while every
  // other writer waits for it).
  void checkpointLoop();
  std::unique_ptr<Connection> checkpointConnection_;
  std::thread checkpointer_;
  std::mutex checkpointMutex_;
  std::condition_variable checkpointWake_;
  bool stopping_ = false;
};

}  // namespace certctl::store
