#include "core/store/sql_job_store.h"

#include <algorithm>
#include <stdexcept>

#include "core/domain/timestamps.h"
#include "core/store/advisory_lock.h"
#include "core/store/short_lived_sql.h"

namespace certctl::store {

using services::OverdueJob;
using services::RenewalCandidate;

namespace {

const char* kIssuanceTypes = "('Issuance', 'Renewal')";
const char* kInFlightStatuses = "('Pending', 'AwaitingCSR', 'AwaitingApproval', 'Running')";

std::string instanceLockName(const std::string& instanceId) {
  return "certctl-instance:" + instanceId;
}

std::string text(const std::optional<std::string>& cell) { return cell ? *cell : std::string(); }

}  // namespace

SqlJobStore::SqlJobStore(Database& db) : db_(db) {}

SqlJobStore::~SqlJobStore() = default;

std::string SqlJobStore::ts(int n) const {
  return "$" + std::to_string(n) + (postgres() ? "::timestamptz" : "");
}

std::string SqlJobStore::tsText(const std::string& column) const {
  if (!postgres()) return column;
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
}

SqlRows SqlJobStore::run(const std::string& sql, const SqlParams& params) {
  auto lease = db_.acquire();
  try {
    return lease.run(sql, params);
  } catch (const SqlError& e) {
    throw std::runtime_error(std::string("database error: ") + e.what());
  }
}

std::vector<std::string> SqlJobStore::firstColumn(const std::string& sql, const SqlParams& params) {
  std::vector<std::string> out;
  for (auto& row : run(sql, params).rows)
    if (!row.empty() && row[0]) out.push_back(std::move(*row[0]));
  return out;
}

std::vector<std::string> SqlJobStore::claimDueJobs(const std::string& claimedBy, bool retries,
                                                   int limit) {
  // The inner SELECT picks, the outer UPDATE takes, in one statement; on
  // PostgreSQL rows another replica is claiming right now are skipped, not
  // waited for, and the outer status check makes a lost race a no-op.
  std::string due = std::string("SELECT id FROM jobs WHERE status = 'Pending' AND type IN ") +
                    kIssuanceTypes + " AND (scheduled_at IS NULL OR scheduled_at <= " + ts(2) +
                    ") AND attempts " + (retries ? "> 0" : "= 0") +
                    " ORDER BY scheduled_at, id LIMIT " + std::to_string(limit) +
                    (postgres() ? " FOR UPDATE SKIP LOCKED" : "");
  std::string sql = "UPDATE jobs SET status = 'Running', claimed_by = $1, claimed_at = " + ts(2) +
                    ", started_at = " + ts(2) + ", updated_at = " + ts(2) +
                    ", attempts = attempts + 1 WHERE status = 'Pending' AND id IN (" + due +
                    ") RETURNING id";
  return firstColumn(sql, {claimedBy, domain::nowRfc3339()});
}

std::vector<std::string> SqlJobStore::dueJobs(bool retries, int limit) {
  return firstColumn(std::string("SELECT id FROM jobs WHERE status = 'Pending' AND type IN ") +
                         kIssuanceTypes + " AND (scheduled_at IS NULL OR scheduled_at <= " + ts(1) +
                         ") AND attempts " + (retries ? "> 0" : "= 0") +
                         " ORDER BY scheduled_at, id LIMIT " + std::to_string(limit),
                     {domain::nowRfc3339()});
}

int SqlJobStore::requeueOrphanedJobs(const std::string& self) {
  // The interrupted attempt did not fail, so it is not counted.
  const std::string requeue =
      "UPDATE jobs SET status = 'Pending', claimed_by = NULL, claimed_at = NULL, "
      "scheduled_at = " +
      ts(1) + ", updated_at = " + ts(1) +
      ", attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END "
      "WHERE status = 'Running' AND type IN " +
      kIssuanceTypes;
  const std::string now = domain::nowRfc3339();
  if (!postgres())
    return static_cast<int>(
        run(requeue + " AND (claimed_by IS NULL OR claimed_by <> $2)", {now, self}).changed);

  auto claimants = run(std::string("SELECT DISTINCT claimed_by FROM jobs WHERE status = "
                                   "'Running' AND type IN ") +
                           kIssuanceTypes,
                       {});
  int requeued = 0;
  for (const auto& row : claimants.rows) {
    if (row.empty() || !row[0]) {
      requeued += static_cast<int>(run(requeue + " AND claimed_by IS NULL", {now}).changed);
      continue;
    }
    const std::string& claimant = *row[0];
    if (claimant == self) continue;
    // A live claimant holds its instance lock; getting it means the process is gone.
    auto lease = db_.acquire();
    const long long key = advisoryKey(instanceLockName(claimant));
    if (!tryLock(lease, key)) continue;
    try {
      requeued +=
          static_cast<int>(lease.run(requeue + " AND claimed_by = $2", {now, claimant}).changed);
    } catch (const SqlError& e) {
      lease.discard();  // closing the session releases the lock
      throw std::runtime_error(std::string("database error: ") + e.what());
    }
    unlock(lease, key);
  }
  return requeued;
}

void SqlJobStore::holdInstanceLock(const std::string& instanceId) {
  if (!postgres()) return;
  std::lock_guard lock(instanceMutex_);
  if (instanceLease_) return;
  auto lease = db_.acquire();
  if (!tryLock(lease, advisoryKey(instanceLockName(instanceId))))
    throw std::runtime_error("instance id " + instanceId + " is already in use");
  instanceLease_.emplace(std::move(lease));
}

std::vector<OverdueJob> SqlJobStore::overdueJobs(const std::vector<std::string>& statuses,
                                                 const std::string& cutoff) {
  SqlParams params{cutoff};
  std::string in;
  for (const auto& s : statuses) {
    params.emplace_back(s);
    in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  if (in.empty()) return {};
  auto rows = run("SELECT id, type, status, certificate_id FROM jobs WHERE status IN (" + in +
                      ") AND updated_at < " + ts(1) + " ORDER BY updated_at, id LIMIT 500",
                  params);
  std::vector<OverdueJob> out;
  for (const auto& row : rows.rows)
    out.push_back({text(row[0]), text(row[1]), text(row[2]), text(row[3])});
  return out;
}

std::vector<RenewalCandidate> SqlJobStore::renewalCandidates(const std::string& horizon,
                                                             const std::string& now, int limit) {
  auto rows = run("SELECT c.id, " + tsText("c.expires_at") +
                      ", COALESCE(p.renewal_window_days, 30), "
                      "CASE WHEN p.auto_renew = FALSE THEN 0 ELSE 1 END, " +
                      tsText("c.ari_renew_at") +
                      " FROM managed_certificates c LEFT JOIN renewal_policies p ON p.id = "
                      "c.renewal_policy_id "
                      "WHERE c.status IN ('Active', 'Expiring') AND ((c.expires_at IS NOT NULL AND "
                      "c.expires_at <= " +
                      ts(1) + ") OR c.ari_renew_at <= " + ts(2) +
                      ") AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.certificate_id = c.id AND " +
                      "j.type IN " + kIssuanceTypes + " AND j.status IN " + kInFlightStatuses +
                      ") ORDER BY c.expires_at, c.id LIMIT " + std::to_string(limit),
                  {horizon, now});
  std::vector<RenewalCandidate> out;
  for (const auto& row : rows.rows)
    out.push_back(
        {text(row[0]), text(row[1]), text(row[4]), std::stoll(text(row[2])), text(row[3]) == "1"});
  return out;
}

long long SqlJobStore::widestRenewalWindowDays() {
  auto rows = run("SELECT MAX(renewal_window_days) FROM renewal_policies", {});
  long long widest = 30;
  if (!rows.rows.empty() && rows.rows[0][0])
    widest = std::max(widest, std::stoll(*rows.rows[0][0]));
  return widest;
}

std::vector<std::string> SqlJobStore::expireShortLived(const std::string& now) {
  return firstColumn(
      "UPDATE managed_certificates SET status = 'Expired', updated_at = " + ts(1) +
          " WHERE status IN ('Active', 'Expiring', 'RenewalInProgress') AND expires_at IS NOT "
          "NULL AND expires_at < " +
          ts(1) + " AND certificate_profile_id IN (SELECT p.id FROM certificate_profiles p WHERE " +
          shortLivedCondition("p") + ") RETURNING id",
      {now});
}

std::vector<std::string> SqlJobStore::markSilentAgentsOffline(const std::string& cutoff) {
  return firstColumn("UPDATE agents SET status = 'Offline', updated_at = " + ts(1) +
                         " WHERE status <> 'Offline' AND retired_at IS NULL AND "
                         "last_heartbeat_at IS NOT NULL AND last_heartbeat_at < " +
                         ts(2) + " RETURNING id",
                     {domain::nowRfc3339(), cutoff});
}

bool SqlJobStore::tryLock(Database::Lease& lease, long long key) {
  auto rows = lease.run("SELECT pg_try_advisory_lock($1::bigint)", {std::to_string(key)});
  return !rows.rows.empty() && rows.rows[0][0] && *rows.rows[0][0] == "t";
}

void SqlJobStore::unlock(Database::Lease& lease, long long key) {
  try {
    lease.run("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(key)});
  } catch (const SqlError&) {
    lease.discard();  // closing the session releases the lock
  }
}

bool SqlJobStore::runExclusive(const std::string& name, const std::function<void()>& work) {
  if (!postgres()) {
    work();
    return true;
  }
  auto lease = db_.acquire();
  const long long key = advisoryKey("certctl-loop:" + name);
  if (!tryLock(lease, key)) return false;
  try {
    work();
  } catch (...) {
    unlock(lease, key);
    throw;
  }
  unlock(lease, key);
  return true;
}

}  // namespace certctl::store
