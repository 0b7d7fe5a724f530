#include "core/store/sql_discovery_store.h"

#include <stdexcept>

#include "core/domain/discovery_resources.h"
#include "core/store/sql_dialect.h"
#include "core/store/write_transaction.h"

namespace certctl::store {

using domain::FieldType;
using nlohmann::json;

namespace {

FieldType columnType(const domain::ResourceSpec& spec, const std::string& column) {
  if (column == "id") return FieldType::String;
  if (column == "created_at" || column == "updated_at") return FieldType::Timestamp;
  if (const auto* field = spec.field(column)) return field->type;
  throw std::logic_error("discovery store: no column " + spec.table + "." + column);
}

// "col = $n" pieces or "(cols) VALUES ($n...)" from a row of typed JSON values.
struct Bound {
  std::vector<std::string> columns;
  std::vector<std::string> placeholders;
  SqlParams params;
};

Bound bindRow(const SqlDialect& dialect, const domain::ResourceSpec& spec, const json& row,
              std::size_t firstIndex = 1) {
  Bound b;
  for (const auto& [column, value] : row.items()) {
    FieldType type = columnType(spec, column);
    b.columns.push_back(column);
    if (value.is_null()) {
      b.placeholders.push_back("NULL");
      continue;
    }
    b.params.push_back(dialect.toParam(value, type));
    b.placeholders.push_back(
        dialect.param(static_cast<int>(firstIndex + b.params.size() - 1), type));
  }
  return b;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::string insertSql(const domain::ResourceSpec& spec, const Bound& b) {
  return "INSERT INTO " + spec.table + " (" + joined(b.columns) + ") VALUES (" +
         joined(b.placeholders) + ")";
}

}  // namespace

long long SqlDiscoveryStore::recordScan(const json& scan, const std::vector<json>& findings) {
  SqlDialect dialect(db_.dialect());
  const auto& scanSpec = domain::discoveryScanSpec();
  const auto& certSpec = domain::discoveredCertificateSpec();
  Bound scanRow = bindRow(dialect, scanSpec, scan);
  std::string scanInsert = insertSql(scanSpec, scanRow);

  // Built once: the committer may run the work twice.
  struct Upsert {
    std::string insert;
    SqlParams insertParams;
    std::string touch;
    SqlParams touchParams;
  };
  std::vector<Upsert> upserts;
  upserts.reserve(findings.size());
  std::string scanId = scan.at("id").get<std::string>();
  for (const auto& row : findings) {
    Bound b = bindRow(dialect, certSpec, row);
    Upsert u;
    u.insert = insertSql(certSpec, b) +
               " ON CONFLICT (fingerprint_sha256, agent_id, source_path) DO NOTHING";
    u.insertParams = std::move(b.params);
    auto p = [&](int i, FieldType t) { return dialect.param(i, t); };
    u.touch = "UPDATE discovered_certificates SET last_seen_at = " + p(1, FieldType::Timestamp) +
              ", updated_at = " + p(1, FieldType::Timestamp) +
              ", discovery_scan_id = " + p(2, FieldType::String) +
              " WHERE fingerprint_sha256 = " + p(3, FieldType::String) +
              " AND agent_id = " + p(4, FieldType::String) +
              " AND source_path = " + p(5, FieldType::String);
    u.touchParams = {row.at("last_seen_at").get<std::string>(), scanId,
                     row.at("fingerprint_sha256").get<std::string>(),
                     row.at("agent_id").get<std::string>(),
                     row.at("source_path").get<std::string>()};
    upserts.push_back(std::move(u));
  }
  std::string setNew =
      "UPDATE discovery_scans SET certificates_new = " + dialect.param(1, FieldType::Integer) +
      " WHERE id = " + dialect.param(2, FieldType::String);

  long long created = 0;
  writeTransaction(db_, writer_, [&](Database::Lease& lease) {
    created = 0;
    lease.run(scanInsert, scanRow.params);
    for (const auto& u : upserts) {
      if (lease.run(u.insert, u.insertParams).changed > 0)
        ++created;
      else
        lease.run(u.touch, u.touchParams);
    }
    lease.run(setNew, {std::to_string(created), scanId});
  });
  return created;
}

bool SqlDiscoveryStore::transition(const std::string& id,
                                   const std::vector<std::string>& fromStatuses,
                                   const json& changes) {
  SqlDialect dialect(db_.dialect());
  Bound b = bindRow(dialect, domain::discoveredCertificateSpec(), changes);
  std::vector<std::string> sets;
  for (std::size_t i = 0; i < b.columns.size(); ++i)
    sets.push_back(b.columns[i] + " = " + b.placeholders[i]);
  SqlParams params = b.params;
  auto bind = [&](const std::string& value) {
    params.push_back(value);
    return dialect.param(static_cast<int>(params.size()), FieldType::String);
  };
  std::string sql =
      "UPDATE discovered_certificates SET " + joined(sets) + " WHERE id = " + bind(id);
  std::vector<std::string> statuses;
  for (const auto& s : fromStatuses) statuses.push_back(bind(s));
  sql += " AND status IN (" + joined(statuses) + ")";
  std::size_t changed = 0;
  writeTransaction(db_, writer_,
                   [&](Database::Lease& lease) { changed = lease.run(sql, params).changed; });
  return changed > 0;
}

std::map<std::string, long long> SqlDiscoveryStore::countByStatus() {
  auto lease = db_.acquire();
  auto result = lease.run("SELECT status, COUNT(*) FROM discovered_certificates GROUP BY status");
  std::map<std::string, long long> counts;
  for (const auto& row : result.rows)
    if (row.size() == 2 && row[0] && row[1]) counts[*row[0]] = std::stoll(*row[1]);
  return counts;
}

}  // namespace certctl::store
