#include <catch2/catch.hpp>

#include "core/api/list_params.h"
#include "core/domain/errors.h"
#include "core/domain/resources.h"

using namespace certctl;

namespace {

http::Request withQuery(std::initializer_list<std::pair<std::string, std::string>> params) {
  http::Request r;
  for (const auto& [k, v] : params) r.query.emplace(k, v);
  return r;
}

std::string errorField(std::initializer_list<std::pair<std::string, std::string>> params) {
  try {
    api::parseListQuery(*domain::findResource("certificates"), withQuery(params));
  } catch (const domain::ApiError& e) {
    CHECK(e.kind() == domain::ErrorKind::BadRequest);
    return e.field();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("list parameters map onto a validated query", "[api]") {
  const auto& certs = *domain::findResource("certificates");
  auto q = api::parseListQuery(certs, withQuery({{"sort", "-notAfter"},
                                                 {"status", "active"},
                                                 {"profile_id", "prof-1"},
                                                 {"expires_before", "2026-04-24T02:00:00+02:00"},
                                                 {"fields", "id,common_name,status"},
                                                 {"per_page", "500"}}));
  CHECK(q.sortColumn == "expires_at");
  CHECK(q.descending);
  CHECK(q.perPage == 500);
  CHECK_FALSE(q.keyset);
  REQUIRE(q.equals.size() == 2);
  auto valueOf = [&](const std::string& column) {
    for (const auto& e : q.equals)
      if (e.column == column) return e.value;
    return std::string("(missing)");
  };
  CHECK(valueOf("status") == "Active");  // canonical enum spelling
  CHECK(valueOf("certificate_profile_id") == "prof-1");
  REQUIRE(q.ranges.size() == 1);
  CHECK(q.ranges[0].value == "2026-04-24T00:00:00Z");
  CHECK(q.fields == std::vector<std::string>{"id", "common_name", "status"});

  auto defaults = api::parseListQuery(certs, withQuery({}));
  CHECK(defaults.perPage == 50);
  CHECK(defaults.page == 1);
}

TEST_CASE("cursors round-trip and are bound to their sort order", "[api]") {
  const auto& certs = *domain::findResource("certificates");
  auto q = api::parseListQuery(certs, withQuery({{"sort", "-notAfter"}, {"page_size", "50"}}));
  CHECK(q.keyset);
  std::string cursor = api::encodeCursor(q, {"2027-01-01T00:00:00Z", "mc-x"});
  auto next = api::parseListQuery(
      certs, withQuery({{"sort", "-notAfter"}, {"page_size", "50"}, {"cursor", cursor}}));
  REQUIRE(next.after);
  CHECK(next.after->id == "mc-x");
  CHECK(next.after->sortValue == "2027-01-01T00:00:00Z");
  CHECK(errorField({{"sort", "name"}, {"cursor", cursor}}) == "cursor");
}

TEST_CASE("bad list parameters name the parameter", "[api]") {
  CHECK(errorField({{"sort", "colour"}}) == "sort");
  CHECK(errorField({{"per_page", "0"}}) == "per_page");
  CHECK(errorField({{"per_page", "501"}}) == "per_page");
  CHECK(errorField({{"per_page", "12abc"}}) == "per_page");
  CHECK(errorField({{"page", "-1"}}) == "page");
  CHECK(errorField({{"page_size", "9999"}}) == "page_size");
  CHECK(errorField({{"cursor", "!!!"}}) == "cursor");
  CHECK(errorField({{"cursor", "eyJmb28iOjF9"}}) == "cursor");  // {"foo":1}
  CHECK(errorField({{"status", "Sleeping"}}) == "status");
  CHECK(errorField({{"expires_after", "yesterday"}}) == "expires_after");
  CHECK(errorField({{"fields", "id,secret"}}) == "fields");
  CHECK(errorField({{"colour", "blue"}}) == "colour");
  CHECK(errorField({{"issuer_id", "../../etc"}}) == "issuer_id");
  CHECK(errorField({{"page", "2"}, {"cursor", "x"}}) == "page");
}
