#include "core/store/sql_agent_store.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <functional>
#include <stdexcept>

#include "core/domain/errors.h"
#include "core/domain/history_resources.h"
#include "core/domain/timestamps.h"
#include "core/store/sql_dialect.h"

namespace certctl::store {

using domain::FieldType;
using nlohmann::json;

namespace {

// Rows per heartbeat UPDATE: 6 parameters each, far below SQLite's limit.
constexpr std::size_t kHeartbeatChunk = 200;

// The jobs columns this store writes and their types (the descriptor lacks
// the claim and verification detail columns).
FieldType jobColumnType(const std::string& column) {
  static const std::pair<const char*, FieldType> kColumns[] = {
      {"status", FieldType::String},
      {"last_error", FieldType::String},
      {"claimed_by", FieldType::String},
      {"reason", FieldType::String},
      {"verification_status", FieldType::String},
      {"verification_fingerprint", FieldType::String},
      {"verification_error", FieldType::String},
      {"started_at", FieldType::Timestamp},
      {"completed_at", FieldType::Timestamp},
      {"claimed_at", FieldType::Timestamp},
      {"verified_at", FieldType::Timestamp},
      {"updated_at", FieldType::Timestamp},
      {"attempts", FieldType::Integer},
      {"result", FieldType::Json},
      {"payload", FieldType::Json},
      {"id", FieldType::String},
      {"type", FieldType::String},
      {"certificate_id", FieldType::String},
      {"target_id", FieldType::String},
      {"agent_id", FieldType::String},
      {"max_attempts", FieldType::Integer},
      {"scheduled_at", FieldType::Timestamp},
      {"created_at", FieldType::Timestamp},
  };
  for (const auto& [name, type] : kColumns)
    if (column == name) return type;
  throw std::logic_error("agent store: no writable jobs column " + column);
}

}  // namespace

std::size_t SqlAgentStore::execute(Database::Lease& lease, const std::string& sql,
                                   std::vector<std::string>& params) {
  Poco::Data::Statement stmt(*lease);
  stmt << sql;
  for (auto& p : params) stmt.addBind(Poco::Data::Keywords::use(p));
  try {
    return stmt.execute();
  } catch (const Poco::Exception& e) {
    // The transaction's owner rolls back (and drops a broken connection).
    throw std::runtime_error("database error: " + e.displayText());
  }
}

void SqlAgentStore::write(const std::function<void(Database::Lease&)>& work) {
  if (writer_) {
    writer_->run(work);
    return;
  }
  auto lease = db_.acquire();
  lease->begin();
  try {
    work(lease);
    lease->commit();
  } catch (...) {
    try {
      lease->rollback();
    } catch (...) {
      lease.discard();
    }
    throw;
  }
}

std::vector<std::string> SqlAgentStore::selectIds(const std::string& sql,
                                                  std::vector<std::string> params) {
  // Straight through the driver (prepared and cached per connection): this
  // runs on every agent work poll.
  auto lease = db_.acquire();
  SqlParams bound(params.begin(), params.end());
  SqlRows result;
  try {
    result = lease.run(sql, bound);
  } catch (const SqlError& e) {
    lease.discard();
    throw std::runtime_error(std::string("database error: ") + e.what());
  }
  std::vector<std::string> ids;
  ids.reserve(result.rows.size());
  for (auto& row : result.rows)
    if (!row.empty() && row[0]) ids.push_back(std::move(*row[0]));
  return ids;
}

void SqlAgentStore::recordHeartbeats(const std::vector<services::AgentHeartbeat>& heartbeats) {
  if (heartbeats.empty()) return;
  SqlDialect dialect(db_.dialect());
  // Statements and parameters are built once: the committer may run `work` twice.
  std::vector<std::pair<std::string, std::vector<std::string>>> statements;
  for (std::size_t start = 0; start < heartbeats.size(); start += kHeartbeatChunk) {
    std::size_t end = std::min(heartbeats.size(), start + kHeartbeatChunk);
    std::vector<std::string> params;
    auto bind = [&](const std::string& value, FieldType type) {
      params.push_back(value);
      return dialect.param(static_cast<int>(params.size()), type);
    };
    auto optional = [&](const json& metadata, const char* key) {
      auto it = metadata.find(key);
      return it != metadata.end() && it->is_string()
                 ? bind(it->get<std::string>(), FieldType::String)
                 : std::string("NULL");
    };
    std::string rows;
    for (std::size_t i = start; i < end; ++i) {
      const auto& beat = heartbeats[i];
      rows += rows.empty() ? "SELECT " : " UNION ALL SELECT ";
      rows += bind(beat.agentId, FieldType::String) + " AS id, ";
      rows += bind(beat.seenAt, FieldType::Timestamp) + " AS seen, ";
      rows += optional(beat.metadata, "os") + " AS os, ";
      rows += optional(beat.metadata, "architecture") + " AS arch, ";
      rows += optional(beat.metadata, "hostname") + " AS host, ";
      rows += optional(beat.metadata, "ip_address") + " AS ip, ";
      rows += optional(beat.metadata, "version") + " AS ver";
    }
    statements.emplace_back(
        "UPDATE agents SET last_heartbeat_at = v.seen, status = 'Online', "
        "os = COALESCE(v.os, agents.os), "
        "architecture = COALESCE(v.arch, agents.architecture), "
        "hostname = COALESCE(v.host, agents.hostname), "
        "ip_address = COALESCE(v.ip, agents.ip_address), "
        "version = COALESCE(v.ver, agents.version) "
        "FROM (" +
            rows + ") AS v WHERE agents.id = v.id AND agents.retired_at IS NULL",
        std::move(params));
  }
  write([&](Database::Lease& lease) {
    for (auto& [sql, params] : statements) {
      std::vector<std::string> bound = params;
      execute(lease, sql, bound);
    }
  });
}

std::vector<json> SqlAgentStore::openJobs(const std::string& agentId, int limit) {
  SqlDialect dialect(db_.dialect());
  auto ids =
      selectIds("SELECT id FROM jobs WHERE agent_id = " + dialect.param(1, FieldType::String) +
                    " AND ((type IN ('Issuance', 'Renewal') AND status = 'AwaitingCSR') OR "
                    "(type = 'Deployment' AND status IN ('Pending', 'Running'))) "
                    "ORDER BY created_at, id LIMIT " +
                    std::to_string(limit),
                {agentId});
  std::vector<json> jobs;
  for (const auto& id : ids)
    if (auto job = records_.get(domain::jobSpec(), id)) jobs.push_back(std::move(*job));
  return jobs;
}

std::vector<std::string> SqlAgentStore::mappedTargetIds(const std::string& certificateId) {
  SqlDialect dialect(db_.dialect());
  return selectIds("SELECT target_id FROM certificate_target_mappings WHERE certificate_id = " +
                       dialect.param(1, FieldType::String) + " ORDER BY created_at, target_id",
                   {certificateId});
}

bool SqlAgentStore::addMapping(const std::string& certificateId, const std::string& targetId) {
  SqlDialect dialect(db_.dialect());
  std::vector<std::string> params{certificateId, targetId, domain::nowRfc3339()};
  std::string sql =
      "INSERT INTO certificate_target_mappings (certificate_id, target_id, created_at) VALUES (" +
      dialect.param(1, FieldType::String) + ", " + dialect.param(2, FieldType::String) + ", " +
      dialect.param(3, FieldType::Timestamp) +
      ") ON CONFLICT (certificate_id, target_id) DO NOTHING";
  std::size_t inserted = 0;
  write([&](Database::Lease& lease) {
    std::vector<std::string> bound = params;
    inserted = execute(lease, sql, bound);
  });
  return inserted > 0;
}

bool SqlAgentStore::removeMapping(const std::string& certificateId, const std::string& targetId) {
  SqlDialect dialect(db_.dialect());
  std::vector<std::string> params{certificateId, targetId};
  std::string sql = "DELETE FROM certificate_target_mappings WHERE certificate_id = " +
                    dialect.param(1, FieldType::String) +
                    " AND target_id = " + dialect.param(2, FieldType::String);
  std::size_t removed = 0;
  write([&](Database::Lease& lease) {
    std::vector<std::string> bound = params;
    removed = execute(lease, sql, bound);
  });
  return removed > 0;
}

std::optional<std::string> SqlAgentStore::pendingDeployment(const std::string& certificateId,
                                                            const std::string& targetId) {
  SqlDialect dialect(db_.dialect());
  auto ids = selectIds(
      "SELECT id FROM jobs WHERE certificate_id = " + dialect.param(1, FieldType::String) +
          " AND target_id = " + dialect.param(2, FieldType::String) +
          " AND type = 'Deployment' AND status = 'Pending' "
          "ORDER BY created_at, id LIMIT 1",
      {certificateId, targetId});
  if (ids.empty()) return std::nullopt;
  return ids.front();
}

void SqlAgentStore::insertJob(const json& job) {
  SqlDialect dialect(db_.dialect());
  std::vector<std::string> params;
  std::string names, values;
  for (const auto& [column, value] : job.items()) {
    FieldType type = jobColumnType(column);
    names += (names.empty() ? "" : ", ") + column;
    values += values.empty() ? "" : ", ";
    if (value.is_null()) {
      values += "NULL";
      continue;
    }
    params.push_back(dialect.toParam(value, type));
    values += dialect.param(static_cast<int>(params.size()), type);
  }
  std::string sql = "INSERT INTO jobs (" + names + ") VALUES (" + values + ")";
  write([&](Database::Lease& lease) {
    std::vector<std::string> bound = params;
    execute(lease, sql, bound);
  });
}

bool SqlAgentStore::updateJob(const std::string& jobId,
                              const std::vector<std::string>& fromStatuses, const json& changes) {
  SqlDialect dialect(db_.dialect());
  std::vector<std::string> params;
  auto bind = [&](const json& value, FieldType type) {
    params.push_back(dialect.toParam(value, type));
    return dialect.param(static_cast<int>(params.size()), type);
  };
  std::string sets;
  for (const auto& [column, value] : changes.items()) {
    FieldType type = jobColumnType(column);
    sets += (sets.empty() ? "" : ", ") + column + " = ";
    sets += value.is_null() ? std::string("NULL") : bind(value, type);
  }
  if (sets.empty()) return false;
  std::string sql = "UPDATE jobs SET " + sets + " WHERE id = " + bind(jobId, FieldType::String);
  if (!fromStatuses.empty()) {
    std::string list;
    for (const auto& s : fromStatuses)
      list += (list.empty() ? "" : ", ") + bind(s, FieldType::String);
    sql += " AND status IN (" + list + ")";
  }
  std::size_t changed = 0;
  write([&](Database::Lease& lease) {
    std::vector<std::string> bound = params;
    changed = execute(lease, sql, bound);
  });
  return changed > 0;
}

json SqlAgentStore::verification(const std::string& jobId) {
  SqlDialect dialect(db_.dialect());
  auto lease = db_.acquire();
  std::string id = jobId;
  Poco::Data::Statement stmt(*lease);
  stmt << "SELECT verification_status, " + dialect.selectExpr("verified_at", FieldType::Timestamp) +
              ", verification_fingerprint, verification_error FROM jobs WHERE id = " +
              dialect.param(1, FieldType::String),
      Poco::Data::Keywords::use(id);
  try {
    stmt.execute();
  } catch (const Poco::Exception& e) {
    lease.discard();
    throw std::runtime_error("database error: " + e.displayText());
  }
  Poco::Data::RecordSet rs(stmt);
  json out = {{"verification_status", nullptr},
              {"verified_at", nullptr},
              {"verification_fingerprint", nullptr},
              {"verification_error", nullptr}};
  if (rs.rowCount() == 0) return out;
  const char* names[] = {"verification_status", "verified_at", "verification_fingerprint",
                         "verification_error"};
  for (std::size_t i = 0; i < 4; ++i)
    out[names[i]] = SqlDialect::toJson(rs.value(i, 0), FieldType::String);
  return out;
}

}  // namespace certctl::store
