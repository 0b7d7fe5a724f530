#include "sdk/pki/public_key_decoding.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "sdk/pki/private_key.h"

namespace pki = certctl::sdk::pki;

namespace {

// The DER SubjectPublicKeyInfo of `key`, with its last byte (the end of the
// point's y coordinate) changed when `offCurve`.
std::string spkiDer(const pki::PrivateKey& key, bool offCurve = false) {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(key.get(), &buf);
  REQUIRE(len > 0);
  std::string der(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  if (offCurve) der.back() = static_cast<char>(der.back() ^ 0x01);
  return der;
}

pki::EvpPkeyPtr decode(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509_PUBKEY, decltype(&X509_PUBKEY_free)> spki(
      d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(der.size())), &X509_PUBKEY_free);
  REQUIRE(spki);
  return pki::decodePublicKey(spki.get());
}

}  // namespace

TEST_CASE("decodePublicKey builds EC keys on named curves and refuses points off the curve",
          "[pki][keys]") {
  // A thread of its own: its first key of a curve is decoded from scratch,
  // later ones as copies of it with their own point.
  std::thread([] {
    auto first = pki::PrivateKey::generateEcP256();
    auto second = pki::PrivateKey::generateEcP256();
    auto p384 = pki::PrivateKey::generateEcP384();

    CHECK_FALSE(decode(spkiDer(first, true)));  // before any key of the curve

    auto a = decode(spkiDer(first));
    auto b = decode(spkiDer(second));
    auto c = decode(spkiDer(p384));
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(c);
    CHECK(EVP_PKEY_eq(a.get(), first.get()) == 1);
    CHECK(EVP_PKEY_eq(b.get(), second.get()) == 1);
    CHECK(EVP_PKEY_eq(a.get(), b.get()) == 0);
    CHECK(EVP_PKEY_eq(c.get(), p384.get()) == 1);
    CHECK(EVP_PKEY_get_bits(c.get()) == 384);

    CHECK_FALSE(decode(spkiDer(second, true)));  // after one: still checked
    CHECK_FALSE(decode(spkiDer(p384, true)));
    // The first key is unchanged by the copies made from it.
    CHECK(EVP_PKEY_eq(a.get(), first.get()) == 1);
  }).join();
}
