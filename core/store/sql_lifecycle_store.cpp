#include "core/store/sql_lifecycle_store.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

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

// One pooled session in one transaction, rolled back unless committed.
// Parameters are bound by reference, so they live here until execution.
class LifecycleTransaction {
 public:
  explicit LifecycleTransaction(Database& db) : lease_(db.acquire()), dialect_(db.dialect()) {
    lease_->begin();
  }
  ~LifecycleTransaction() {
    if (!open_) return;
    try {
      lease_->rollback();
    } catch (...) {
      lease_.discard();
    }
  }
  LifecycleTransaction(const LifecycleTransaction&) = delete;
  LifecycleTransaction& operator=(const LifecycleTransaction&) = delete;

  void commit() {
    lease_->commit();
    open_ = false;
  }

  void insert(const ResourceSpec& spec, const json& row) {
    std::vector<std::string> params;
    std::string names, values;
    for (const auto& [column, value] : row.items()) {
      FieldType type = columnType(spec, column);
      names += (names.empty() ? "" : ", ") + column;
      values += values.empty() ? "" : ", ";
      values += value.is_null() ? std::string("NULL") : bind(params, value, type);
    }
    execute("INSERT INTO " + spec.table + " (" + names + ") VALUES (" + values + ")", params);
  }

  // UPDATE ... WHERE id = ? [AND status IN (...)]; the number of rows changed.
  std::size_t update(const ResourceSpec& spec, const std::string& id, const json& changes,
                     const std::vector<std::string>& statusIn = {}) {
    std::vector<std::string> params;
    std::string sets;
    for (const auto& [column, value] : changes.items()) {
      FieldType type = columnType(spec, column);
      sets += (sets.empty() ? "" : ", ") + column + " = ";
      sets += value.is_null() ? std::string("NULL") : bind(params, value, type);
    }
    if (sets.empty()) return 0;
    std::string where = " WHERE id = " + bind(params, id, FieldType::String);
    if (!statusIn.empty()) {
      std::string list;
      for (const auto& status : statusIn)
        list += (list.empty() ? "" : ", ") + bind(params, status, FieldType::String);
      where += " AND status IN (" + list + ")";
    }
    return execute("UPDATE " + spec.table + " SET " + sets + where, params);
  }

  std::size_t execute(const std::string& sql, std::vector<std::string>& params) {
    Poco::Data::Statement stmt(*lease_);
    stmt << sql;
    for (auto& p : params) stmt.addBind(Poco::Data::Keywords::use(p));
    try {
      return stmt.execute();
    } catch (const Poco::Exception& e) {
      std::string text = e.displayText();
      std::string lower = text;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower.find("ux_jobs_certificate_in_flight") != std::string::npos ||
          (lower.find("unique") != std::string::npos && sql.rfind("INSERT INTO jobs", 0) == 0))
        throw domain::conflict("the certificate already has an issuance or renewal in progress");
      if (lower.find("unique") != std::string::npos ||
          lower.find("duplicate key") != std::string::npos)
        throw domain::conflict("a record with the same unique value already exists");
      if (lower.find("foreign key") != std::string::npos)
        throw domain::conflict("the record references a missing one (deleted meanwhile?)");
      lease_.discard();
      throw std::runtime_error("database error: " + text);
    }
  }

 private:
  std::string bind(std::vector<std::string>& params, const json& value, FieldType type) {
    params.push_back(dialect_.toParam(value, type));
    return dialect_.param(static_cast<int>(params.size()), type);
  }

  Database::Lease lease_;
  SqlDialect dialect_;
  bool open_ = true;
};

// Group commit for SQLite, which has one writer at a time anyway: the hot
// writes (new jobs, completed issuances) of many request threads share one
// transaction, each under its own savepoint, so a failing item rolls back
// alone while the others commit. One writing connection instead of one per
// request also spares requests SQLite's busy-wait sleeps on its lock.
class SqlLifecycleStore::Committer {
 public:
  explicit Committer(Database& db) : db_(db), worker_([this] { run(); }) {}
  ~Committer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  // Runs `work` in the next batch and returns once that batch committed;
  // rethrows what `work` (or the commit) threw.
  void run(std::function<void(LifecycleTransaction&)> work) {
    Item item{std::move(work), {}};
    auto done = item.done.get_future();
    {
      std::lock_guard lock(mutex_);
      if (stopping_) throw std::runtime_error("lifecycle store is shutting down");
      queue_.push_back(std::move(item));
    }
    wake_.notify_one();
    done.get();
  }

 private:
  static constexpr std::size_t kMaxBatch = 256;

  struct Item {
    std::function<void(LifecycleTransaction&)> work;
    std::promise<void> done;
  };

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      std::vector<Item> batch;
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      lock.unlock();
      commit(batch);
      lock.lock();
    }
  }

  void commit(std::vector<Item>& batch) {
    std::vector<std::exception_ptr> errors(batch.size());
    try {
      LifecycleTransaction tx(db_);
      std::vector<std::string> none;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch.size() == 1) {
          run(batch[i], tx, errors[i]);
          continue;
        }
        tx.execute("SAVEPOINT lifecycle_item", none);
        run(batch[i], tx, errors[i]);
        if (errors[i]) tx.execute("ROLLBACK TO SAVEPOINT lifecycle_item", none);
        tx.execute("RELEASE SAVEPOINT lifecycle_item", none);
      }
      if (batch.size() == 1 && errors[0]) {
        batch[0].done.set_exception(errors[0]);
        return;  // the transaction rolls back
      }
      tx.commit();
    } catch (...) {
      auto error = std::current_exception();
      for (std::size_t i = 0; i < batch.size(); ++i)
        if (!errors[i]) errors[i] = error;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (errors[i])
        batch[i].done.set_exception(errors[i]);
      else
        batch[i].done.set_value();
    }
  }

  static void run(Item& item, LifecycleTransaction& tx, std::exception_ptr& error) {
    try {
      item.work(tx);
    } catch (...) {
      error = std::current_exception();
    }
  }

  Database& db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

namespace {

std::string placeholder(Database& db, int index) {
  return SqlDialect(db.dialect()).param(index, FieldType::String);
}

}  // namespace

SqlLifecycleStore::SqlLifecycleStore(Database& db) : db_(db), records_(db) {
  if (db.dialect() == Dialect::Sqlite) committer_ = std::make_unique<Committer>(db);
}

void SqlLifecycleStore::write(const std::function<void(LifecycleTransaction&)>& work) {
  if (committer_) {
    committer_->run(work);
    return;
  }
  // PostgreSQL takes concurrent writers well and groups their WAL flushes itself.
  LifecycleTransaction tx(db_);
  work(tx);
  tx.commit();
}

SqlLifecycleStore::~SqlLifecycleStore() = default;

std::vector<std::string> SqlLifecycleStore::selectIds(const std::string& sql,
                                                      std::vector<std::string> params) {
  auto lease = db_.acquire();
  Poco::Data::Statement stmt(*lease);
  stmt << sql;
  for (auto& p : params) stmt.addBind(Poco::Data::Keywords::use(p));
  std::vector<std::string> ids;
  try {
    stmt.execute();
  } catch (const Poco::Exception& e) {
    lease.discard();
    throw std::runtime_error("database error: " + e.displayText());
  }
  Poco::Data::RecordSet rs(stmt);
  for (std::size_t row = 0; row < rs.rowCount(); ++row)
    ids.push_back(rs.value(0, row).convert<std::string>());
  return ids;
}

void SqlLifecycleStore::createJob(const json& job, const std::string& certificateStatus) {
  write([&](LifecycleTransaction& tx) {
    tx.insert(domain::jobSpec(), job);
    if (!certificateStatus.empty())
      tx.update(certificateSpec(), job.at("certificate_id").get<std::string>(),
                {{"status", certificateStatus}, {"updated_at", domain::nowRfc3339()}});
  });
}

bool SqlLifecycleStore::transitionJob(const std::string& jobId,
                                      const std::vector<std::string>& fromStatuses,
                                      const json& changes) {
  LifecycleTransaction tx(db_);
  json withStamp = changes;
  if (!withStamp.contains("updated_at")) withStamp["updated_at"] = domain::nowRfc3339();
  bool moved = tx.update(domain::jobSpec(), jobId, withStamp, fromStatuses) > 0;
  tx.commit();
  return moved;
}

std::optional<json> SqlLifecycleStore::job(const std::string& jobId) {
  return records_.get(domain::jobSpec(), jobId);
}

std::optional<json> SqlLifecycleStore::inFlightJob(const std::string& certificateId) {
  auto ids = selectIds("SELECT id FROM jobs WHERE certificate_id = " + placeholder(db_, 1) +
                           " AND type IN " + kIssuanceTypes + " AND status IN " +
                           kInFlightStatuses + " ORDER BY created_at, id",
                       {certificateId});
  if (ids.empty()) return std::nullopt;
  return job(ids.front());
}

std::vector<json> SqlLifecycleStore::awaitingCsrJobs(const std::string& agentId,
                                                     const std::string& jobId,
                                                     const std::string& certificateId) {
  // One keyset query (no COUNT) on the (agent_id, status) index.
  domain::ListQuery query;
  query.equals = {{"agent_id", agentId}, {"status", "AwaitingCSR"}};
  if (!jobId.empty()) query.equals.push_back({"id", jobId});
  if (!certificateId.empty()) query.equals.push_back({"certificate_id", certificateId});
  query.sortColumn = "created_at";
  query.descending = false;
  query.keyset = true;
  query.perPage = 100;
  std::vector<json> jobs;
  for (auto& j : records_.list(domain::jobSpec(), query).items) {
    std::string type = j.value("type", std::string());
    if (type == "Issuance" || type == "Renewal") jobs.push_back(std::move(j));
  }
  return jobs;
}

std::vector<std::string> SqlLifecycleStore::resumableJobs(const std::string& claimedBy) {
  {
    LifecycleTransaction tx(db_);
    std::vector<std::string> params{domain::nowRfc3339(), claimedBy};
    SqlDialect dialect(db_.dialect());
    tx.execute("UPDATE jobs SET status = 'Pending', updated_at = " +
                   dialect.param(1, FieldType::Timestamp) +
                   " WHERE status = 'Running' AND claimed_by = " +
                   dialect.param(2, FieldType::String) + " AND type IN " + kIssuanceTypes,
               params);
    tx.commit();
  }
  return selectIds(std::string("SELECT id FROM jobs WHERE status = 'Pending' AND type IN ") +
                       kIssuanceTypes + " ORDER BY created_at, id",
                   {});
}

void SqlLifecycleStore::completeIssuance(const json& version, const std::string& jobId,
                                         const json& jobChanges, const json& certificateChanges) {
  json changes = jobChanges;
  changes["status"] = "Completed";
  if (!changes.contains("updated_at")) changes["updated_at"] = domain::nowRfc3339();
  write([&](LifecycleTransaction& tx) {
    // The job first: a job finished meanwhile (cancelled, or completed by a
    // concurrent submission) leaves nothing behind.
    if (tx.update(domain::jobSpec(), jobId, changes, {"Running", "AwaitingCSR"}) == 0)
      throw domain::conflict("job " + jobId +
                             " is no longer open (cancelled or completed meanwhile)");
    tx.insert(domain::certificateVersionSpec(), version);
    tx.update(certificateSpec(), version.at("certificate_id").get<std::string>(),
              certificateChanges);
  });
}

void SqlLifecycleStore::failJob(const std::string& jobId, const std::string& error,
                                const std::string& certificateId,
                                const std::string& certificateStatus) {
  LifecycleTransaction tx(db_);
  std::string now = domain::nowRfc3339();
  // Bounded: a plugin's message ends up here verbatim.
  std::string message = error.size() > 2000 ? error.substr(0, 2000) + "..." : error;
  tx.update(
      domain::jobSpec(), jobId,
      {{"status", "Failed"}, {"last_error", message}, {"completed_at", now}, {"updated_at", now}},
      {"Pending", "AwaitingCSR", "AwaitingApproval", "Running"});
  if (!certificateStatus.empty() && !certificateId.empty())
    tx.update(certificateSpec(), certificateId,
              {{"status", certificateStatus}, {"updated_at", now}});
  tx.commit();
}

void SqlLifecycleStore::recordViolations(const std::vector<json>& violations) {
  if (violations.empty()) return;
  LifecycleTransaction tx(db_);
  for (const auto& v : violations) tx.insert(domain::policyViolationSpec(), v);
  tx.commit();
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
  auto ids = selectIds("SELECT id FROM certificate_versions WHERE certificate_id = " +
                           placeholder(db_, 1) + " ORDER BY created_at DESC, id DESC LIMIT 1",
                       {certificateId});
  if (ids.empty()) return std::nullopt;
  return records_.get(domain::certificateVersionSpec(), ids.front());
}

}  // namespace certctl::store
