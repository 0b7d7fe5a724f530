#pragma once

// The revocation list of generate_crl_compact (ABI 1.1, issuer_v1.h): one
// line per revoked certificate, "SERIALHEX \t UNIX_SECONDS \t REASON_CODE \n".
// forEachRevokedEntry() walks it without copying; a line that does not have
// that shape fails the call with PluginError(Rejected) naming the line.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk {

struct RevokedEntry {
  // 1..64 hex digits, either case, leading zeros possible; a view into the list.
  std::string_view serialHex;
  std::int64_t revokedAtUnix = 0;  // seconds since 1970-01-01T00:00:00Z
  int reasonCode = 0;              // RFC 5280 CRLReason: 0..10 but 7; 0 = unspecified
};

namespace detail {

inline PluginError badTsvLine(std::size_t line, const std::string& why) {
  return PluginError::rejected("revoked_tsv line " + std::to_string(line) + ": " + why);
}

// A table, not comparisons: random hex digits would mispredict a branch on
// every other character.
inline constexpr std::array<std::uint8_t, 256> kHexDigit = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = 1;
  for (int c = 'a'; c <= 'f'; ++c) t[static_cast<std::size_t>(c)] = 1;
  for (int c = 'A'; c <= 'F'; ++c) t[static_cast<std::size_t>(c)] = 1;
  return t;
}();

inline bool isHexDigit(char c) { return kHexDigit[static_cast<unsigned char>(c)] != 0; }

// A decimal integer with an optional '-', at most 18 digits (no overflow),
// from p up to the first character that is not a digit.
inline const char* decimal(const char* p, const char* end, std::int64_t& value) {
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  const char* const start = p;
  std::int64_t v = 0;
  while (p < end && *p >= '0' && *p <= '9' && p - start < 19) v = v * 10 + (*p++ - '0');
  if (p == start || p - start > 18) return nullptr;
  value = negative ? -v : v;
  return p;
}

}  // namespace detail

// Calls fn(const RevokedEntry&) for each line of `tsv`, in order. The last
// line may lack its '\n'; an empty list has no entries.
template <class F>
void forEachRevokedEntry(std::string_view tsv, F&& fn) {
  constexpr const char* kShape = "expected SERIALHEX<TAB>UNIX_SECONDS<TAB>REASON_CODE";
  const char* p = tsv.data();
  const char* const end = p + tsv.size();
  std::size_t lineNo = 0;
  while (p < end) {
    ++lineNo;
    const auto* nl =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* const eol = nl == nullptr ? end : nl;
    RevokedEntry entry;

    const char* q = p;
    while (q < eol && detail::isHexDigit(*q)) ++q;
    if (q < eol && *q != '\t')
      throw detail::badTsvLine(lineNo, "the serial is not 1 to 64 hex digits");
    if (q == eol) throw detail::badTsvLine(lineNo, kShape);
    if (q == p || q - p > 64)
      throw detail::badTsvLine(lineNo, "the serial is not 1 to 64 hex digits");
    entry.serialHex = std::string_view(p, static_cast<std::size_t>(q - p));

    q = detail::decimal(q + 1, eol, entry.revokedAtUnix);
    if (q == nullptr || (q < eol && *q != '\t'))
      throw detail::badTsvLine(lineNo, "the revocation time is not an integer of Unix seconds");
    if (q == eol) throw detail::badTsvLine(lineNo, kShape);

    std::int64_t reason = -1;
    q = detail::decimal(q + 1, eol, reason);
    if (q == nullptr || q != eol || reason < 0 || reason > 10 || reason == 7)
      throw detail::badTsvLine(lineNo, "the reason is not an RFC 5280 reason code (0-10 but 7)");
    entry.reasonCode = static_cast<int>(reason);

    fn(static_cast<const RevokedEntry&>(entry));
    p = eol == end ? end : eol + 1;
  }
}

}  // namespace certctl::sdk

CERTCTL_SDK_END_HIDDEN
