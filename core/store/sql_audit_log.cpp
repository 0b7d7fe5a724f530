#include "core/store/sql_audit_log.h"

#include <Poco/Data/Statement.h>
#include <spdlog/spdlog.h>

#include "core/domain/timestamps.h"
#include "core/services/resource_service.h"

namespace certctl::store {

namespace {
// Beyond this backlog readers wait for the writer: memory stays bounded and
// reads slow down to what the database can absorb.
constexpr std::size_t kMaxQueued = 20000;
constexpr std::size_t kBatchSize = 500;
}  // namespace

SqlAuditLog::SqlAuditLog(Database& db) : db_(db), worker_([this] { run(); }) {}

SqlAuditLog::~SqlAuditLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  roomAvailable_.notify_all();
  worker_.join();
}

void SqlAuditLog::record(services::AuditEvent event, bool durable) {
  if (!durable) {
    std::unique_lock lock(mutex_);
    // Backpressure: a full queue makes readers wait for the batch writer
    // rather than write themselves (which would fight over SQLite's lock).
    if (queue_.size() >= kMaxQueued) {
      wake_.notify_all();
      roomAvailable_.wait(lock, [this] { return queue_.size() < kMaxQueued || stopping_; });
    }
    queue_.push_back(std::move(event));
    return;
  }
  std::deque<services::AuditEvent> one;
  one.push_back(std::move(event));
  writeBatch(one);
}

void SqlAuditLog::flush() {
  std::unique_lock lock(mutex_);
  wake_.notify_all();
  drained_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void SqlAuditLog::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, std::chrono::milliseconds(250),
                   [this] { return stopping_ || queue_.size() >= kBatchSize; });
    while (!queue_.empty()) {
      std::deque<services::AuditEvent> batch;
      while (!queue_.empty() && batch.size() < kBatchSize) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      roomAvailable_.notify_all();
      writing_ = true;
      lock.unlock();
      try {
        writeBatch(batch);
      } catch (const std::exception& e) {
        spdlog::error("audit batch of {} events failed: {}", batch.size(), e.what());
      }
      lock.lock();
      writing_ = false;
    }
    drained_.notify_all();
    if (stopping_) return;
  }
}

void SqlAuditLog::writeBatch(std::deque<services::AuditEvent>& batch) {
  using Poco::Data::Keywords::use;
  // Multi-row INSERTs (one statement per kRowsPerStatement events, all in one
  // transaction): per-row statements cap audited reads at a few thousand/s.
  constexpr std::size_t kRowsPerStatement = 100;
  constexpr int kColumns = 14;
  bool pg = db_.dialect() == Dialect::Postgres;
  auto lease = db_.acquire();
  Poco::Data::Session& session = *lease;
  session.begin();
  try {
    std::size_t done = 0;
    while (done < batch.size()) {
      std::size_t rows = std::min(kRowsPerStatement, batch.size() - done);
      // Values live here until the statement has run (Poco binds references).
      std::vector<std::string> text;
      std::vector<int> statuses;
      std::vector<double> latencies;
      text.reserve(rows * 12);
      statuses.reserve(rows);
      latencies.reserve(rows);
      std::string sql =
          "INSERT INTO audit_events (id, timestamp, actor, actor_type, action, resource_type, "
          "resource_id, method, path, status_code, latency_ms, body_hash, request_id, details) "
          "VALUES ";
      for (std::size_t r = 0; r < rows; ++r) {
        int p = static_cast<int>(r) * kColumns;
        auto param = [&](int column, const char* cast = "") {
          return "$" + std::to_string(p + column) + (pg ? cast : "");
        };
        sql += r ? ", (" : "(";
        for (int column = 1; column <= kColumns; ++column) {
          if (column > 1) sql += ", ";
          sql += column == 2 ? param(column, "::timestamptz")
                 : column == 14 ? param(column, "::jsonb")
                                : param(column);
        }
        sql += ")";
      }
      Poco::Data::Statement stmt(session);
      stmt << sql;
      for (std::size_t r = 0; r < rows; ++r) {
        auto& e = batch[done + r];
        text.push_back(services::generateId("ae-", ""));
        text.push_back(e.timestamp.empty() ? domain::nowRfc3339() : e.timestamp);
        statuses.push_back(e.statusCode);
        latencies.push_back(e.latencyMs);
        text.push_back(e.details.dump());
      }
      for (std::size_t r = 0; r < rows; ++r) {
        auto& e = batch[done + r];
        std::string* t = &text[r * 3];
        stmt.addBind(use(t[0]));
        stmt.addBind(use(t[1]));
        stmt.addBind(use(e.actor));
        stmt.addBind(use(e.actorType));
        stmt.addBind(use(e.action));
        stmt.addBind(use(e.resourceType));
        stmt.addBind(use(e.resourceId));
        stmt.addBind(use(e.method));
        stmt.addBind(use(e.path));
        stmt.addBind(use(statuses[r]));
        stmt.addBind(use(latencies[r]));
        stmt.addBind(use(e.bodyHash));
        stmt.addBind(use(e.requestId));
        stmt.addBind(use(t[2]));
      }
      stmt.execute();
      done += rows;
    }
    session.commit();
  } catch (...) {
    try {
      session.rollback();
    } catch (...) {
    }
    throw;
  }
}

}  // namespace certctl::store
