#include "core/services/ari_renewal_time.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>

namespace certctl::services {

namespace {

std::optional<domain::TimePoint> timeField(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return domain::parseRfc3339(it->get<std::string>());
}

}  // namespace

std::optional<domain::TimePoint> ariRenewalTime(const nlohmann::json& renewalInfo,
                                                domain::TimePoint now) {
  if (!renewalInfo.is_object() || renewalInfo.value("source", std::string()) != "ari")
    return std::nullopt;
  auto window = renewalInfo.find("suggested_window");
  if (window == renewalInfo.end() || !window->is_object()) return std::nullopt;
  auto start = timeField(*window, "start");
  auto end = timeField(*window, "end");
  if (!start || !end || *end < *start) return std::nullopt;
  if (*end <= now) return now;
  // Not earlier than now: the part of the window already past is skipped.
  domain::TimePoint from = std::max(*start, now);
  auto span = static_cast<std::uint64_t>((*end - from).count());
  std::uint64_t random = 0;
  if (span > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(&random), sizeof random) != 1)
    random = 0;  // no randomness: the window's start is still inside it
  return from + std::chrono::seconds(span ? random % (span + 1) : 0);
}

}  // namespace certctl::services
