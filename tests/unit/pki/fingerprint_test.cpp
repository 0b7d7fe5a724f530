#include "sdk/pki/fingerprint.h"

#include <catch2/catch.hpp>

namespace pki = certctl::sdk::pki;

TEST_CASE("pki: sha256Hex matches the FIPS 180-2 vectors", "[pki]") {
  CHECK(pki::sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(pki::sha256Hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Embedded NULs are data, not terminators.
  CHECK(pki::sha256Hex(std::string_view("a\0b", 3)) != pki::sha256Hex("a"));
}

TEST_CASE("pki: hexEncode keeps every byte and the requested case", "[pki]") {
  CHECK(pki::hexEncode("") == "");
  CHECK(pki::hexEncode(std::string_view("\x00\x0f\xab\xff", 4)) == "000fabff");
  CHECK(pki::hexEncode(std::string_view("\x00\x0f\xab\xff", 4), true) == "000FABFF");
}
