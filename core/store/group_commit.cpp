#include "core/store/group_commit.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "core/domain/timestamps.h"
#include "core/services/resource_service.h"

namespace certctl::store {

namespace {

// Units of work per transaction; audit events ride along without a bound
// of their own beyond what their producers queue.
constexpr std::size_t kMaxBatch = 256;
// How long a writer waits for a batch of at least kGatherUnits items.
constexpr std::size_t kGatherUnits = 8;
constexpr std::chrono::microseconds kGatherWindow{300};
// A lone (SQLite) writer checkpoints what is left of the WAL every so many
// batches, so that the file starts over (Lease::catchUpWal).
constexpr std::uint64_t kWalCatchUpBatches = 32;

void exec(Database::Lease& lease, const char* sql) { lease.run(sql); }

}  // namespace

GroupCommit::GroupCommit(Database& db, int writers) : db_(db), gather_(writers <= 1) {
  for (int i = 0; i < std::max(1, writers); ++i) writers_.emplace_back([this] { writerLoop(); });
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : writers_) w.join();
}

std::future<void> GroupCommit::enqueue(Item item) {
  auto done = item.done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw std::runtime_error("the database writer is shutting down");
    queue_.push_back(std::move(item));
  }
  wake_.notify_one();
  return done;
}

void GroupCommit::run(std::function<void(Database::Lease&)> work,
                      std::vector<services::AuditEvent> events) {
  enqueue(Item{std::move(work), std::move(events), {}}).get();
}

void GroupCommit::audit(std::vector<services::AuditEvent> events, bool wait) {
  if (events.empty()) return;
  auto done = enqueue(Item{{}, std::move(events), {}});
  if (wait) done.get();
}

void GroupCommit::writerLoop() {
  // The connection is kept while batches follow each other (its page cache
  // stays warm) and handed back to the pool when the queue runs dry.
  std::optional<Database::Lease> lease;
  std::uint64_t batches = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty() && lease) {
      lock.unlock();
      lease.reset();
      lock.lock();
    }
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    // A lone writer (SQLite): a commit costs about the same for 2 units as
    // for 8 (every index the batch touches writes its last page to the WAL
    // once), so a short wait for a few more pays for itself under load; an
    // idle server only adds it to a lone request's latency. Several writers
    // (PostgreSQL) overlap their commits instead.
    if (gather_ && queue_.size() < kGatherUnits)
      wake_.wait_for(lock, kGatherWindow,
                     [this] { return stopping_ || queue_.size() >= kGatherUnits; });
    std::vector<Item> batch;
    std::size_t units = 0;
    while (!queue_.empty() && units < kMaxBatch) {
      if (queue_.front().work) ++units;
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    // Another writer takes what is left meanwhile.
    if (!queue_.empty()) wake_.notify_one();
    lock.unlock();
    commit(batch, lease);
    if (gather_ && lease && ++batches % kWalCatchUpBatches == 0) lease->catchUpWal();
    lock.lock();
  }
}

void GroupCommit::commit(std::vector<Item>& batch, std::optional<Database::Lease>& lease) {
  std::vector<std::exception_ptr> errors(batch.size());
  try {
    // Optimistic first: one statement per unit, no savepoints. A unit that
    // fails (a conflict, usually) sends the batch round again with them.
    if (!attempt(batch, errors, false, lease)) {
      std::fill(errors.begin(), errors.end(), nullptr);
      attempt(batch, errors, true, lease);
    }
  } catch (...) {
    lease.reset();  // a fresh connection for the next batch
    auto error = std::current_exception();
    for (auto& e : errors)
      if (!e) e = error;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (errors[i])
      batch[i].done.set_exception(errors[i]);
    else
      batch[i].done.set_value();
  }
}

bool GroupCommit::attempt(std::vector<Item>& batch, std::vector<std::exception_ptr>& errors,
                          bool savepoints, std::optional<Database::Lease>& held) {
  if (!held) {
    held.emplace(db_.acquire());
    // The writer's b-tree pages (every index it appends to) stay cached:
    // the pool's connections keep a small cache each.
    if (held->dialect() == Dialect::Sqlite) exec(*held, "PRAGMA cache_size=-32768");
  }
  Database::Lease& lease = *held;
  // IMMEDIATE: take SQLite's write lock now rather than upgrade later.
  exec(lease, lease.dialect() == Dialect::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  bool open = true;
  auto rollback = [&] {
    if (!open) return;
    open = false;
    try {
      exec(lease, "ROLLBACK");
    } catch (...) {
      lease.discard();
      held.reset();
    }
  };
  try {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!batch[i].work) continue;
      if (savepoints) exec(lease, "SAVEPOINT unit");
      try {
        batch[i].work(lease);
      } catch (...) {
        if (!savepoints) {
          rollback();
          return false;
        }
        errors[i] = std::current_exception();
        exec(lease, "ROLLBACK TO SAVEPOINT unit");
      }
      if (savepoints) exec(lease, "RELEASE SAVEPOINT unit");
    }
    std::vector<services::AuditEvent> events;
    std::vector<std::size_t> owners;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].events.empty() || errors[i]) continue;
      owners.push_back(i);
      // Copied, not moved: a failed attempt runs again.
      events.insert(events.end(), batch[i].events.begin(), batch[i].events.end());
    }
    if (!events.empty()) {
      // Optimistic: no savepoint, a failure sends the batch round again.
      if (!savepoints) {
        try {
          insertAuditEvents(lease, events);
        } catch (...) {
          rollback();
          return false;
        }
      } else {
        exec(lease, "SAVEPOINT audit");
        try {
          insertAuditEvents(lease, events);
        } catch (...) {
          auto error = std::current_exception();
          exec(lease, "ROLLBACK TO SAVEPOINT audit");
          for (auto i : owners) errors[i] = error;
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            spdlog::error("audit batch of {} events failed: {}", events.size(), e.what());
          }
        }
        exec(lease, "RELEASE SAVEPOINT audit");
      }
    }
    exec(lease, "COMMIT");
    open = false;
  } catch (...) {
    rollback();
    throw;
  }
  return true;
}

void insertAuditEvents(Database::Lease& lease, std::vector<services::AuditEvent>& events) {
  // Multi-row INSERTs, in chunks of a power of two so that only a few
  // statement texts exist (SQLite caches them per connection).
  constexpr int kColumns = 14;
  constexpr std::size_t kMaxRows = 64;
  const bool pg = lease.dialect() == Dialect::Postgres;
  std::size_t done = 0;
  while (done < events.size()) {
    std::size_t rows = kMaxRows;
    while (rows > events.size() - done) rows /= 2;
    std::string sql =
        "INSERT INTO audit_events (id, timestamp, actor, actor_type, action, resource_type, "
        "resource_id, method, path, status_code, latency_ms, body_hash, request_id, details) "
        "VALUES ";
    SqlParams params;
    params.reserve(rows * kColumns);
    for (std::size_t r = 0; r < rows; ++r) {
      int p = static_cast<int>(r) * kColumns;
      auto param = [&](int column, const char* cast = "") {
        return "$" + std::to_string(p + column) + (pg ? cast : "");
      };
      sql += r ? ", (" : "(";
      for (int column = 1; column <= kColumns; ++column) {
        if (column > 1) sql += ", ";
        sql += column == 2    ? param(column, "::timestamptz")
               : column == 10 ? param(column, "::bigint")
               : column == 11 ? param(column, "::double precision")
               : column == 14 ? param(column, "::jsonb")
                              : param(column);
      }
      sql += ")";
      const auto& e = events[done + r];
      params.emplace_back(services::generateTimeOrderedId("ae-"));
      params.emplace_back(e.timestamp.empty() ? domain::nowRfc3339() : e.timestamp);
      params.emplace_back(e.actor);
      params.emplace_back(e.actorType);
      params.emplace_back(e.action);
      params.emplace_back(e.resourceType);
      params.emplace_back(e.resourceId);
      params.emplace_back(e.method);
      params.emplace_back(e.path);
      params.emplace_back(std::to_string(e.statusCode));
      params.emplace_back(nlohmann::json(e.latencyMs).dump());
      params.emplace_back(e.bodyHash);
      params.emplace_back(e.requestId);
      params.emplace_back(e.details.dump());
    }
    lease.run(sql, params);
    done += rows;
  }
}

}  // namespace certctl::store
