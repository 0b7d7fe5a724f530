#pragma once

#include <Poco/Data/Session.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace certctl::store {

enum class Dialect { Sqlite, Postgres };

// A fixed-size pool of Poco Data sessions. Unlike Poco's SessionPool it
// waits (bounded) for a free session instead of throwing at once, and it
// prepares every new connection (UTC, foreign keys, WAL, busy timeout).
class Database {
 public:
  class Lease {
   public:
    Lease(Database& db, std::unique_ptr<Poco::Data::Session> session)
        : db_(&db), session_(std::move(session)) {}
    Lease(Lease&& other) noexcept : db_(other.db_), session_(std::move(other.session_)) {}
    Lease(const Lease&) = delete;
    ~Lease();
    Poco::Data::Session& operator*() { return *session_; }
    Poco::Data::Session* operator->() { return session_.get(); }
    // Drops a connection that failed (e.g. PostgreSQL restarted) instead of reusing it.
    void discard() { broken_ = true; }

   private:
    Database* db_;
    std::unique_ptr<Poco::Data::Session> session_;
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
  std::unique_ptr<Poco::Data::Session> connect();
  void release(std::unique_ptr<Poco::Data::Session> session, bool broken);

  Dialect dialect_;
  std::string connector_;
  std::string connectionString_;
  std::string redactedUrl_;
  int maxConnections_;
  int openConnections_ = 0;
  std::vector<std::unique_ptr<Poco::Data::Session>> idle_;
  std::mutex mutex_;
  std::condition_variable available_;
};

}  // namespace certctl::store
