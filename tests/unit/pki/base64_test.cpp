#include "sdk/pki/base64.h"

#include <catch2/catch.hpp>

#include <string>

#include "sdk/pki/openssl_error.h"

namespace pki = certctl::sdk::pki;

TEST_CASE("pki: base64 round trip with the RFC 4648 test vectors", "[pki]") {
  struct Case {
    const char* plain;
    const char* encoded;
  };
  auto [plain, encoded] =
      GENERATE(Case{"", ""}, Case{"f", "Zg=="}, Case{"fo", "Zm8="}, Case{"foo", "Zm9v"},
               Case{"foob", "Zm9vYg=="}, Case{"fooba", "Zm9vYmE="}, Case{"foobar", "Zm9vYmFy"});
  CAPTURE(plain);
  CHECK(pki::base64Encode(plain) == encoded);
  CHECK(pki::base64Decode(encoded) == plain);
}

TEST_CASE("pki: base64 of binary data across the chunk boundary, wrapped input", "[pki]") {
  // Larger than one encode chunk (3 MiB), every byte value present.
  std::string bytes((3u << 20) + 7, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31 + 7);
  const std::string encoded = pki::base64Encode(bytes);
  CHECK(encoded.size() == (bytes.size() + 2) / 3 * 4);
  CHECK(encoded.find('\n') == std::string::npos);
  CHECK(pki::base64Decode(encoded) == bytes);

  // Line breaks (PEM-style 64 columns, CRLF) are skipped.
  std::string wrapped;
  const std::string small = encoded.substr(0, 200);
  for (std::size_t i = 0; i < small.size(); i += 64) wrapped += small.substr(i, 64) + "\r\n";
  CHECK(pki::base64Decode(wrapped) == pki::base64Decode(small));
}

TEST_CASE("pki: malformed base64 is refused with the caller's name for it", "[pki]") {
  CHECK_THROWS_WITH(pki::base64Decode("not*base64!", "nonce_base64"),
                    Catch::Matchers::Contains("nonce_base64 is not valid base64"));
  CHECK_THROWS_AS(pki::base64Decode("Zm9v=Zg=="), pki::PkiError);
}

TEST_CASE("pki: one-line base64 (the table path) decodes as the wrapped form does", "[pki]") {
  for (std::size_t n = 0; n < 200; ++n) {
    std::string bytes(n, '\0');
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>(i * 131 + n);
    const std::string encoded = pki::base64Encode(bytes);
    CAPTURE(n, encoded);
    CHECK(pki::base64Decode(encoded) == bytes);
    CHECK(pki::base64Decode(encoded + "\n") == bytes);  // not one line: OpenSSL's path
  }
  // Characters outside the alphabet, and padding anywhere but the end, are
  // still refused.
  CHECK_THROWS_AS(pki::base64Decode("Zm9v*mFy"), pki::PkiError);
  CHECK_THROWS_AS(pki::base64Decode("Zm=vYmFy"), pki::PkiError);
}
