#include "core/domain/job_states.h"

#include <algorithm>

namespace certctl::domain {

const char* jobActionName(JobAction action) {
  switch (action) {
    case JobAction::Cancel:
      return "cancel";
    case JobAction::Approve:
      return "approve";
    case JobAction::Reject:
      return "reject";
  }
  return "";
}

const std::vector<std::string>& jobActionSources(JobAction action) {
  static const std::vector<std::string> open = {"Pending", "AwaitingCSR", "AwaitingApproval",
                                                "Running"};
  static const std::vector<std::string> approval = {"AwaitingApproval"};
  return action == JobAction::Cancel ? open : approval;
}

const char* jobActionTarget(JobAction action) {
  return action == JobAction::Approve ? "Pending" : "Cancelled";
}

bool isTerminalJobStatus(const std::string& status) {
  return status == "Completed" || status == "Failed" || status == "Cancelled";
}

std::chrono::seconds retryBackoff(long long attempt, std::chrono::seconds base,
                                  std::chrono::seconds cap) {
  if (attempt < 1) attempt = 1;
  auto delay = base;
  // Doubling stops at the cap, so large attempt counts cannot overflow.
  for (long long i = 1; i < attempt && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

}  // namespace certctl::domain
