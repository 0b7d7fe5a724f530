#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/services/audit_log.h"

namespace certctl::services {

// The writes of the certificate lifecycle that must be atomic or
// conditional (a job moves only from the state the caller saw), which the
// generic ResourceRepository cannot express. Records are JSON objects keyed
// by column name, as everywhere else (core/domain/history_resources.cpp for
// jobs, certificate versions and policy violations).
// A job's last_error as stored: bounded, as a plugin's message ends up
// there verbatim.
inline std::string boundedJobError(const std::string& error) {
  constexpr std::size_t kMaxLength = 2000;
  return error.size() > kMaxLength ? error.substr(0, kMaxLength) + "..." : error;
}

class LifecycleStore {
 public:
  virtual ~LifecycleStore() = default;

  // Inserts an issuance/renewal job and, when `certificateStatus` is not
  // empty, sets the certificate's status, in one transaction. Throws
  // domain::ApiError(Conflict) when the certificate already has an
  // issuance or renewal job in flight.
  virtual void createJob(const nlohmann::json& job, const std::string& certificateStatus) = 0;

  // Inserts a new managed certificate and its first job in one transaction
  // (an enrollment protocol's request). Throws domain::ApiError(Conflict)
  // when a unique value (the certificate's name) is taken; nothing is written.
  virtual void createCertificateWithJob(const nlohmann::json& certificate,
                                        const nlohmann::json& job) = 0;

  // An enrollment's whole outcome in one transaction: the new managed
  // certificate, its completed job and its first version, inserted as they
  // are, with the audit `events` of it. Conflict when the certificate's
  // name is taken; nothing is written.
  virtual void createIssuedCertificate(const nlohmann::json& certificate, const nlohmann::json& job,
                                       const nlohmann::json& version,
                                       std::vector<AuditEvent> events) = 0;

  // Applies `changes` (job columns, plus claimed_by/claimed_at) when the job
  // is in one of `fromStatuses`; false when it is not (someone else moved it).
  virtual bool transitionJob(const std::string& jobId, const std::vector<std::string>& fromStatuses,
                             const nlohmann::json& changes) = 0;

  virtual std::optional<nlohmann::json> job(const std::string& jobId) = 0;

  // The issuance or renewal job of the certificate that is not finished yet.
  virtual std::optional<nlohmann::json> inFlightJob(const std::string& certificateId) = 0;

  // Issuance/renewal jobs in AwaitingCSR for this agent; narrowed to one job
  // or one certificate when those are given.
  virtual std::vector<nlohmann::json> awaitingCsrJobs(const std::string& agentId,
                                                      const std::string& jobId,
                                                      const std::string& certificateId) = 0;

  // The successful end of an issuance, in one transaction: the job set
  // Completed (only if it is still Running or AwaitingCSR, else Conflict and
  // nothing is written), the version row inserted, the certificate updated
  // and the audit `events` of it appended.
  virtual void completeIssuance(const nlohmann::json& version, const std::string& jobId,
                                const nlohmann::json& jobChanges,
                                const nlohmann::json& certificateChanges,
                                std::vector<AuditEvent> events) = 0;

  // The failed end: job Failed with `error` (only while it is open) and,
  // when `certificateStatus` is not empty and the job was failed, the
  // certificate's status set, in one transaction.
  virtual void failJob(const std::string& jobId, const std::string& error,
                       const std::string& certificateId, const std::string& certificateStatus) = 0;

  // Appends policy_violations rows.
  virtual void recordViolations(const std::vector<nlohmann::json>& violations) = 0;

  // Enabled policy_rules records, oldest first.
  virtual std::vector<nlohmann::json> enabledPolicyRules() = 0;

  // The most recently issued version of a certificate.
  virtual std::optional<nlohmann::json> latestVersion(const std::string& certificateId) = 0;
};

}  // namespace certctl::services
