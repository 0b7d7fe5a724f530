#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/services/audit_log.h"
#include "core/store/database.h"

namespace certctl::store {

// Appends to audit_events. Durable events are inserted before record()
// returns; the rest are queued and written in batched transactions by a
// background thread (at most ~250 ms later, and on flush/shutdown). A full
// queue blocks readers until the writer catches up.
class SqlAuditLog : public services::AuditLog {
 public:
  explicit SqlAuditLog(Database& db);
  ~SqlAuditLog() override;

  void record(services::AuditEvent event, bool durable) override;
  void flush() override;

 private:
  void writeBatch(std::deque<services::AuditEvent>& batch);
  void run();

  Database& db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::condition_variable roomAvailable_;
  std::deque<services::AuditEvent> queue_;
  bool stopping_ = false;
  bool writing_ = false;
  std::thread worker_;
};

}  // namespace certctl::store
