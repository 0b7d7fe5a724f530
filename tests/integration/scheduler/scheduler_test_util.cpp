#include "tests/integration/scheduler/scheduler_test_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/store/database.h"

namespace certctl::testing::scheduler {

namespace {

store::SqlRows query(const std::string& url, const std::string& sql) {
  auto db = store::Database::open(url, 1);
  auto lease = db->acquire();
  return lease.run(sql);
}

}  // namespace

JobCounts countJobs(const std::string& url) {
  JobCounts counts;
  for (const auto& row : query(url,
                               "SELECT status, COUNT(*) FROM jobs WHERE type IN "
                               "('Issuance', 'Renewal') GROUP BY status")
                             .rows)
    counts.byStatus[*row[0]] = std::stoi(*row[1]);
  for (const auto& row : query(url,
                               "SELECT certificate_id, COUNT(*) FROM certificate_versions GROUP BY "
                               "certificate_id")
                             .rows)
    counts.versions[*row[0]] = std::stoi(*row[1]);
  for (const auto& row :
       query(url,
             "SELECT certificate_id, COUNT(*), MAX(attempts) FROM jobs WHERE type IN "
             "('Issuance', 'Renewal') AND status = 'Completed' GROUP BY certificate_id")
           .rows) {
    counts.completedJobs[*row[0]] = std::stoi(*row[1]);
    counts.maxAttempts = std::max(counts.maxAttempts, std::stoi(*row[2]));
  }
  for (const auto& row : query(url, "SELECT id FROM certificate_versions").rows)
    counts.versionIds.insert(*row[0]);
  for (const auto& row : query(url,
                               "SELECT result FROM jobs WHERE type IN ('Issuance', "
                               "'Renewal') AND status = 'Completed'")
                             .rows)
    counts.jobVersionIds.insert(
        nlohmann::json::parse(row[0].value_or("{}")).value("version_id", std::string()));
  return counts;
}

void execute(const std::string& url, const std::string& sql) { query(url, sql); }

}  // namespace certctl::testing::scheduler
