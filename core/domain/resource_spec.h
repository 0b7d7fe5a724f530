#pragma once

#include <string>
#include <vector>

namespace certctl::domain {

// The REST resources of the inventory are plain records: a table, an id
// prefix and typed fields. Describing them as data lets one repository, one
// validator and one handler serve every resource instead of ten copies.

enum class FieldType {
  String,      // TEXT
  Integer,     // 64-bit integer
  Number,      // double
  Boolean,     // BOOLEAN (PG) / INTEGER 0|1 (SQLite)
  Timestamp,   // TIMESTAMPTZ (PG) / TEXT "YYYY-MM-DDTHH:MM:SSZ" (SQLite)
  StringList,  // JSON array of strings, stored as TEXT (SQLite) / JSONB (PG)
  Json,        // any JSON object/array, stored as TEXT (SQLite) / JSONB (PG)
};

struct FieldSpec {
  std::string name{};            // JSON field name == column name (snake_case)
  FieldType type = FieldType::String;
  bool required = false;         // must be present on create
  bool writable = true;          // clients may set it (false: server-managed)
  bool nullable = true;          // column allows NULL
  std::vector<std::string> enumValues{};  // non-empty: value must be one of these
  std::string references{};      // non-empty: id of a row in this resource (e.g. "teams")
  bool filterable = false;       // `?name=value` equality filter on lists
  std::string filterParam{};     // query parameter name when it differs from `name` (profile_id)
  std::string inputAlias{};      // also accepted in request bodies (seed examples use "profile_id")
  std::string defaultJson{};     // JSON text of the default applied on create ("" = none)
  size_t maxLength = 0;          // for strings; 0 = default limit (4096)
};

// Sortable API names map onto columns. The seed's 8 sort fields
// (notAfter, expiresAt, createdAt, updatedAt, commonName, name, status,
// environment) apply where the resource has the column.
struct SortKey {
  std::string apiName;  // e.g. "notAfter"
  std::string column;   // e.g. "expires_at"
};

// Time-range query parameters map onto a timestamp column and a direction.
struct TimeFilter {
  std::string param;   // e.g. "expires_before"
  std::string column;  // e.g. "expires_at"
  bool before = true;  // true: column < value, false: column > value
};

struct ResourceSpec {
  std::string name;        // URL segment and resource_type in audit: "certificates"
  std::string table;       // SQL table
  std::string idPrefix;    // e.g. "mc-"; ids are <prefix><slug-or-random>
  std::string singular;    // for messages: "certificate"
  std::vector<FieldSpec> fields;  // excluding id, created_at, updated_at (always present)
  std::vector<SortKey> sortKeys;  // allowed ?sort= values
  std::string defaultSortColumn = "created_at";
  bool defaultSortDescending = true;
  std::vector<TimeFilter> timeFilters;
  // DELETE sets status to this value instead of removing the row ("" = hard delete).
  std::string archiveStatus;
  bool hasUpdatedAt = true;
  std::string createdColumn = "created_at";  // audit_events calls it "timestamp"

  const FieldSpec* field(const std::string& fieldName) const {
    for (const auto& f : fields)
      if (f.name == fieldName) return &f;
    return nullptr;
  }
};

}  // namespace certctl::domain
