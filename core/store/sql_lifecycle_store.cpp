#include "core/store/sql_lifecycle_store.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "core/domain/errors.h"
#include "core/domain/history_resources.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"
#include "core/store/sql_dialect.h"

namespace certctl::store {

using domain::FieldType;
using domain::ResourceSpec;
using nlohmann::json;

namespace {

const char* kIssuanceTypes = "('Issuance', 'Renewal')";
const char* kInFlightStatuses = "('Pending', 'AwaitingCSR', 'AwaitingApproval', 'Running')";

const ResourceSpec& certificateSpec() {
  static const ResourceSpec* spec = domain::findResource("certificates");
  return *spec;
}

// The type of a column the lifecycle writes: a descriptor field, the
// implicit id/created_at/updated_at, or one of the jobs table's internal
// claim columns. Anything else is a programming error.
FieldType columnType(const ResourceSpec& spec, const std::string& column) {
  if (column == "id") return FieldType::String;
  if (column == spec.createdColumn || column == "updated_at") return FieldType::Timestamp;
  if (const auto* field = spec.field(column)) return field->type;
  if (spec.table == "jobs" && column == "claimed_by") return FieldType::String;
  if (spec.table == "jobs" && column == "claimed_at") return FieldType::Timestamp;
  throw std::logic_error("no column " + column + " in " + spec.table);
}

}  // namespace

// The statements of one unit of work, on the group committer's connection
// and inside its transaction.
class LifecycleTransaction {
 public:
  explicit LifecycleTransaction(Database::Lease& lease)
      : lease_(lease), dialect_(lease.dialect()) {}
  LifecycleTransaction(const LifecycleTransaction&) = delete;
  LifecycleTransaction& operator=(const LifecycleTransaction&) = delete;

  void insert(const ResourceSpec& spec, const json& row) {
    SqlParams params;
    auto [names, values] = insertLists(spec, row, params);
    execute("INSERT INTO " + spec.table + " (" + names + ") VALUES (" + values + ")", params);
  }

  // UPDATE ... WHERE id = ? [AND status IN (...)]; the number of rows changed.
  std::size_t update(const ResourceSpec& spec, const std::string& id, const json& changes,
                     const std::vector<std::string>& statusIn = {}) {
    SqlParams params;
    std::string sets = setList(spec, changes, params);
    if (sets.empty()) return 0;
    std::string where = " WHERE id = " + bind(params, id, FieldType::String);
    if (!statusIn.empty()) where += " AND status IN (" + list(params, statusIn) + ")";
    return execute("UPDATE " + spec.table + " SET " + sets + where, params);
  }

  // PostgreSQL: the job's conditional update, the version insert and the
  // certificate update as one statement (one round trip instead of three);
  // the number of jobs updated (0: nothing was written).
  std::size_t completeIssuanceAtOnce(const json& version, const std::string& jobId,
                                     const json& jobChanges, const json& certificateChanges,
                                     const std::vector<std::string>& jobStatusIn) {
    SqlParams params;
    std::string jobSets = setList(domain::jobSpec(), jobChanges, params);
    std::string jobWhere = "id = " + bind(params, jobId, FieldType::String) + " AND status IN (" +
                           list(params, jobStatusIn) + ")";
    auto [names, values] = insertLists(domain::certificateVersionSpec(), version, params);
    std::string certificateSets = setList(certificateSpec(), certificateChanges, params);
    std::string certificateId =
        bind(params, version.at("certificate_id").get<std::string>(), FieldType::String);
    std::string sql = "WITH j AS (UPDATE jobs SET " + jobSets + " WHERE " + jobWhere +
                      " RETURNING id), v AS (INSERT INTO certificate_versions (" + names +
                      ") SELECT " + values + " FROM j)";
    if (!certificateSets.empty())
      sql += ", c AS (UPDATE " + certificateSpec().table + " SET " + certificateSets +
             " WHERE id = " + certificateId + " AND EXISTS (SELECT 1 FROM j))";
    sql += " SELECT COUNT(*) FROM j";
    try {
      auto rows = lease_.run(sql, params);
      return rows.rows.empty() || !rows.rows[0][0] ? 0 : std::stoull(*rows.rows[0][0]);
    } catch (const SqlError& e) {
      rethrowMapped(e, sql);
    }
  }

  Dialect dialect() const { return lease_.dialect(); }

  std::size_t execute(const std::string& sql, const SqlParams& params) {
    try {
      return lease_.run(sql, params).changed;
    } catch (const SqlError& e) {
      rethrowMapped(e, sql);
    }
  }

 private:
  std::string bind(SqlParams& params, const json& value, FieldType type) {
    params.emplace_back(dialect_.toParam(value, type));
    return dialect_.param(static_cast<int>(params.size()), type);
  }

  std::string list(SqlParams& params, const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values)
      out += (out.empty() ? "" : ", ") + bind(params, v, FieldType::String);
    return out;
  }

  std::string setList(const ResourceSpec& spec, const json& changes, SqlParams& params) {
    std::string sets;
    for (const auto& [column, value] : changes.items()) {
      FieldType type = columnType(spec, column);
      sets += (sets.empty() ? "" : ", ") + column + " = ";
      sets += value.is_null() ? std::string("NULL") : bind(params, value, type);
    }
    return sets;
  }

  std::pair<std::string, std::string> insertLists(const ResourceSpec& spec, const json& row,
                                                  SqlParams& params) {
    std::string names, values;
    for (const auto& [column, value] : row.items()) {
      FieldType type = columnType(spec, column);
      names += (names.empty() ? "" : ", ") + column;
      values += values.empty() ? "" : ", ";
      values += value.is_null() ? std::string("NULL") : bind(params, value, type);
    }
    return {names, values};
  }

  // The driver's refusal as the API error it means.
  static std::exception_ptr mappedPtr(const SqlError& e, const std::string& sql) {
    std::string lower = e.what();
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower.find("ux_jobs_certificate_in_flight") != std::string::npos ||
        (lower.find("unique") != std::string::npos && sql.rfind("INSERT INTO jobs", 0) == 0))
      return std::make_exception_ptr(
          domain::conflict("the certificate already has an issuance or renewal in progress"));
    if (lower.find("unique") != std::string::npos ||
        lower.find("duplicate key") != std::string::npos)
      return std::make_exception_ptr(
          domain::conflict("a record with the same unique value already exists"));
    if (lower.find("foreign key") != std::string::npos)
      return std::make_exception_ptr(
          domain::conflict("the record references a missing one (deleted meanwhile?)"));
    return std::make_exception_ptr(std::runtime_error(std::string("database error: ") + e.what()));
  }
  [[noreturn]] static void rethrowMapped(const SqlError& e, const std::string& sql) {
    std::rethrow_exception(mappedPtr(e, sql));
  }

  Database::Lease& lease_;
  SqlDialect dialect_;
};

namespace {

std::string placeholder(Database& db, int index) {
  return SqlDialect(db.dialect()).param(index, FieldType::String);
}

std::unique_ptr<GroupCommit> ownWriterFor(Database& db, GroupCommit* shared) {
  if (shared) return nullptr;
  return std::make_unique<GroupCommit>(db, 1);
}

}  // namespace

SqlLifecycleStore::SqlLifecycleStore(Database& db, GroupCommit* writer)
    : db_(db),
      records_(db),
      ownWriter_(ownWriterFor(db, writer)),
      writer_(writer ? *writer : *ownWriter_) {}

void SqlLifecycleStore::write(const std::function<void(LifecycleTransaction&)>& work,
                              std::vector<services::AuditEvent> events) {
  writer_.run(
      [&work](Database::Lease& lease) {
        LifecycleTransaction tx(lease);
        work(tx);
      },
      std::move(events));
}

SqlLifecycleStore::~SqlLifecycleStore() = default;

std::vector<json> SqlLifecycleStore::selectRecords(const ResourceSpec& spec,
                                                   const std::string& where,
                                                   const std::vector<std::string>& params) {
  try {
    return records_.select(spec, where, params);
  } catch (const SqlError& e) {
    throw std::runtime_error(std::string("database error: ") + e.what());
  }
}

void SqlLifecycleStore::createJob(const json& job, const std::string& certificateStatus) {
  write([&](LifecycleTransaction& tx) {
    tx.insert(domain::jobSpec(), job);
    if (!certificateStatus.empty())
      tx.update(certificateSpec(), job.at("certificate_id").get<std::string>(),
                {{"status", certificateStatus}, {"updated_at", domain::nowRfc3339()}});
  });
}

void SqlLifecycleStore::createCertificateWithJob(const json& certificate, const json& job) {
  // One unit of the group committer: the writer's own connection, so an
  // enrollment does not wait for SQLite's write lock next to it.
  write([&](LifecycleTransaction& tx) {
    tx.insert(certificateSpec(), certificate);
    tx.insert(domain::jobSpec(), job);
  });
}

void SqlLifecycleStore::createIssuedCertificate(const json& certificate, const json& job,
                                                const json& version,
                                                std::vector<services::AuditEvent> events) {
  write(
      [&](LifecycleTransaction& tx) {
        tx.insert(certificateSpec(), certificate);
        tx.insert(domain::jobSpec(), job);
        tx.insert(domain::certificateVersionSpec(), version);
      },
      std::move(events));
}

bool SqlLifecycleStore::transitionJob(const std::string& jobId,
                                      const std::vector<std::string>& fromStatuses,
                                      const json& changes) {
  json withStamp = changes;
  if (!withStamp.contains("updated_at")) withStamp["updated_at"] = domain::nowRfc3339();
  bool moved = false;
  write([&](LifecycleTransaction& tx) {
    moved = tx.update(domain::jobSpec(), jobId, withStamp, fromStatuses) > 0;
  });
  return moved;
}

std::optional<json> SqlLifecycleStore::job(const std::string& jobId) {
  return records_.get(domain::jobSpec(), jobId);
}

std::optional<json> SqlLifecycleStore::inFlightJob(const std::string& certificateId) {
  auto jobs =
      selectRecords(domain::jobSpec(),
                    "certificate_id = " + placeholder(db_, 1) + " AND type IN " + kIssuanceTypes +
                        " AND status IN " + kInFlightStatuses + " ORDER BY created_at, id LIMIT 1",
                    {certificateId});
  if (jobs.empty()) return std::nullopt;
  return std::move(jobs.front());
}

std::vector<json> SqlLifecycleStore::awaitingCsrJobs(const std::string& agentId,
                                                     const std::string& jobId,
                                                     const std::string& certificateId) {
  // SQLite has no statistics: left alone it picks (agent_id, status) or
  // (status, id) for a named job or certificate and walks every job waiting
  // (tens of thousands for a big fleet). Repeating the predicate of
  // ux_jobs_certificate_in_flight lets it use that index, and `agent_id || ''`
  // keeps (agent_id, status) out.
  std::string where = "status = 'AwaitingCSR' AND type IN " + std::string(kIssuanceTypes) +
                      " AND status IN " + kInFlightStatuses;
  std::vector<std::string> params;
  auto bind = [&](const std::string& condition, const std::string& value) {
    params.push_back(value);
    where += " AND " + condition + " = " + placeholder(db_, static_cast<int>(params.size()));
  };
  if (!jobId.empty()) bind("id", jobId);
  if (!certificateId.empty()) bind("certificate_id", certificateId);
  bool named = !jobId.empty() || !certificateId.empty();
  bind(named ? "(agent_id || '')" : "agent_id", agentId);
  // A named job or certificate has at most one such job: no sort, which
  // SQLite would do in a temporary B-tree.
  if (!named) where += " ORDER BY created_at, id LIMIT 100";
  return selectRecords(domain::jobSpec(), where, params);
}

void SqlLifecycleStore::completeIssuance(const json& version, const std::string& jobId,
                                         const json& jobChanges, const json& certificateChanges,
                                         std::vector<services::AuditEvent> events) {
  json changes = jobChanges;
  changes["status"] = "Completed";
  if (!changes.contains("updated_at")) changes["updated_at"] = domain::nowRfc3339();
  write(
      [&](LifecycleTransaction& tx) {
        if (tx.dialect() == Dialect::Postgres) {
          if (tx.completeIssuanceAtOnce(version, jobId, changes, certificateChanges,
                                        {"Running", "AwaitingCSR"}) == 0)
            throw domain::conflict("job " + jobId +
                                   " is no longer open (cancelled or completed meanwhile)");
          return;
        }
        // The job first: a job finished meanwhile (cancelled, or completed by a
        // concurrent submission) leaves nothing behind.
        if (tx.update(domain::jobSpec(), jobId, changes, {"Running", "AwaitingCSR"}) == 0)
          throw domain::conflict("job " + jobId +
                                 " is no longer open (cancelled or completed meanwhile)");
        tx.insert(domain::certificateVersionSpec(), version);
        tx.update(certificateSpec(), version.at("certificate_id").get<std::string>(),
                  certificateChanges);
      },
      std::move(events));
}

void SqlLifecycleStore::failJob(const std::string& jobId, const std::string& error,
                                const std::string& certificateId,
                                const std::string& certificateStatus) {
  std::string now = domain::nowRfc3339();
  std::string message = services::boundedJobError(error);
  write([&](LifecycleTransaction& tx) {
    // The certificate follows only a job that was still open: a job that
    // completed meanwhile leaves its certificate alone.
    bool failed = tx.update(domain::jobSpec(), jobId,
                            {{"status", "Failed"},
                             {"last_error", message},
                             {"completed_at", now},
                             {"updated_at", now}},
                            {"Pending", "AwaitingCSR", "AwaitingApproval", "Running"}) > 0;
    if (failed && !certificateStatus.empty() && !certificateId.empty())
      tx.update(certificateSpec(), certificateId,
                {{"status", certificateStatus}, {"updated_at", now}});
  });
}

void SqlLifecycleStore::recordViolations(const std::vector<json>& violations) {
  if (violations.empty()) return;
  write([&](LifecycleTransaction& tx) {
    for (const auto& v : violations) tx.insert(domain::policyViolationSpec(), v);
  });
}

std::vector<json> SqlLifecycleStore::enabledPolicyRules() {
  domain::ListQuery query;
  query.equals.push_back({"enabled", "true"});
  query.sortColumn = "created_at";
  query.descending = false;
  query.perPage = 1000;
  return records_.list(*domain::findResource("policies"), query).items;
}

std::optional<json> SqlLifecycleStore::latestVersion(const std::string& certificateId) {
  // Version ids made by the issuance service sort by creation time, which
  // breaks ties between versions created within the same second.
  auto versions = selectRecords(
      domain::certificateVersionSpec(),
      "certificate_id = " + placeholder(db_, 1) + " ORDER BY created_at DESC, id DESC LIMIT 1",
      {certificateId});
  if (versions.empty()) return std::nullopt;
  return std::move(versions.front());
}

}  // namespace certctl::store
