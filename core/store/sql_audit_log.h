#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "core/services/audit_log.h"
#include "core/store/database.h"
#include "core/store/group_commit.h"

namespace certctl::store {

// Appends to audit_events through the group committer. Durable events are
// committed before record() returns (together with whatever else the
// committer's batch holds: concurrent requests share one commit); the rest
// are queued and handed over in batches by a background thread (at most
// ~250 ms later, and on flush/shutdown). A full queue blocks readers until
// the writer catches up.
class SqlAuditLog : public services::AuditLog {
 public:
  // `writer`: the server's shared committer; none: one of its own.
  explicit SqlAuditLog(Database& db, GroupCommit* writer = nullptr);
  ~SqlAuditLog() override;

  void record(services::AuditEvent event, bool durable) override;
  void flush() override;

 private:
  void run();

  std::unique_ptr<GroupCommit> ownWriter_;
  GroupCommit& writer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::condition_variable roomAvailable_;
  std::deque<services::AuditEvent> queue_;
  bool stopping_ = false;
  std::uint64_t queued_ = 0;       // events ever queued
  std::uint64_t handedOver_ = 0;   // of those, batches the writer finished
  std::uint64_t flushTarget_ = 0;  // flush() waits until handedOver_ reaches it
  std::thread worker_;
};

}  // namespace certctl::store
