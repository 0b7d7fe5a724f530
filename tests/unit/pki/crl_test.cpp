#include <openssl/err.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/crl.h"
#include "sdk/pki/crl_builder.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"
#include "sdk/pki/revocation_reason.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

namespace pki = certctl::sdk::pki;
namespace fs = std::filesystem;
using certctl::testing::runProcess;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;
using Reason = pki::RevocationReason;

namespace {

Clock::time_point at(long long unixSeconds) {
  return Clock::time_point(std::chrono::seconds(unixSeconds));
}

pki::Certificate makeCa(const pki::PrivateKey& key) {
  return pki::CertificateBuilder()
      .commonName("CRL Test CA")
      .organization("certctl tests")
      .validFor(24h)
      .ca(true)
      .selfSign(key);
}

void writeFile(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(out.good());
}

// `openssl crl -CAfile` checks the signature against the CA and prints
// "verify OK" or "verify failure".
certctl::testing::ProcessResult opensslCrl(const fs::path& dir, std::string_view crl,
                                           const std::string& form = "DER") {
  writeFile(dir / "crl.bin", crl);
  return runProcess({"openssl", "crl", "-inform", form, "-in", (dir / "crl.bin").string(),
                     "-CAfile", (dir / "ca.pem").string(), "-noout", "-text"});
}

// The TBSCertList TLV as it appears in `der` (outer SEQUENCE header skipped).
std::string tbsSlice(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  long len = 0;
  int tag = 0;
  int cls = 0;
  REQUIRE((ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size())) & 0x80) == 0);
  const auto* tbsStart = p;
  REQUIRE((ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size())) & 0x80) == 0);
  return std::string(reinterpret_cast<const char*>(tbsStart),
                     static_cast<std::size_t>(p - tbsStart + len));
}

}  // namespace

TEST_CASE("pki: revocation reason names and codes", "[pki]") {
  const std::vector<std::pair<std::string, int>> names = {
      {"unspecified", 0},        {"keyCompromise", 1}, {"caCompromise", 2},
      {"affiliationChanged", 3}, {"superseded", 4},    {"cessationOfOperation", 5},
      {"certificateHold", 6},    {"removeFromCRL", 8}, {"privilegeWithdrawn", 9},
      {"aACompromise", 10}};
  for (const auto& [name, code] : names) {
    auto reason = pki::parseRevocationReason(name);
    REQUIRE(reason);
    CHECK(static_cast<int>(*reason) == code);
    CHECK(pki::revocationReasonName(*reason) == name);
    CHECK(pki::revocationReasonFromCode(code) == reason);
  }
  CHECK(pki::parseRevocationReason("key_compromise") == Reason::keyCompromise);
  CHECK(pki::parseRevocationReason("KEY_COMPROMISE") == Reason::keyCompromise);
  CHECK(pki::parseRevocationReason("cACompromise") == Reason::caCompromise);
  CHECK(pki::parseRevocationReason("CA_COMPROMISE") == Reason::caCompromise);
  CHECK(pki::parseRevocationReason("remove_from_crl") == Reason::removeFromCRL);
  CHECK(pki::parseRevocationReason("AA_COMPROMISE") == Reason::aACompromise);
  CHECK_FALSE(pki::parseRevocationReason(""));
  CHECK_FALSE(pki::parseRevocationReason("keycompromise"));
  CHECK_FALSE(pki::parseRevocationReason("Key_Compromise"));
  CHECK_FALSE(pki::parseRevocationReason("compromised"));
  CHECK_FALSE(pki::revocationReasonFromCode(7));
  CHECK_FALSE(pki::revocationReasonFromCode(11));
  CHECK_FALSE(pki::revocationReasonFromCode(-1));
}

TEST_CASE("pki: CRL verifies with openssl and lists every serial and reason", "[pki]") {
  certctl::testing::TempDir dir;
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate ca = makeCa(key);
  writeFile(dir.path() / "ca.pem", ca.toPem());

  const auto thisUpdate = at(1767225600);  // 2026-01-01T00:00:00Z
  const auto nextUpdate = thisUpdate + 24h;
  pki::SignedCrl crl = pki::CrlBuilder(ca, key)
                           .number(42)
                           .thisUpdate(thisUpdate)
                           .nextUpdate(nextUpdate)
                           .add("0a1b", at(1767139200), Reason::keyCompromise)
                           .add("00FF", at(1767139201), Reason::superseded)
                           .add("7F3D8A1C0B2E4F5061728394A5B6C7D8", at(1767139202))
                           .add("C0FFEE", at(1767139203), Reason::certificateHold)
                           .sign();

  auto r = opensslCrl(dir.path(), crl.der);
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(r.output.find("verify OK") != std::string::npos);
  CHECK(r.output.find("Version 2 (0x1)") != std::string::npos);
  CHECK(r.output.find("Issuer: O = certctl tests, CN = CRL Test CA") != std::string::npos);
  CHECK(r.output.find("Last Update: Jan  1 00:00:00 2026 GMT") != std::string::npos);
  CHECK(r.output.find("Next Update: Jan  2 00:00:00 2026 GMT") != std::string::npos);
  CHECK(r.output.find("X509v3 CRL Number: \n                42") != std::string::npos);
  CHECK(r.output.find("X509v3 Authority Key Identifier") != std::string::npos);
  CHECK(r.output.find("Serial Number: 0A1B") != std::string::npos);
  CHECK(r.output.find("Serial Number: FF") != std::string::npos);
  CHECK(r.output.find("Serial Number: 7F3D8A1C0B2E4F5061728394A5B6C7D8") != std::string::npos);
  CHECK(r.output.find("Serial Number: C0FFEE") != std::string::npos);
  CHECK(r.output.find("Key Compromise") != std::string::npos);
  CHECK(r.output.find("Superseded") != std::string::npos);
  CHECK(r.output.find("Certificate Hold") != std::string::npos);
  CHECK(r.output.find("Unspecified") == std::string::npos);  // reason left out, not encoded

  pki::Crl parsed = pki::Crl::fromDer(crl.der);
  CHECK(parsed.issuerString() == "CN=CRL Test CA,O=certctl tests");
  CHECK(parsed.thisUpdate() == thisUpdate);
  CHECK(parsed.nextUpdate() == nextUpdate);
  CHECK(parsed.numberHex() == "2A");
  CHECK(parsed.isSignedBy(ca));
  CHECK(parsed.entryCount() == 4);
  const std::vector<pki::CrlEntry> expected = {
      {"A1B", at(1767139200), Reason::keyCompromise},
      {"FF", at(1767139201), Reason::superseded},
      {"7F3D8A1C0B2E4F5061728394A5B6C7D8", at(1767139202), Reason::unspecified},
      {"C0FFEE", at(1767139203), Reason::certificateHold}};
  CHECK(parsed.entries() == expected);
  CHECK(parsed.toDer() == crl.der);

  // The PEM form is the same CRL.
  const std::string pem = crl.toPem();
  CHECK(pem.rfind("-----BEGIN X509 CRL-----\n", 0) == 0);
  auto pemCheck = opensslCrl(dir.path(), pem, "PEM");
  INFO(pemCheck.output);
  CHECK(pemCheck.exitCode == 0);
  CHECK(pemCheck.output.find("verify OK") != std::string::npos);
  CHECK(pki::Crl::fromPem(pem).toDer() == crl.der);
}

TEST_CASE("pki: CRL is canonical DER and signs with every key type", "[pki]") {
  const std::string keyType = GENERATE("ecdsa", "rsa", "ed25519");
  certctl::testing::TempDir dir;
  pki::PrivateKey key = keyType == "ecdsa" ? pki::PrivateKey::generateEcP256()
                        : keyType == "rsa" ? pki::PrivateKey::generateRsa(2048)
                                           : pki::PrivateKey::generateEd25519();
  pki::Certificate ca = makeCa(key);
  writeFile(dir.path() / "ca.pem", ca.toPem());

  pki::CrlBuilder builder(ca, key);
  builder.number(0xFFFFFFFFFFull).thisUpdate(at(2524608000));     // 2050: GeneralizedTime
  builder.add("01", at(946684799), Reason::aACompromise);         // 1999: UTCTime
  builder.add("80", at(2524607999), Reason::privilegeWithdrawn);  // 2049-12-31T23:59:59Z
  builder.add("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", at(2524608000), Reason::caCompromise);
  pki::SignedCrl crl = builder.sign();

  auto r = opensslCrl(dir.path(), crl.der);
  INFO(keyType << "\n" << r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(r.output.find("verify OK") != std::string::npos);
  CHECK(r.output.find("Serial Number: FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF") !=
        std::string::npos);
  CHECK(r.output.find("CA Compromise") != std::string::npos);
  CHECK(r.output.find("AA Compromise") != std::string::npos);
  CHECK(r.output.find("Privilege Withdrawn") != std::string::npos);

  // Re-encoding what OpenSSL parsed must give the very same octets: any
  // non-minimal length, wrong time type or missing zero pad would differ.
  pki::Crl parsed = pki::Crl::fromDer(crl.der);
  unsigned char* reencoded = nullptr;
  const int len = i2d_re_X509_CRL_tbs(parsed.get(), &reencoded);
  REQUIRE(len > 0);
  const std::string tbs(reinterpret_cast<const char*>(reencoded), static_cast<std::size_t>(len));
  OPENSSL_free(reencoded);
  CHECK(tbs == tbsSlice(crl.der));
  CHECK(parsed.numberHex() == "FFFFFFFFFF");
  CHECK(parsed.thisUpdate() == at(2524608000));
  CHECK(parsed.nextUpdate() == at(2524608000) + 24h);  // the default validity
  const auto entries = parsed.entries();
  REQUIRE(entries.size() == 3);
  CHECK(entries[0] == pki::CrlEntry{"1", at(946684799), Reason::aACompromise});
  CHECK(entries[1] == pki::CrlEntry{"80", at(2524607999), Reason::privilegeWithdrawn});
  CHECK(entries[2].revocationTime == at(2524608000));
  // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 (a
  // re-encoding keeps whichever type was parsed, so check the types).
  CHECK(ASN1_STRING_type(X509_CRL_get0_lastUpdate(parsed.get())) == V_ASN1_GENERALIZEDTIME);
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(parsed.get());
  REQUIRE(sk_X509_REVOKED_num(revoked) == 3);
  auto timeType = [revoked](int i) {
    return ASN1_STRING_type(X509_REVOKED_get0_revocationDate(sk_X509_REVOKED_value(revoked, i)));
  };
  CHECK(timeType(0) == V_ASN1_UTCTIME);
  CHECK(timeType(1) == V_ASN1_UTCTIME);
  CHECK(timeType(2) == V_ASN1_GENERALIZEDTIME);
}

TEST_CASE("pki: empty CRL leaves revokedCertificates out", "[pki]") {
  certctl::testing::TempDir dir;
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate ca = makeCa(key);
  writeFile(dir.path() / "ca.pem", ca.toPem());
  pki::SignedCrl crl = pki::CrlBuilder(ca, key).number(1).sign();

  auto r = opensslCrl(dir.path(), crl.der);
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(r.output.find("verify OK") != std::string::npos);
  CHECK(r.output.find("No Revoked Certificates.") != std::string::npos);
  pki::Crl parsed = pki::Crl::fromDer(crl.der);
  CHECK(parsed.entryCount() == 0);
  CHECK(parsed.entries().empty());
  const auto now = Clock::now();
  CHECK(parsed.thisUpdate() <= now);
  CHECK(parsed.thisUpdate() > now - 1min);
}

TEST_CASE("pki: a tampered or foreign CRL fails verification", "[pki]") {
  certctl::testing::TempDir dir;
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate ca = makeCa(key);
  writeFile(dir.path() / "ca.pem", ca.toPem());
  pki::SignedCrl crl =
      pki::CrlBuilder(ca, key).number(7).add("1234", Clock::now(), Reason::keyCompromise).sign();

  std::string tampered = crl.der;
  const auto pos = tampered.find(std::string("\x02\x02\x12\x34", 4));
  REQUIRE(pos != std::string::npos);
  tampered[pos + 3] = '\x35';  // revoke a different serial
  auto r = opensslCrl(dir.path(), tampered);
  INFO(r.output);
  CHECK(r.output.find("verify OK") == std::string::npos);
  CHECK(r.output.find("verify failure") != std::string::npos);
  CHECK_FALSE(pki::Crl::fromDer(tampered).isSignedBy(ca));

  pki::PrivateKey otherKey = pki::PrivateKey::generateEcP256();
  CHECK_FALSE(pki::Crl::fromDer(crl.der).isSignedBy(makeCa(otherKey)));
  CHECK(pki::Crl::fromDer(crl.der).isSignedBy(ca));
}

TEST_CASE("pki: CRL builder refuses bad input", "[pki]") {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate ca = makeCa(key);
  pki::CrlBuilder builder(ca, key);
  const auto now = Clock::now();

  for (const char* bad : {"", "0", "000", "-1", "0x12", "12G4", "12 34",
                          "1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"}) {
    INFO(bad);
    CHECK_THROWS_AS(builder.add(bad, now), pki::PkiError);
  }
  CHECK_THROWS_AS(builder.add("01", now, Reason::removeFromCRL), pki::PkiError);
  CHECK_THROWS_AS(builder.add("01", at(-631152001)), pki::PkiError);  // 1949
  CHECK(builder.size() == 0);
  builder.add("0000000000000000000000000000000000000000000001", now);  // leading zeros are fine
  CHECK(builder.size() == 1);

  CHECK_THROWS_WITH(builder.sign(), Catch::Contains("CRL number"));
  builder.number(1).thisUpdate(now).nextUpdate(now);
  CHECK_THROWS_WITH(builder.sign(), Catch::Contains("nextUpdate"));
  builder.nextUpdate(now + 1h);
  CHECK_NOTHROW(builder.sign());

  pki::PrivateKey otherKey = pki::PrivateKey::generateEcP256();
  CHECK_THROWS_WITH(pki::CrlBuilder(ca, otherKey), Catch::Contains("does not match"));
  pki::Certificate leaf = pki::CertificateBuilder()
                              .commonName("leaf.example.test")
                              .validFor(1h)
                              .signWith(ca, key, otherKey);
  CHECK_THROWS_WITH(pki::CrlBuilder(leaf, otherKey), Catch::Contains("cRLSign"));

  CHECK_THROWS_AS(pki::Crl::fromDer("not a crl"), pki::PkiError);
  CHECK_THROWS_AS(pki::Crl::fromDer(builder.sign().der + "x"), pki::PkiError);
  CHECK_THROWS_AS(pki::Crl::fromPem("-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n"),
                  pki::PkiError);
}

TEST_CASE("pki: a large CRL keeps every entry in order", "[pki]") {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate ca = makeCa(key);
  pki::CrlBuilder builder(ca, key);
  builder.number(3).reserve(20000);
  std::vector<pki::CrlEntry> expected;
  const auto base = at(1767225600);
  for (int i = 1; i <= 20000; ++i) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "%X%08X", i, i * 2654435761u);
    const Reason reason = i % 3 == 0 ? Reason::keyCompromise : Reason::unspecified;
    builder.add(hex, base - std::chrono::seconds(i), reason);
    expected.push_back({hex, base - std::chrono::seconds(i), reason});
  }
  CHECK(builder.size() == 20000);
  pki::Crl parsed = pki::Crl::fromDer(builder.sign().der);
  CHECK(parsed.isSignedBy(ca));
  CHECK(parsed.entries() == expected);
}
