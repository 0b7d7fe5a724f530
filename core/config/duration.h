#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace certctl::config {

// Durations are written the way the original Go product documented them
// ("1h30m", "90s", "1.5h", "500ms"), so operators' existing env files keep
// working. A bare integer means seconds. Units: ns, us (or µs), ms, s, m, h.
// The result is truncated to whole milliseconds; anything that is not a
// positive duration of at least 1ms throws std::invalid_argument.
std::chrono::milliseconds parseDuration(std::string_view text);

// The shortest form parseDuration reads back to the same value, leaving out
// zero parts: 3600000ms -> "1h", 90000ms -> "1m30s", 1500ms -> "1s500ms",
// 0 -> "0s".
std::string formatDuration(std::chrono::milliseconds duration);

}  // namespace certctl::config
