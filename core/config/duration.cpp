#include "core/config/duration.h"

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace certctl::config {
namespace {

constexpr std::int64_t kNanosPerMicro = 1000;
constexpr std::int64_t kNanosPerMilli = 1000 * kNanosPerMicro;
constexpr std::int64_t kNanosPerSecond = 1000 * kNanosPerMilli;
constexpr std::int64_t kNanosPerMinute = 60 * kNanosPerSecond;
constexpr std::int64_t kNanosPerHour = 60 * kNanosPerMinute;
constexpr std::int64_t kMaxNanos = std::numeric_limits<std::int64_t>::max();

bool isDigit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw std::invalid_argument("invalid duration \"" + std::string(text) +
                              "\": " + std::string(why));
}

// Returns 0 for an unknown unit.
std::int64_t unitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return kNanosPerMicro;
  if (unit == "ms") return kNanosPerMilli;
  if (unit == "s") return kNanosPerSecond;
  if (unit == "m") return kNanosPerMinute;
  if (unit == "h") return kNanosPerHour;
  return 0;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

std::chrono::milliseconds parseDuration(std::string_view text) {
  const std::string_view input = trim(text);
  std::string_view rest = input;
  if (rest.empty()) fail(text, "empty");
  if (rest.front() == '-') fail(text, "must be positive");
  if (rest.front() == '+') rest.remove_prefix(1);

  // A bare integer is seconds: the original product's env files use both.
  bool allDigits = !rest.empty();
  for (char c : rest) allDigits = allDigits && isDigit(c);
  if (allDigits) {
    std::int64_t seconds = 0;
    for (char c : rest) {
      if (seconds > (kMaxNanos / kNanosPerSecond - (c - '0')) / 10) fail(text, "too large");
      seconds = seconds * 10 + (c - '0');
    }
    if (seconds == 0) fail(text, "must be positive");
    return std::chrono::seconds(seconds);
  }

  // Same algorithm as Go's time.ParseDuration: integer and fractional parts
  // are kept as integers so "1.1s" is exactly 1100ms, not 1099.999...
  std::int64_t total = 0;
  while (!rest.empty()) {
    std::int64_t whole = 0;
    std::size_t i = 0;
    bool overflow = false;
    for (; i < rest.size() && isDigit(rest[i]); ++i) {
      if (whole > (kMaxNanos - (rest[i] - '0')) / 10) overflow = true;
      if (!overflow) whole = whole * 10 + (rest[i] - '0');
    }
    if (overflow) fail(text, "too large");
    const bool hasWhole = i > 0;

    std::int64_t fraction = 0;
    std::int64_t scale = 1;
    bool hasFraction = false;
    if (i < rest.size() && rest[i] == '.') {
      ++i;
      for (; i < rest.size() && isDigit(rest[i]); ++i) {
        hasFraction = true;
        // Digits beyond int64 precision cannot change the result; drop them.
        if (fraction > (kMaxNanos - 9) / 10 || scale > kMaxNanos / 10) continue;
        fraction = fraction * 10 + (rest[i] - '0');
        scale *= 10;
      }
    }
    if (!hasWhole && !hasFraction) fail(text, "expected a number");

    std::size_t unitEnd = i;
    while (unitEnd < rest.size() && rest[unitEnd] != '.' && !isDigit(rest[unitEnd])) ++unitEnd;
    const std::string_view unit = rest.substr(i, unitEnd - i);
    if (unit.empty()) fail(text, "missing unit (use ns, us, ms, s, m or h)");
    const std::int64_t perUnit = unitNanos(unit);
    if (perUnit == 0) {
      fail(text, "unknown unit \"" + std::string(unit) + "\" (use ns, us, ms, s, m or h)");
    }

    if (whole > kMaxNanos / perUnit) fail(text, "too large");
    std::int64_t part = whole * perUnit;
    if (fraction > 0) {
      // fraction/scale < 1, so this cannot exceed perUnit; long double keeps
      // the product of two int64 values from overflowing.
      part += static_cast<std::int64_t>(static_cast<long double>(fraction) * perUnit / scale);
      if (part < 0) fail(text, "too large");
    }
    if (total > kMaxNanos - part) fail(text, "too large");
    total += part;
    rest.remove_prefix(unitEnd);
  }

  if (total < kNanosPerMilli) fail(text, "must be at least 1ms");
  return std::chrono::milliseconds(total / kNanosPerMilli);
}

std::string formatDuration(std::chrono::milliseconds duration) {
  std::int64_t ms = duration.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    // The most negative value has no positive counterpart; nudge it by 1ms.
    ms = ms == std::numeric_limits<std::int64_t>::min() ? std::numeric_limits<std::int64_t>::max()
                                                        : -ms;
  }
  const std::int64_t hours = ms / 3600000;
  const std::int64_t minutes = ms / 60000 % 60;
  const std::int64_t seconds = ms / 1000 % 60;
  const std::int64_t millis = ms % 1000;
  if (hours) out += std::to_string(hours) + "h";
  if (minutes) out += std::to_string(minutes) + "m";
  if (seconds) out += std::to_string(seconds) + "s";
  if (millis) out += std::to_string(millis) + "ms";
  return out;
}

}  // namespace certctl::config
