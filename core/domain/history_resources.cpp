#include "core/domain/history_resources.h"

#include "core/domain/read_only_resource.h"

namespace certctl::domain {

const ResourceSpec& certificateVersionSpec() {
  static const ResourceSpec spec = [] {
    auto s = readOnlyResource("certificate-versions", "certificate_versions", "cv-",
                              "certificate version");
    s.hasUpdatedAt = false;
    s.fields = {readOnly("certificate_id", FieldType::String, true),
                readOnly("issuer_id"),
                readOnly("serial_number", FieldType::String, true),
                readOnly("not_before", FieldType::Timestamp),
                readOnly("not_after", FieldType::Timestamp),
                readOnly("fingerprint_sha256", FieldType::String, true),
                readOnly("pem_chain"),
                readOnly("csr_pem"),
                readOnly("key_algorithm"),
                readOnly("key_size", FieldType::Integer),
                readOnly("source")};
    for (auto& f : s.fields)
      if (f.name == "certificate_id" || f.name == "serial_number" || f.name == "not_before" ||
          f.name == "not_after" || f.name == "fingerprint_sha256" || f.name == "pem_chain")
        f.nullable = false;
    s.sortKeys.push_back({"notAfter", "not_after"});
    return s;
  }();
  return spec;
}

const ResourceSpec& jobSpec() {
  static const ResourceSpec spec = [] {
    auto s = readOnlyResource("jobs", "jobs", "j-", "job");
    auto status = readOnly("status", FieldType::String, true);
    status.nullable = false;
    status.enumValues = {"Pending",   "AwaitingCSR", "AwaitingApproval", "Running",
                         "Completed", "Failed",      "Cancelled"};
    auto type = readOnly("type", FieldType::String, true);
    type.nullable = false;
    type.enumValues = {"Issuance", "Renewal", "Deployment", "Validation"};
    s.fields = {type,
                readOnly("certificate_id", FieldType::String, true),
                readOnly("target_id", FieldType::String, true),
                readOnly("agent_id", FieldType::String, true),
                status,
                readOnly("attempts", FieldType::Integer),
                readOnly("max_attempts", FieldType::Integer),
                readOnly("last_error"),
                readOnly("payload", FieldType::Json),
                readOnly("result", FieldType::Json),
                readOnly("scheduled_at", FieldType::Timestamp),
                readOnly("started_at", FieldType::Timestamp),
                readOnly("completed_at", FieldType::Timestamp),
                readOnly("reason"),
                readOnly("verification_status"),
                readOnly("verified_at", FieldType::Timestamp)};
    for (auto& f : s.fields)
      if (f.name == "attempts" || f.name == "max_attempts") f.nullable = false;
    s.sortKeys.push_back({"updatedAt", "updated_at"});
    s.timeFilters.push_back({"updated_after", "updated_at", false});
    return s;
  }();
  return spec;
}

const ResourceSpec& policyViolationSpec() {
  static const ResourceSpec spec = [] {
    auto s = readOnlyResource("policy-violations", "policy_violations", "pv-", "policy violation");
    s.hasUpdatedAt = false;
    auto severity = readOnly("severity", FieldType::String, true);
    severity.nullable = false;
    severity.enumValues = {"Warning", "Error", "Critical"};
    s.fields = {readOnly("certificate_id", FieldType::String, true),
                readOnly("rule_id", FieldType::String, true), readOnly("message"), severity,
                readOnly("details", FieldType::Json)};
    return s;
  }();
  return spec;
}

}  // namespace certctl::domain
