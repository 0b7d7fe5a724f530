#pragma once

#include <string>

namespace certctl::services {

// This process's name in jobs.claimed_by: host, pid and a random part, so
// a restarted server (same host, maybe the same pid) is a new claimant and
// can tell the jobs of its dead predecessor from its own.
std::string makeInstanceId();

}  // namespace certctl::services
