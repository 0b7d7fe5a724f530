#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/domain/timestamps.h"

namespace certctl::services {

// The renewal time of RFC 9773 section 4.2 from an issuer's `renewal_info`
// result ({"source": "ari", "suggested_window": {"start", "end"}}): a time
// chosen uniformly at random within the window, so a fleet does not renew
// all at once, or `now` when the window has already closed. nullopt when the
// CA gave no usable window (any other source, a malformed or inverted
// window): the renewal policy alone decides then.
std::optional<domain::TimePoint> ariRenewalTime(const nlohmann::json& renewalInfo,
                                                domain::TimePoint now);

}  // namespace certctl::services
