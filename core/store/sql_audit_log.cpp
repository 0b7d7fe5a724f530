#include "core/store/sql_audit_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/domain/timestamps.h"
#include "core/services/resource_service.h"

namespace certctl::store {

namespace {
// Beyond this backlog readers wait for the writer: memory stays bounded and
// reads slow down to what the database can absorb.
constexpr std::size_t kMaxQueued = 20000;
constexpr std::size_t kBatchSize = 500;
}  // namespace

namespace {

std::unique_ptr<GroupCommit> ownWriterFor(Database& db, GroupCommit* shared) {
  if (shared) return nullptr;
  return std::make_unique<GroupCommit>(db, 1);
}

}  // namespace

SqlAuditLog::SqlAuditLog(Database& db, GroupCommit* writer)
    : ownWriter_(ownWriterFor(db, writer)),
      writer_(writer ? *writer : *ownWriter_),
      worker_([this] { run(); }) {}

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
    // Backpressure: a full queue makes readers wait for the batch writer.
    if (queue_.size() >= kMaxQueued) {
      wake_.notify_all();
      roomAvailable_.wait(lock, [this] { return queue_.size() < kMaxQueued || stopping_; });
    }
    queue_.push_back(std::move(event));
    ++queued_;
    return;
  }
  std::vector<services::AuditEvent> one;
  one.push_back(std::move(event));
  writer_.audit(std::move(one), true);
}

void SqlAuditLog::flush() {
  // Up to what was queued before this call: later events (a busy server
  // queues them all the time) do not keep the caller waiting.
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_;
  flushTarget_ = std::max(flushTarget_, target);
  wake_.notify_all();
  drained_.wait(lock, [&] { return handedOver_ >= target || stopping_; });
}

void SqlAuditLog::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, std::chrono::milliseconds(250), [this] {
      return stopping_ || queue_.size() >= kBatchSize ||
             (handedOver_ < flushTarget_ && !queue_.empty());
    });
    while (!queue_.empty()) {
      std::vector<services::AuditEvent> batch;
      while (!queue_.empty() && batch.size() < kBatchSize) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      roomAvailable_.notify_all();
      const std::size_t count = batch.size();
      lock.unlock();
      try {
        writer_.audit(std::move(batch), true);
      } catch (const std::exception& e) {
        spdlog::error("audit batch failed: {}", e.what());
      }
      lock.lock();
      handedOver_ += count;  // written, or failed and logged
      drained_.notify_all();
    }
    drained_.notify_all();
    if (stopping_) return;
  }
}

}  // namespace certctl::store
