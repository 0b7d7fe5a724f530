#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace certctl::domain {

// Every timestamp the API stores or returns is UTC with second precision in
// the fixed form "YYYY-MM-DDTHH:MM:SSZ": lexical order equals time order, so
// SQLite can sort and range-filter the text directly.
using TimePoint = std::chrono::sys_seconds;

std::optional<TimePoint> parseRfc3339(std::string_view text);
std::string formatRfc3339(TimePoint t);
std::string nowRfc3339();
TimePoint nowSeconds();

}  // namespace certctl::domain
