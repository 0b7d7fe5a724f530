#include "core/domain/discovery_resources.h"

#include "core/domain/read_only_resource.h"

namespace certctl::domain {

namespace {

FieldSpec notNull(FieldSpec f) {
  f.nullable = false;
  return f;
}

}  // namespace

const std::vector<std::string>& discoveryStatuses() {
  static const std::vector<std::string> statuses = {"Unmanaged", "Managed", "Dismissed"};
  return statuses;
}

const ResourceSpec& discoveredCertificateSpec() {
  static const ResourceSpec spec = [] {
    auto s = readOnlyResource("discovered-certificates", "discovered_certificates", "dc-",
                              "discovered certificate");
    auto status = notNull(readOnly("status", FieldType::String, true));
    status.enumValues = discoveryStatuses();
    s.fields = {notNull(readOnly("fingerprint_sha256", FieldType::String, true)),
                notNull(readOnly("common_name", FieldType::String, true)),
                notNull(readOnly("sans", FieldType::StringList, false)),
                readOnly("serial_number", FieldType::String, true),
                readOnly("issuer_dn"),
                readOnly("subject_dn"),
                readOnly("not_before", FieldType::Timestamp),
                readOnly("not_after", FieldType::Timestamp),
                readOnly("key_algorithm", FieldType::String, true),
                readOnly("key_size", FieldType::Integer),
                notNull(readOnly("is_ca", FieldType::Boolean, true)),
                readOnly("pem_data"),
                notNull(readOnly("source_path", FieldType::String, false)),
                readOnly("source_format"),
                notNull(readOnly("agent_id", FieldType::String, true)),
                readOnly("discovery_scan_id", FieldType::String, true),
                readOnly("managed_certificate_id", FieldType::String, true),
                status,
                notNull(readOnly("first_seen_at", FieldType::Timestamp, false)),
                notNull(readOnly("last_seen_at", FieldType::Timestamp, false)),
                readOnly("dismissed_at", FieldType::Timestamp),
                readOnly("dismissed_reason")};
    s.sortKeys = {{"createdAt", "created_at"},   {"updatedAt", "updated_at"},
                  {"notAfter", "not_after"},     {"expiresAt", "not_after"},
                  {"commonName", "common_name"}, {"status", "status"},
                  {"lastSeenAt", "last_seen_at"}};
    s.timeFilters = {{"created_after", "created_at", false},
                     {"created_before", "created_at", true},
                     {"expires_before", "not_after", true},
                     {"expires_after", "not_after", false}};
    return s;
  }();
  return spec;
}

const ResourceSpec& discoveryScanSpec() {
  static const ResourceSpec spec = [] {
    auto s = readOnlyResource("discovery-scans", "discovery_scans", "ds-", "discovery scan");
    s.hasUpdatedAt = false;
    s.fields = {notNull(readOnly("agent_id", FieldType::String, true)),
                notNull(readOnly("source", FieldType::String, true)),
                notNull(readOnly("directories", FieldType::StringList, false)),
                notNull(readOnly("certificates_found", FieldType::Integer, false)),
                notNull(readOnly("certificates_new", FieldType::Integer, false)),
                notNull(readOnly("errors_count", FieldType::Integer, false)),
                notNull(readOnly("scan_duration_ms", FieldType::Integer, false)),
                notNull(readOnly("started_at", FieldType::Timestamp, false)),
                readOnly("completed_at", FieldType::Timestamp)};
    s.sortKeys = {{"createdAt", "created_at"}, {"startedAt", "started_at"}};
    s.defaultSortColumn = "started_at";
    s.timeFilters = {{"created_after", "created_at", false},
                     {"created_before", "created_at", true},
                     {"started_after", "started_at", false},
                     {"started_before", "started_at", true}};
    return s;
  }();
  return spec;
}

}  // namespace certctl::domain
