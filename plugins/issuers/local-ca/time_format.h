#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace certctl::local_ca {

using TimePoint = std::chrono::system_clock::time_point;

// Times in the ABI documents are RFC 3339. Results use the fixed UTC form
// "YYYY-MM-DDTHH:MM:SSZ" (second precision, as the core stores them).
std::string formatRfc3339(TimePoint t);

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)"; fractions are dropped.
// nullopt for anything else.
std::optional<TimePoint> parseRfc3339(std::string_view text);

// The RFC 3339 time in request member `field`: `fallback` when absent or
// null; sdk::PluginError(Rejected) naming `label` (default: `field`) when
// malformed.
std::optional<TimePoint> timeField(const nlohmann::json& request, const char* field,
                                   std::optional<TimePoint> fallback = std::nullopt,
                                   std::string_view label = {});

}  // namespace certctl::local_ca
