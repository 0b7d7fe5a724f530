// ariRenewalTime: RFC 9773 section 4.2's choice of a renewal time within the
// window a CA suggests, and the fall-backs to the renewal policy.
#include "core/services/ari_renewal_time.h"

#include <catch2/catch.hpp>
#include <set>

using certctl::domain::formatRfc3339;
using certctl::domain::parseRfc3339;
using certctl::services::ariRenewalTime;
using nlohmann::json;
using std::chrono::hours;

namespace {

json window(const std::string& start, const std::string& end) {
  return {{"source", "ari"}, {"suggested_window", {{"start", start}, {"end", end}}}};
}

}  // namespace

TEST_CASE("ARI: a time within the suggested window, spread over it", "[services][ari]") {
  const auto now = *parseRfc3339("2026-11-22T12:00:00Z");
  const auto start = now + hours(24);
  const auto end = now + hours(72);
  std::set<long long> seen;
  for (int i = 0; i < 50; ++i) {
    auto at = ariRenewalTime(window(formatRfc3339(start), formatRfc3339(end)), now);
    REQUIRE(at);
    CHECK(*at >= start);
    CHECK(*at <= end);
    seen.insert(at->time_since_epoch().count());
  }
  CHECK(seen.size() > 10);  // random, not always the start
}

TEST_CASE("ARI: a window already open starts now, a closed one means now", "[services][ari]") {
  const auto now = *parseRfc3339("2026-11-22T12:00:00Z");
  auto open = ariRenewalTime(window("2026-11-21T00:00:00Z", "2026-11-23T00:00:00Z"), now);
  REQUIRE(open);
  CHECK(*open >= now);
  CHECK(*open <= *parseRfc3339("2026-11-23T00:00:00Z"));
  auto closed = ariRenewalTime(window("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"), now);
  REQUIRE(closed);
  CHECK(*closed == now);
}

TEST_CASE("ARI: no usable window leaves the renewal policy in charge", "[services][ari]") {
  const auto now = *parseRfc3339("2026-11-22T12:00:00Z");
  CHECK_FALSE(ariRenewalTime(json(), now));
  CHECK_FALSE(ariRenewalTime({{"source", "threshold"}, {"reason", "404"}}, now));
  CHECK_FALSE(ariRenewalTime(window("2026-12-03T00:00:00Z", "2026-12-01T00:00:00Z"), now));
  CHECK_FALSE(ariRenewalTime(window("tomorrow", "2026-12-01T00:00:00Z"), now));
  CHECK_FALSE(ariRenewalTime({{"source", "ari"}, {"suggested_window", "soon"}}, now));
}
