#pragma once

#include <string>

namespace certctl::services {

// What still depends on an agent: active (not retired) deployment targets
// it serves, certificates whose key it holds or that are mapped to those
// targets (not archived or revoked), and its jobs that are not finished.
struct AgentDependencies {
  long long certificates = 0;
  long long targets = 0;
  long long pendingJobs = 0;
  bool any() const { return certificates > 0 || targets > 0 || pendingJobs > 0; }
};

struct RetirementOutcome {
  enum class Result { Retired, NotFound, AlreadyRetired, HasDependencies };
  Result result = Result::NotFound;
  AgentDependencies dependencies;  // counted inside the transaction
  long long jobsCancelled = 0;     // with cascade
  long long targetsRetired = 0;    // with cascade
};

class AgentRetirementStore {
 public:
  virtual ~AgentRetirementStore() = default;

  // In one transaction: counts the dependencies; when there are none, or
  // `cascade` is set, cancels the agent's unfinished jobs and retires (and
  // disables) its active targets (cascade only), then stamps the agent's
  // retired_at/retired_reason. Nothing is written unless the result is
  // Retired.
  virtual RetirementOutcome retire(const std::string& agentId, const std::string& reason,
                                   const std::string& now, bool cascade) = 0;
};

}  // namespace certctl::services
