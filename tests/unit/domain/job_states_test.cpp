#include <catch2/catch.hpp>

#include <algorithm>

#include "core/domain/job_states.h"

using namespace certctl::domain;
using std::chrono::seconds;

namespace {

bool leaves(JobAction action, const std::string& status) {
  const auto& sources = jobActionSources(action);
  return std::find(sources.begin(), sources.end(), status) != sources.end();
}

}  // namespace

TEST_CASE("cancel leaves every open state and no finished one") {
  for (const char* open : {"Pending", "AwaitingCSR", "AwaitingApproval", "Running"}) {
    CHECK(leaves(JobAction::Cancel, open));
    CHECK_FALSE(isTerminalJobStatus(open));
  }
  for (const char* done : {"Completed", "Failed", "Cancelled"}) {
    CHECK_FALSE(leaves(JobAction::Cancel, done));
    CHECK(isTerminalJobStatus(done));
  }
  CHECK(std::string(jobActionTarget(JobAction::Cancel)) == "Cancelled");
}

TEST_CASE("approve and reject apply to AwaitingApproval only") {
  for (JobAction action : {JobAction::Approve, JobAction::Reject}) {
    CHECK(jobActionSources(action) == std::vector<std::string>{"AwaitingApproval"});
    CHECK_FALSE(leaves(action, "Pending"));
    CHECK_FALSE(leaves(action, "Running"));
  }
  CHECK(std::string(jobActionTarget(JobAction::Approve)) == "Pending");
  CHECK(std::string(jobActionTarget(JobAction::Reject)) == "Cancelled");
  CHECK(std::string(jobActionName(JobAction::Reject)) == "reject");
}

TEST_CASE("retry backoff doubles per attempt up to the cap") {
  CHECK(retryBackoff(1, seconds(30), seconds(3600)) == seconds(30));
  CHECK(retryBackoff(2, seconds(30), seconds(3600)) == seconds(60));
  CHECK(retryBackoff(4, seconds(30), seconds(3600)) == seconds(240));
  CHECK(retryBackoff(8, seconds(30), seconds(3600)) == seconds(3600));
  CHECK(retryBackoff(1000000, seconds(30), seconds(3600)) == seconds(3600));
  CHECK(retryBackoff(0, seconds(30), seconds(3600)) == seconds(30));
  CHECK(retryBackoff(3, seconds(1), seconds(2)) == seconds(2));
}
