#include "core/http/api_key_auth.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

using certctl::http::ApiKeyAuth;

TEST_CASE("ApiKeyAuth::sha256Hex matches the FIPS 180-2 test vectors", "[http][auth]") {
  CHECK(ApiKeyAuth::sha256Hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ApiKeyAuth::sha256Hex("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ApiKeyAuth::sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("ApiKeyAuth accepts the right key and names it", "[http][auth]") {
  const ApiKeyAuth auth({"s3cret-key"});
  REQUIRE(auth.size() == 1);
  const auto key = auth.authenticate("Bearer s3cret-key");
  REQUIRE(key);
  CHECK(key->name == "key-1");
  CHECK(key->role == "admin");
}

TEST_CASE("ApiKeyAuth refuses a wrong key", "[http][auth]") {
  const ApiKeyAuth auth({"s3cret-key"});
  CHECK_FALSE(auth.authenticate("Bearer s3cret-kez"));
  CHECK_FALSE(auth.authenticate("Bearer s3cret-key2"));
  CHECK_FALSE(auth.authenticate("Bearer s3cret"));
  CHECK_FALSE(auth.authenticate("Bearer S3CRET-KEY"));  // keys are case-sensitive
  // The digest itself is not a credential.
  CHECK_FALSE(auth.authenticate("Bearer " + ApiKeyAuth::sha256Hex("s3cret-key")));
}

TEST_CASE("ApiKeyAuth parses the Bearer scheme strictly", "[http][auth]") {
  const ApiKeyAuth auth({"tok"});
  CHECK(auth.authenticate("bearer tok"));
  CHECK(auth.authenticate("BEARER tok"));
  CHECK(auth.authenticate("Bearer    tok"));
  CHECK(auth.authenticate("  Bearer tok  "));

  CHECK_FALSE(auth.authenticate("Basic tok"));
  CHECK_FALSE(auth.authenticate("Token tok"));
  CHECK_FALSE(auth.authenticate("tok"));
  CHECK_FALSE(auth.authenticate("Bearertok"));
  CHECK_FALSE(auth.authenticate("Bearer tok extra"));
  CHECK_FALSE(auth.authenticate("Bearer tok\r\n"));
}

TEST_CASE("ApiKeyAuth refuses a missing token", "[http][auth]") {
  const ApiKeyAuth auth({"tok", ""});  // an empty configured key must not match ""
  CHECK(auth.size() == 1);
  CHECK_FALSE(auth.authenticate(""));
  CHECK_FALSE(auth.authenticate("Bearer"));
  CHECK_FALSE(auth.authenticate("Bearer "));
  CHECK_FALSE(auth.authenticate("Bearer    "));
}

TEST_CASE("ApiKeyAuth supports rotation with several keys", "[http][auth]") {
  const ApiKeyAuth auth({"old-key", "", "new-key"});
  const auto oldKey = auth.authenticate("Bearer old-key");
  const auto newKey = auth.authenticate("Bearer new-key");
  REQUIRE(oldKey);
  REQUIRE(newKey);
  CHECK(oldKey->name == "key-1");
  CHECK(newKey->name == "key-3");  // numbered by configured position
  CHECK_FALSE(auth.authenticate("Bearer other-key"));

  const ApiKeyAuth dup({"same", "same", "other"});
  REQUIRE(dup.authenticate("Bearer same"));
  CHECK(dup.authenticate("Bearer same")->name == "key-1");
  CHECK(dup.authenticate("Bearer other")->name == "key-3");

  const ApiKeyAuth none(std::vector<std::string>{});
  CHECK(none.size() == 0);
  CHECK_FALSE(none.authenticate("Bearer old-key"));
}

TEST_CASE("ApiKeyAuth keeps only digests", "[http][auth]") {
  const std::vector<std::string> keys = {"alpha-key-123", "beta-key-456"};
  const ApiKeyAuth auth(keys);
  const auto digests = auth.digestsHex();
  REQUIRE(digests.size() == 2);
  CHECK(digests[0] == ApiKeyAuth::sha256Hex("alpha-key-123"));
  CHECK(digests[1] == ApiKeyAuth::sha256Hex("beta-key-456"));
  for (const auto& d : digests) {
    for (const auto& k : keys) CHECK(d.find(k) == std::string::npos);
  }
  // Structural check: the object holds no variable-size plaintext buffer;
  // entries are a fixed 32-byte digest plus the key's name and role.
  static_assert(sizeof(ApiKeyAuth) == sizeof(std::vector<int>));
}

TEST_CASE("ApiKeyAuth named keys carry roles", "[http][auth]") {
  const auto auth = ApiKeyAuth::fromNamedKeys({
      {"ci", "operator", "ci-token"},
      {"agent-1", "agent", "agent-token"},
      {"dash", "viewer", "view-token"},
  });
  CHECK(auth.size() == 3);
  const auto agent = auth.authenticate("Bearer agent-token");
  REQUIRE(agent);
  CHECK(agent->name == "agent-1");
  CHECK(agent->role == "agent");
  CHECK(auth.authenticate("Bearer view-token")->role == "viewer");
  CHECK(auth.authenticate("Bearer ci-token")->role == "operator");

  CHECK_THROWS_AS(ApiKeyAuth::fromNamedKeys({{"x", "root", "t"}}), std::invalid_argument);
  CHECK_THROWS_AS(ApiKeyAuth::fromNamedKeys({{"x", "admin", ""}}), std::invalid_argument);
  CHECK_THROWS_AS(ApiKeyAuth::fromNamedKeys({{"", "admin", "t"}}), std::invalid_argument);
}
