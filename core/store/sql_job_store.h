#pragma once

#include <mutex>
#include <optional>

#include "core/services/job_store.h"
#include "core/store/database.h"

namespace certctl::store {

// JobStore over SQLite or PostgreSQL. Each scheduler write is one
// autocommit statement (claims use UPDATE … RETURNING), so there is no
// window between choosing a row and taking it.
class SqlJobStore : public services::JobStore {
 public:
  explicit SqlJobStore(Database& db);
  ~SqlJobStore() override;

  std::vector<std::string> claimDueJobs(const std::string& claimedBy, bool retries,
                                        int limit) override;
  std::vector<std::string> dueJobs(bool retries, int limit) override;
  int requeueOrphanedJobs(const std::string& self) override;
  void holdInstanceLock(const std::string& instanceId) override;
  std::vector<services::OverdueJob> overdueJobs(const std::vector<std::string>& statuses,
                                                const std::string& cutoff) override;
  std::vector<services::RenewalCandidate> renewalCandidates(const std::string& horizon,
                                                            const std::string& now,
                                                            int limit) override;
  long long widestRenewalWindowDays() override;
  std::vector<std::string> expireShortLived(const std::string& now) override;
  std::vector<std::string> markSilentAgentsOffline(const std::string& cutoff) override;
  bool runExclusive(const std::string& name, const std::function<void()>& work) override;

 private:
  bool postgres() const { return db_.dialect() == Dialect::Postgres; }
  std::string ts(int n) const;                          // $n as a timestamp parameter
  std::string tsText(const std::string& column) const;  // a timestamp column as RFC 3339
  SqlRows run(const std::string& sql, const SqlParams& params);
  std::vector<std::string> firstColumn(const std::string& sql, const SqlParams& params);
  // pg_try_advisory_lock on `lease`'s session.
  static bool tryLock(Database::Lease& lease, long long key);
  static void unlock(Database::Lease& lease, long long key);

  Database& db_;
  std::mutex instanceMutex_;
  std::optional<Database::Lease> instanceLease_;
};

}  // namespace certctl::store
