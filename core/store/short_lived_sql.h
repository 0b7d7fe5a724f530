#pragma once

#include <string>

namespace certctl::store {

// SQL condition "the profile aliased `profile` is short-lived" (lifetime
// under services::kShortLivedTtlSeconds, the smaller of max_ttl_seconds and
// max_ttl_hours when both are set): such certificates get no CRL or OCSP
// entries and are marked Expired by the scheduler past not_after.
std::string shortLivedCondition(const std::string& profile);

}  // namespace certctl::store
