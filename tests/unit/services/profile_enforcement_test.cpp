// Profiles as issuance constraints: key algorithm and size, required SANs,
// EKUs and the lifetime cap, table-driven over stored profile records.
#include <catch2/catch.hpp>

#include "core/domain/errors.h"
#include "core/services/profile_enforcement.h"

using namespace certctl::services;
using nlohmann::json;

namespace {

const KeyFacts kP256{"ECDSA", 256, "P-256"};
const KeyFacts kP384{"ECDSA", 384, "P-384"};
const KeyFacts kBrainpool{"ECDSA", 256, "brainpoolP256r1"};
const KeyFacts kRsa1024{"RSA", 1024, ""};
const KeyFacts kRsa2048{"RSA", 2048, ""};
const KeyFacts kRsa3072{"RSA", 3072, ""};
const KeyFacts kEd25519{"Ed25519", 256, ""};
const KeyFacts kDsa{"DSA", 2048, ""};

json profile(json fields) {
  json p = {{"id", "prof-test"},
            {"name", "Test"},
            {"enabled", true},
            {"allowed_ekus", {"serverAuth"}},
            {"required_sans", json::array()}};
  for (auto& [k, v] : fields.items()) p[k] = v;
  return p;
}

}  // namespace

TEST_CASE("key algorithms and sizes against allowed_key_algorithms", "[services][profiles]") {
  struct Case {
    const char* name;
    json allowed;  // null: no allowed_key_algorithms
    KeyFacts key;
    bool allowed_;
  };
  const json ecOnly = {"ECDSA"};
  const json seedObjects = json::parse(R"([{"algorithm":"ECDSA","min_size":256},
                                           {"algorithm":"RSA","min_size":2048}])");
  const json rsa3072 = json::parse(R"([{"algorithm":"RSA","min_size":3072}])");
  const json suffixed = {"RSA-3072", "ECDSA-P384"};
  const Case cases[] = {
      {"no list: P-256 passes the built-in floor", nullptr, kP256, true},
      {"no list: RSA-2048 passes", nullptr, kRsa2048, true},
      {"no list: RSA-1024 is below the floor", nullptr, kRsa1024, false},
      {"no list: Ed25519 passes", nullptr, kEd25519, true},
      {"no list: a non-NIST curve is refused", nullptr, kBrainpool, false},
      {"no list: DSA is refused", nullptr, kDsa, false},
      {"ECDSA only: P-256 passes", ecOnly, kP256, true},
      {"ECDSA only: RSA-2048 is refused", ecOnly, kRsa2048, false},
      {"seed objects: P-256", seedObjects, kP256, true},
      {"seed objects: RSA-2048", seedObjects, kRsa2048, true},
      {"seed objects: Ed25519 is not listed", seedObjects, kEd25519, false},
      {"RSA >= 3072: RSA-2048 too small", rsa3072, kRsa2048, false},
      {"RSA >= 3072: RSA-3072 passes", rsa3072, kRsa3072, true},
      {"RSA >= 3072: ECDSA not listed", rsa3072, kP256, false},
      {"suffixed names: P-256 below P384", suffixed, kP256, false},
      {"suffixed names: P-384 passes", suffixed, kP384, true},
      {"suffixed names: RSA-3072 passes", suffixed, kRsa3072, true},
      {"lower-case names work", json{"ecdsa", "rsa"}, kRsa2048, true},
      {"the floor applies even when listed", json{"RSA"}, kRsa1024, false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    json p = profile({});
    if (!c.allowed.is_null()) p["allowed_key_algorithms"] = c.allowed;
    auto decision = enforceProfile(&p, c.key, {"api.example.com"});
    INFO(decision.reason());
    CHECK(decision.allowed() == c.allowed_);
  }
}

TEST_CASE("without a profile only the built-in key floor applies", "[services][profiles]") {
  CHECK(enforceProfile(nullptr, kP256, {}).allowed());
  CHECK_FALSE(enforceProfile(nullptr, kRsa1024, {}).allowed());
  auto d = enforceProfile(nullptr, kP256, {});
  CHECK(d.ekus.empty());
  CHECK_FALSE(d.maxTtlSeconds.has_value());
}

TEST_CASE("the refusal names the key and what the profile allows", "[services][profiles]") {
  json p = profile(
      {{"allowed_key_algorithms", json::parse(R"([{"algorithm":"ECDSA","min_size":256}])")}});
  auto d = enforceProfile(&p, kRsa2048, {"a.example.com"});
  REQUIRE_FALSE(d.allowed());
  CHECK_THAT(d.reason(), Catch::Matchers::Contains("RSA-2048") &&
                             Catch::Matchers::Contains("prof-test") &&
                             Catch::Matchers::Contains("ECDSA >= 256"));
}

TEST_CASE("required SANs: fixed names and wildcard patterns", "[services][profiles]") {
  struct Case {
    json required;
    std::vector<std::string> names;
    bool allowed;
  };
  const Case cases[] = {
      {json::array(), {"a.example.com"}, true},
      {{"api.example.com"}, {"api.example.com", "www.example.com"}, true},
      {{"API.example.com"}, {"api.example.com"}, true},
      {{"api.example.com"}, {"www.example.com"}, false},
      {{"*.example.com"}, {"svc.example.com"}, true},
      {{"*.example.com"}, {"a.b.example.com"}, true},
      {{"*.example.com"}, {"example.com"}, false},
      {{"*.example.com", "status.example.org"}, {"a.example.com"}, false},
      {{"*.example.com", "status.example.org"}, {"a.example.com", "status.example.org"}, true},
  };
  for (const auto& c : cases) {
    INFO(c.required.dump() << " vs " << c.names.size() << " names");
    json p = profile({{"required_sans", c.required}});
    CHECK(enforceProfile(&p, kP256, c.names).allowed() == c.allowed);
  }
}

TEST_CASE("TTL cap: the smaller of max_ttl_hours and max_ttl_seconds", "[services][profiles]") {
  struct Case {
    json hours, seconds;
    std::optional<long long> cap;
  };
  const Case cases[] = {
      {nullptr, nullptr, std::nullopt},
      {72, nullptr, 72 * 3600},
      {nullptr, 1800, 1800},
      {1, 7200, 3600},
      {48, 600, 600},
      {0, nullptr, std::nullopt},  // not positive: no cap
  };
  for (const auto& c : cases) {
    json p = profile({{"max_ttl_hours", c.hours}, {"max_ttl_seconds", c.seconds}});
    INFO(p.dump());
    CHECK(profileMaxTtlSeconds(p) == c.cap);
    CHECK(enforceProfile(&p, kP256, {}).maxTtlSeconds == c.cap);
  }
}

TEST_CASE("EKUs come from the profile; a disabled profile refuses", "[services][profiles]") {
  json p = profile({{"allowed_ekus", {"serverAuth", "clientAuth"}}});
  auto d = enforceProfile(&p, kP256, {});
  CHECK(d.ekus == std::vector<std::string>{"serverAuth", "clientAuth"});
  p["enabled"] = false;
  d = enforceProfile(&p, kP256, {});
  REQUIRE_FALSE(d.allowed());
  CHECK_THAT(d.reason(), Catch::Matchers::Contains("disabled"));
}

TEST_CASE("server keygen picks a key the profile allows", "[services][profiles]") {
  struct Case {
    json allowed;
    std::string algorithm;
    int bits;
  };
  const Case cases[] = {
      {nullptr, "ECDSA", 256},
      {{"ECDSA", "RSA"}, "ECDSA", 256},
      {{"RSA"}, "RSA", 2048},
      {json::parse(R"([{"algorithm":"RSA","min_size":3072}])"), "RSA", 3072},
      {json::parse(R"([{"algorithm":"RSA","min_size":2500}])"), "RSA", 3072},
      {{"ECDSA-P384"}, "ECDSA", 384},
      {{"Ed25519"}, "Ed25519", 256},
      {json::parse(R"([{"algorithm":"ECDSA","min_size":521},"RSA"])"), "RSA", 2048},
  };
  for (const auto& c : cases) {
    INFO(c.allowed.dump());
    json p = profile({{"allowed_key_algorithms", c.allowed}});
    auto choice = serverKeyFor(&p);
    CHECK(choice.algorithm == c.algorithm);
    CHECK(choice.bits == c.bits);
  }
  auto none = serverKeyFor(nullptr);
  CHECK(none.algorithm == "ECDSA");
  CHECK(none.bits == 256);
}

TEST_CASE("profile validation refuses unreadable key algorithms and TTLs", "[services][profiles]") {
  const json good[] = {
      {{"allowed_key_algorithms", {"ECDSA", "RSA"}}},
      {{"allowed_key_algorithms", json::parse(R"([{"algorithm":"RSA","min_size":3072}])")}},
      {{"allowed_key_algorithms", nullptr}},
      {{"allowed_key_algorithms", {"RSA-4096", "ECDSA-P256", "Ed25519"}}},
      {{"max_ttl_hours", 24}, {"max_ttl_seconds", nullptr}},
  };
  for (const auto& v : good) {
    INFO(v.dump());
    CHECK_NOTHROW(validateProfileFields(v));
  }
  const std::pair<json, std::string> bad[] = {
      {{{"allowed_key_algorithms", {"DSA"}}}, "allowed_key_algorithms"},
      {{{"allowed_key_algorithms", {"RSA-big"}}}, "allowed_key_algorithms"},
      {{{"allowed_key_algorithms", {{{"algorithm", "RSA"}, {"min_size", -1}}}}},
       "allowed_key_algorithms"},
      {{{"allowed_key_algorithms", {{{"min_size", 2048}}}}}, "allowed_key_algorithms"},
      {{{"allowed_key_algorithms", {42}}}, "allowed_key_algorithms"},
      {{{"allowed_key_algorithms", {{"algorithm", "RSA"}}}}, "allowed_key_algorithms"},
      {{{"max_ttl_hours", 0}}, "max_ttl_hours"},
      {{{"max_ttl_seconds", -5}}, "max_ttl_seconds"},
  };
  for (const auto& [values, field] : bad) {
    INFO(values.dump());
    try {
      validateProfileFields(values);
      FAIL("accepted");
    } catch (const certctl::domain::ApiError& e) {
      CHECK(e.field() == field);
    }
  }
}

TEST_CASE("domain patterns", "[services][profiles]") {
  CHECK(domainMatches("example.com", "EXAMPLE.com"));
  CHECK_FALSE(domainMatches("example.com", "www.example.com"));
  CHECK(domainMatches("*.example.com", "www.example.com"));
  CHECK(domainMatches("*.example.com", "a.b.example.com"));
  CHECK(domainMatches("*.example.com", "*.example.com"));
  CHECK_FALSE(domainMatches("*.example.com", "example.com"));
  CHECK_FALSE(domainMatches("*.example.com", "badexample.com"));
  CHECK_FALSE(domainMatches("*.example.com", "example.com.evil.org"));
}
