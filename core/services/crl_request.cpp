#include "core/services/crl_request.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/domain/timestamps.h"
#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_instances.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/revocation_reason.h"
#include "sdk/plugin/detail/fast_json.h"

using nlohmann::json;

namespace certctl::services {

namespace {

constexpr std::size_t kMaxSerialHexDigits = 64;  // what a plugin's TSV reader accepts

// A table, not comparisons: random hex digits would mispredict a branch on
// every other character (~4 ns each, most of the time spent on 1M serials).
constexpr std::array<std::uint8_t, 256> kHexDigit = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = 1;
  for (int c = 'a'; c <= 'f'; ++c) t[static_cast<std::size_t>(c)] = 1;
  for (int c = 'A'; c <= 'F'; ++c) t[static_cast<std::size_t>(c)] = 1;
  return t;
}();

bool isHex(char c) { return kHexDigit[static_cast<unsigned char>(c)] != 0; }

// Writes the serial's hex digits at w ("0x" and ':' dropped, as plugins
// read the serial of generate_crl). nullptr when it has anything else, or
// no digits, or more than kMaxSerialHexDigits.
char* writeSerialHex(char* w, std::string_view serial) {
  if (serial.size() > 2 && serial[0] == '0' && (serial[1] == 'x' || serial[1] == 'X'))
    serial.remove_prefix(2);
  if (!serial.empty() && serial.size() <= kMaxSerialHexDigits) {
    unsigned all = 1;  // no branch per character
    for (char c : serial) all &= kHexDigit[static_cast<unsigned char>(c)];
    if (all != 0) {
      std::memcpy(w, serial.data(), serial.size());
      return w + serial.size();
    }
  }
  char* const start = w;  // separators, or not hex at all
  for (char c : serial) {
    if (isHex(c)) {
      *w++ = c;
    } else if (c != ':') {
      return nullptr;
    }
    if (w - start > static_cast<std::ptrdiff_t>(kMaxSerialHexDigits)) return nullptr;
  }
  return w == start ? nullptr : w;
}

// Reason names to RFC 5280 codes; a CRL has few distinct names.
class ReasonCodes {
 public:
  std::optional<int> code(std::string_view name) {
    if (name.empty()) return 0;
    for (const auto& [known, code] : known_)
      if (known == name) return code;
    auto reason = sdk::pki::parseRevocationReason(name);
    if (!reason) return std::nullopt;
    known_.emplace_back(name, static_cast<int>(*reason));
    return static_cast<int>(*reason);
  }

 private:
  std::vector<std::pair<std::string, int>> known_;
};

template <class Int>
void appendInt(std::string& out, Int value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

// The RFC 3339 time as Unix seconds; the core's own form
// "YYYY-MM-DDTHH:MM:SSZ" without the general parser.
std::optional<long long> unixSeconds(std::string_view text) {
  auto digit = [&](std::size_t i) { return static_cast<unsigned>(text[i] - '0'); };
  if (text.size() == 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' &&
      text[16] == ':' && text[19] == 'Z') {
    bool digits = true;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) digits &= digit(i) <= 9;
    if (digits) {
      const std::chrono::year_month_day ymd{
          std::chrono::year(
              static_cast<int>(digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3))),
          std::chrono::month(digit(5) * 10 + digit(6)), std::chrono::day(digit(8) * 10 + digit(9))};
      const unsigned h = digit(11) * 10 + digit(12), m = digit(14) * 10 + digit(15),
                     sec = digit(17) * 10 + digit(18);
      if (ymd.ok() && h < 24 && m < 60 && sec < 60)
        return std::chrono::sys_days(ymd).time_since_epoch().count() * 86400LL + h * 3600 + m * 60 +
               sec;
    }
  }
  const auto t = domain::parseRfc3339(text);  // offsets, fractions, leap seconds
  if (!t) return std::nullopt;
  return static_cast<long long>(t->time_since_epoch().count());
}

std::string derFromResult(const json& result, const std::string& issuerId) {
  auto it = result.find("crl_der_base64");
  if (it == result.end() || !it->is_string())
    throw plugins::PluginCallError(CERTCTL_INTERNAL,
                                   "issuer " + issuerId + " returned no crl_der_base64");
  try {
    return sdk::pki::base64Decode(it->get_ref<const std::string&>(), "crl_der_base64");
  } catch (const std::exception& e) {
    throw plugins::PluginCallError(
        CERTCTL_INTERNAL, "issuer " + issuerId + " returned bad crl_der_base64: " + e.what());
  }
}

}  // namespace

json crlRequestJson(const CrlEntryList& entries, long long crlNumber, const std::string& thisUpdate,
                    const std::string& nextUpdate) {
  json revoked = json::array();
  revoked.get_ref<json::array_t&>().reserve(entries.size());
  entries.forEach(
      [&](std::string_view serial, std::string_view revokedAt, std::string_view reason) {
        revoked.push_back({{"serial", serial}, {"revoked_at", revokedAt}, {"reason", reason}});
      });
  return {{"revoked", std::move(revoked)},
          {"crl_number", crlNumber},
          {"this_update", thisUpdate},
          {"next_update", nextUpdate}};
}

std::optional<std::string> compactCrlRequestJson(const CrlEntryList& entries, long long crlNumber,
                                                 const std::string& thisUpdate,
                                                 const std::string& nextUpdate,
                                                 std::string* problem) {
  std::size_t index = 0;
  std::optional<std::string> failure;  // why entry `index` cannot be written
  auto refuse = [&](std::string_view serial, const std::string& why) {
    failure =
        "revocation " + std::to_string(index) + " (serial '" + std::string(serial) + "'): " + why;
    return false;
  };
  std::string out;
  out += "{\"crl_number\":";
  appendInt(out, crlNumber);
  out += ",\"this_update\":";
  sdk::detail::appendJsonString(out, thisUpdate);
  out += ",\"next_update\":";
  sdk::detail::appendJsonString(out, nextUpdate);
  out += ",\"revoked_tsv\":\"";
  // Written through a pointer into a buffer grown ahead: an append per
  // field would cost more than the fields. At most a serial, two escaped
  // tabs, a time, a reason and an escaped newline per entry.
  constexpr std::size_t kMaxLine = kMaxSerialHexDigits + 2 + 20 + 2 + 2 + 2;
  std::size_t used = out.size();
  out.resize(used + entries.size() * 50 + kMaxLine);  // 128-bit serials: 49 bytes a line
  ReasonCodes reasons;
  entries.forEach([&](std::string_view serial, std::string_view revokedAt,
                      std::string_view reason) {
    if (out.size() - used < kMaxLine) out.resize(std::max(out.size() * 2, used + kMaxLine));
    char* const line = out.data() + used;
    char* w = writeSerialHex(line, serial);
    if (w == nullptr) return refuse(serial, "the serial is not 1 to 64 hex digits");
    const auto at = unixSeconds(revokedAt);
    if (!at)
      return refuse(serial, "revoked_at '" + std::string(revokedAt) + "' is not an RFC 3339 time");
    const auto code = reasons.code(reason);
    if (!code) return refuse(serial, "'" + std::string(reason) + "' is not an RFC 5280 reason");
    // The TSV's tabs and newline, escaped inside the JSON string.
    *w++ = '\\';
    *w++ = 't';
    w = std::to_chars(w, w + 20, *at).ptr;
    *w++ = '\\';
    *w++ = 't';
    w = std::to_chars(w, w + 2, *code).ptr;
    *w++ = '\\';
    *w++ = 'n';
    used += static_cast<std::size_t>(w - line);
    ++index;
    return true;
  });
  if (failure) {
    if (problem) *problem = std::move(*failure);
    return std::nullopt;
  }
  out.resize(used);
  out += "\"}";
  return out;
}

std::string generateCrlDer(const plugins::IssuerPlugin& plugin, const std::string& issuerId,
                           const CrlEntryList& entries, long long crlNumber,
                           const std::string& thisUpdate, const std::string& nextUpdate) {
  if (plugin.supports("generate_crl_compact")) {
    std::string problem;
    auto request = compactCrlRequestJson(entries, crlNumber, thisUpdate, nextUpdate, &problem);
    if (request) {
      try {
        json result = plugin.generateCrlCompact(*request);
        request.reset();  // ~50 MB for 1M entries: gone before the DER is decoded
        return derFromResult(result, issuerId);
      } catch (const plugins::PluginCallError& e) {
        if (e.status() != CERTCTL_UNSUPPORTED || !plugin.supports("generate_crl")) throw;
        spdlog::warn("issuer {}: generate_crl_compact is unsupported ({}); using generate_crl",
                     issuerId, e.what());
      }
    } else if (!plugin.supports("generate_crl")) {
      throw plugins::PluginCallError(CERTCTL_REJECTED,
                                     "issuer " + issuerId + ": cannot list in a CRL " + problem);
    } else {
      spdlog::warn("issuer {}: {}; the CRL is requested through generate_crl", issuerId, problem);
    }
  }
  return derFromResult(
      plugin.generateCrl(crlRequestJson(entries, crlNumber, thisUpdate, nextUpdate)), issuerId);
}

}  // namespace certctl::services
