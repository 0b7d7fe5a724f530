#include "core/store/sql_audit_log.h"

#include <Poco/Data/Statement.h>
#include <spdlog/spdlog.h>

#include "core/domain/timestamps.h"
#include "core/services/resource_service.h"

namespace certctl::store {

namespace {
constexpr std::size_t kMaxQueued = 100000;  // beyond this, reads are audited synchronously
constexpr std::size_t kBatchSize = 500;
}  // namespace

SqlAuditLog::SqlAuditLog(Database& db) : db_(db), worker_([this] { run(); }) {}

SqlAuditLog::~SqlAuditLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void SqlAuditLog::record(services::AuditEvent event, bool durable) {
  if (!durable) {
    std::unique_lock lock(mutex_);
    if (queue_.size() < kMaxQueued) {
      queue_.push_back(std::move(event));
      return;
    }
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
  using namespace Poco::Data::Keywords;
  bool pg = db_.dialect() == Dialect::Postgres;
  const std::string sql = std::string(
      "INSERT INTO audit_events (id, timestamp, actor, actor_type, action, resource_type, "
      "resource_id, method, path, status_code, latency_ms, body_hash, request_id, details) "
      "VALUES ($1, ") + (pg ? "$2::timestamptz" : "$2") +
      ", $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, " + (pg ? "$14::jsonb" : "$14") + ")";
  auto lease = db_.acquire();
  Poco::Data::Session& session = *lease;
  session.begin();
  try {
    for (auto& e : batch) {
      std::string id = services::generateId("ae-", "");
      std::string stamp = e.timestamp.empty() ? domain::nowRfc3339() : e.timestamp;
      std::string details = e.details.dump();
      int status = e.statusCode;
      double latency = e.latencyMs;
      session << sql, use(id), use(stamp), use(e.actor), use(e.actorType), use(e.action),
          use(e.resourceType), use(e.resourceId), use(e.method), use(e.path), use(status),
          use(latency), use(e.bodyHash), use(e.requestId), use(details), now;
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
