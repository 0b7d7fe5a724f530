#pragma once

#include <functional>
#include <string>
#include <vector>

namespace certctl::services {

// A job the timeout reaper found overdue.
struct OverdueJob {
  std::string id;
  std::string type;
  std::string status;
  std::string certificateId;
};

// A certificate the renewal check looked at: when it expires, how many days
// before that its renewal policy renews (30 without a policy), and whether
// the policy renews on its own or waits for approval.
struct RenewalCandidate {
  std::string certificateId;
  std::string expiresAt;   // RFC 3339
  std::string ariRenewAt;  // RFC 3339, "" when the CA suggested no renewal time
  long long windowDays = 30;
  bool autoRenew = true;
};

// The scheduler's queries (DESIGN §7): claiming due jobs, finding overdue
// ones, renewal candidates, expiring short-lived certificates and silent
// agents, and the locks that keep several replicas on one PostgreSQL from
// doing the same work twice. SQLite has one writer and one server per file,
// so there the locks are no-ops.
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Moves up to `limit` due Pending issuance/renewal jobs (scheduled_at
  // passed or unset) to Running, claimed by `claimedBy`, attempts + 1, in one
  // statement (PostgreSQL: FOR UPDATE SKIP LOCKED, so replicas never claim
  // the same job); `retries` selects jobs that already had an attempt,
  // otherwise fresh ones. Returns the claimed ids, oldest first.
  virtual std::vector<std::string> claimDueJobs(const std::string& claimedBy, bool retries,
                                                int limit) = 0;

  // Due Pending issuance/renewal job ids without claiming them (agent keygen:
  // the job only moves on to AwaitingCSR, conditionally).
  virtual std::vector<std::string> dueJobs(bool retries, int limit) = 0;

  // Running issuance/renewal jobs whose claimant is gone go back to Pending,
  // due at once. `self` is this process (never requeued). SQLite: every
  // other claimant is gone (one server per file); PostgreSQL: a claimant is
  // alive while it holds its instance lock. Returns how many were requeued.
  virtual int requeueOrphanedJobs(const std::string& self) = 0;

  // Holds the instance lock of `instanceId` until the store is destroyed
  // (PostgreSQL: a session advisory lock, released by the server when this
  // process dies).
  virtual void holdInstanceLock(const std::string& instanceId) = 0;

  // Jobs in one of `statuses` not updated since `cutoff` (RFC 3339).
  virtual std::vector<OverdueJob> overdueJobs(const std::vector<std::string>& statuses,
                                              const std::string& cutoff) = 0;

  // Active/Expiring certificates that expire before `horizon` or whose ARI
  // renewal time is at or before `now` (RFC 3339), with no issuance/renewal
  // in flight, soonest expiry first.
  virtual std::vector<RenewalCandidate> renewalCandidates(const std::string& horizon,
                                                          const std::string& now, int limit) = 0;
  // The widest renewal window of any policy (at least 30 days).
  virtual long long widestRenewalWindowDays() = 0;

  // Certificates of short-lived profiles (lifetime under an hour) that are
  // past not_after (`now`, RFC 3339) and still Active, Expiring or
  // RenewalInProgress become Expired; returns their ids.
  virtual std::vector<std::string> expireShortLived(const std::string& now) = 0;

  // Agents (not retired, not Offline) last heard from before `cutoff` become
  // Offline; returns their ids.
  virtual std::vector<std::string> markSilentAgentsOffline(const std::string& cutoff) = 0;

  // Runs `work` while holding the cluster-wide lock `name`; false (and
  // `work` not run) when another replica holds it.
  virtual bool runExclusive(const std::string& name, const std::function<void()>& work) = 0;
};

}  // namespace certctl::services
