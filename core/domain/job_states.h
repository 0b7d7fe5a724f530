#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace certctl::domain {

// The job state machine of seed 001, for the transitions a person asks for
// (POST /jobs/{id}/cancel, /approve, /reject). The scheduler's own moves
// (claim, retry, complete, fail, time out) are conditional updates in the
// store that name their source states the same way.
enum class JobAction { Cancel, Approve, Reject };

const char* jobActionName(JobAction action);  // "cancel", "approve", "reject"

// The states `action` may leave: cancel any open state, approve and reject
// only AwaitingApproval.
const std::vector<std::string>& jobActionSources(JobAction action);

// Where `action` leads: Cancelled, Pending (approved work is queued at once),
// Cancelled.
const char* jobActionTarget(JobAction action);

bool isTerminalJobStatus(const std::string& status);

// Exponential backoff for a failed attempt: base * 2^(attempt-1), capped.
// `attempt` counts from 1 (the attempt that just failed).
std::chrono::seconds retryBackoff(long long attempt, std::chrono::seconds base,
                                  std::chrono::seconds cap);

}  // namespace certctl::domain
