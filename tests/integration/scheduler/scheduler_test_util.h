#pragma once

// Helpers of the scheduler tests that look at the database itself: the
// invariants "one version per completed job" and "no job ran twice" are
// about rows, not about what one server's API shows.

#include <map>
#include <set>
#include <string>

namespace certctl::testing::scheduler {

struct JobCounts {
  std::map<std::string, int> byStatus;       // status -> jobs
  std::map<std::string, int> versions;       // certificate -> versions
  std::map<std::string, int> completedJobs;  // certificate -> Completed issuance/renewal jobs
  int maxAttempts = 0;                       // the largest attempts of a Completed job
  std::set<std::string> versionIds;          // every certificate_versions row
  std::multiset<std::string> jobVersionIds;  // result.version_id of every Completed job
};

// Reads the counts from the database at `url` (sqlite:// or postgres://).
JobCounts countJobs(const std::string& url);

// Runs one statement on the database at `url`.
void execute(const std::string& url, const std::string& sql);

}  // namespace certctl::testing::scheduler
