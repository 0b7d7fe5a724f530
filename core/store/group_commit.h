#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/services/audit_log.h"
#include "core/store/database.h"

namespace certctl::store {

// Group commit: the writes of many request threads share one transaction,
// so a burst of N issuances costs one commit (one WAL sync) instead of N,
// and on SQLite only the writer threads here ever wait for its single
// write lock (a request that did would sleep in SQLite's busy handler).
//
// A batch runs every queued unit of work, then inserts every queued audit
// event (multi-row INSERTs), then commits; each caller waits for the commit
// of the batch its item was in. A unit that throws is rolled back alone
// (the batch is redone with a savepoint per unit) and its caller gets the
// exception; the others still commit. SQLite has one writer thread (one
// writer at a time is all it allows); PostgreSQL several, on their own
// connections, so one batch's round trips overlap another's.
class GroupCommit {
 public:
  GroupCommit(Database& db, int writers);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `work` on a writer's connection inside the next batch's
  // transaction and returns once that transaction committed. Rethrows what
  // `work` threw (its changes rolled back) or what the commit threw. `work`
  // may run twice (once optimistically without a savepoint, once under
  // one), so it must only write. `events` (the audit of what `work` does)
  // are inserted in the same transaction, and only if `work` succeeded.
  void run(std::function<void(Database::Lease&)> work,
           std::vector<services::AuditEvent> events = {});

  // Inserts audit_events rows in the next batch; with `wait`, returns once
  // they are committed (and rethrows a failure), else at once.
  void audit(std::vector<services::AuditEvent> events, bool wait);

 private:
  struct Item {
    std::function<void(Database::Lease&)> work;  // empty for audit-only items
    std::vector<services::AuditEvent> events;
    std::promise<void> done;
  };

  std::future<void> enqueue(Item item);
  void writerLoop();
  void commit(std::vector<Item>& batch, std::optional<Database::Lease>& lease);
  // One attempt at the whole batch on `lease` (acquired when empty);
  // `savepoints`: each unit under its own savepoint. Returns false (and
  // rolls back) when a unit failed without savepoints, so the caller
  // retries with them.
  bool attempt(std::vector<Item>& batch, std::vector<std::exception_ptr>& errors, bool savepoints,
               std::optional<Database::Lease>& lease);

  Database& db_;
  const bool gather_;  // wait briefly for fuller batches (one writer only)
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::vector<std::thread> writers_;
};

// Appends `events` to audit_events on `lease` (inside the caller's
// transaction), in multi-row INSERTs.
void insertAuditEvents(Database::Lease& lease, std::vector<services::AuditEvent>& events);

}  // namespace certctl::store
