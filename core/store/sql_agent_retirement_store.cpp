#include "core/store/sql_agent_retirement_store.h"

#include "core/store/sql_dialect.h"
#include "core/store/write_transaction.h"

namespace certctl::store {

using domain::FieldType;
using services::RetirementOutcome;

namespace {

// The job states that are not finished (seed 001 job state machine).
constexpr const char* kOpenJobs = "('Pending', 'AwaitingCSR', 'AwaitingApproval', 'Running')";

long long count(Database::Lease& lease, const std::string& sql, const SqlParams& params) {
  auto rows = lease.run(sql, params).rows;
  return rows.empty() || rows[0].empty() || !rows[0][0] ? 0 : std::stoll(*rows[0][0]);
}

}  // namespace

RetirementOutcome SqlAgentRetirementStore::retire(const std::string& agentId,
                                                  const std::string& reason, const std::string& now,
                                                  bool cascade) {
  SqlDialect d(db_.dialect());
  const std::string id = d.param(1, FieldType::String);
  const std::string activeTargets =
      "SELECT id FROM deployment_targets WHERE agent_id = " + id + " AND retired_at IS NULL";
  const std::string agentJobs = " WHERE (agent_id = " + id + " OR target_id IN (" + activeTargets +
                                ")) AND status IN " + kOpenJobs;
  const std::string lockAgent = "SELECT retired_at FROM agents WHERE id = " + id +
                                (db_.dialect() == Dialect::Postgres ? " FOR UPDATE" : "");
  const std::string countCertificates =
      "SELECT COUNT(*) FROM managed_certificates WHERE status NOT IN ('Archived', 'Revoked') "
      "AND (agent_id = " +
      id +
      " OR id IN (SELECT certificate_id FROM certificate_target_mappings WHERE target_id IN (" +
      activeTargets + ")))";
  const std::string countTargets = "SELECT COUNT(*) FROM (" + activeTargets + ") AS t";
  const std::string countJobs = "SELECT COUNT(*) FROM jobs" + agentJobs;
  const std::string now2 = d.param(2, FieldType::Timestamp);
  const std::string reason3 = d.param(3, FieldType::String);
  const std::string cancelJobs = "UPDATE jobs SET status = 'Cancelled', completed_at = " + now2 +
                                 ", updated_at = " + now2 + ", last_error = " + reason3 + agentJobs;
  const std::string retireTargets =
      "UPDATE deployment_targets SET enabled = " + d.param(4, FieldType::Boolean) +
      ", retired_at = " + now2 + ", retired_reason = " + reason3 + ", updated_at = " + now2 +
      " WHERE agent_id = " + id + " AND retired_at IS NULL";
  const std::string retireAgent = "UPDATE agents SET retired_at = " + now2 +
                                  ", retired_reason = " + reason3 +
                                  ", status = 'Offline', updated_at = " + now2 +
                                  " WHERE id = " + id + " AND retired_at IS NULL";
  const SqlParams byId = {agentId};
  const SqlParams jobParams = {agentId, now, "agent retired: " + reason};
  const SqlParams stampParams = {
      agentId, now, reason.empty() ? std::nullopt : std::optional<std::string>(reason)};
  const SqlParams targetParams = {
      agentId, now, reason.empty() ? std::nullopt : std::optional<std::string>(reason),
      d.toParam(false, FieldType::Boolean)};

  RetirementOutcome outcome;
  writeTransaction(db_, writer_, [&](Database::Lease& lease) {
    outcome = {};
    auto agent = lease.run(lockAgent, byId).rows;
    if (agent.empty()) return;  // NotFound
    if (!agent[0].empty() && agent[0][0]) {
      outcome.result = RetirementOutcome::Result::AlreadyRetired;
      return;
    }
    outcome.dependencies.certificates = count(lease, countCertificates, byId);
    outcome.dependencies.targets = count(lease, countTargets, byId);
    outcome.dependencies.pendingJobs = count(lease, countJobs, byId);
    if (outcome.dependencies.any() && !cascade) {
      outcome.result = RetirementOutcome::Result::HasDependencies;
      return;
    }
    if (cascade) {
      // Jobs first: the cancellation finds deployment jobs by their target.
      outcome.jobsCancelled = static_cast<long long>(lease.run(cancelJobs, jobParams).changed);
      outcome.targetsRetired =
          static_cast<long long>(lease.run(retireTargets, targetParams).changed);
    }
    lease.run(retireAgent, stampParams);
    outcome.result = RetirementOutcome::Result::Retired;
  });
  return outcome;
}

}  // namespace certctl::store
