#include "sdk/pki/certificate.h"

#include <catch2/catch.hpp>

#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"

namespace pki = certctl::sdk::pki;

namespace {

// Made with the openssl CLI (not with our builder), so parsing is checked
// against an independent encoder:
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes
//     -set_serial 0x00F1E2D3C4B5A6978812 -days 3650
//     -subj "/C=DE/O=Example Org/CN=example.test"
//     -addext "subjectAltName=DNS:example.test,DNS:www.example.test,
//              IP:192.0.2.1,IP:2001:db8::1"
//     -addext "basicConstraints=critical,CA:FALSE"
constexpr const char* kLeafPem = R"(-----BEGIN CERTIFICATE-----
MIICAjCCAaegAwIBAgIKAPHi08S1ppeIEjAKBggqhkjOPQQDAjA6MQswCQYDVQQG
EwJERTEUMBIGA1UECgwLRXhhbXBsZSBPcmcxFTATBgNVBAMMDGV4YW1wbGUudGVz
dDAeFw0yNjExMjIwNDU1MTFaFw0zNjExMTkwNDU1MTFaMDoxCzAJBgNVBAYTAkRF
MRQwEgYDVQQKDAtFeGFtcGxlIE9yZzEVMBMGA1UEAwwMZXhhbXBsZS50ZXN0MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8bE17dmoAdvXZW19lDtbapaeLxHefKXX
wHTLwa0zoNLmy5J3iORa6VQKX2t3e2xxBUmL+sGnvbZse8HwZbgDPaOBlDCBkTAd
BgNVHQ4EFgQUnBjmJKD617SntZXkx7x1/lwra0QwHwYDVR0jBBgwFoAUnBjmJKD6
17SntZXkx7x1/lwra0QwQQYDVR0RBDowOIIMZXhhbXBsZS50ZXN0ghB3d3cuZXhh
bXBsZS50ZXN0hwTAAAIBhxAgAQ24AAAAAAAAAAAAAAABMAwGA1UdEwEB/wQCMAAw
CgYIKoZIzj0EAwIDSQAwRgIhAMqZ1wlQYWwx0c+hHicUOYGiTcvOFZRUNXB4MbPb
ZhqdAiEAvF5xOAsNEQFETuhapJQUwm6ywIlqRkZ5j1HqfE24YPY=
-----END CERTIFICATE-----
)";

// openssl req -x509 ... -subj "/CN=Example Root"
//   -addext "basicConstraints=critical,CA:TRUE,pathlen:1"
constexpr const char* kRootPem = R"(-----BEGIN CERTIFICATE-----
MIIBhjCCASygAwIBAgIUSczr2xl9pbomCiRZDnmGfXNjPf0wCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMRXhhbXBsZSBSb290MB4XDTI2MTEyMjA0NTUxMVoXDTM2MTEx
OTA0NTUxMVowFzEVMBMGA1UEAwwMRXhhbXBsZSBSb290MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEz/dMUMei61rZ3SC/ZNswTjtIieMB0hmcuo6Av99bqPBG5N23
IMT5tyWWBSYlIjwnUwFFAb1KIK57TLMTPqphrqNWMFQwHQYDVR0OBBYEFHPajCpT
6sWgYTWVlvweoMfNg8mHMB8GA1UdIwQYMBaAFHPajCpT6sWgYTWVlvweoMfNg8mH
MBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYIKoZIzj0EAwIDSAAwRQIhAPdVOUnImD4q
FCXJ8/52VgFOSbzR40kvCHASTCiFdJG6AiABLTkU/ivHhHo4TF6g6SKJooJ/fIRc
6Gv/d4CNp3FMwA==
-----END CERTIFICATE-----
)";

std::chrono::system_clock::time_point epoch(long long seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

}  // namespace

TEST_CASE("pki: certificate fields of an openssl-made certificate", "[pki]") {
  pki::Certificate cert = pki::Certificate::fromPem(kLeafPem);
  CHECK(cert.subjectCommonName() == "example.test");
  CHECK(cert.subjectString() == "CN=example.test,O=Example Org,C=DE");
  CHECK(cert.issuerString() == "CN=example.test,O=Example Org,C=DE");
  CHECK(cert.serialHex() == "F1E2D3C4B5A6978812");
  CHECK(cert.notBefore() == epoch(1795323311));  // 2026-11-22T04:55:11Z
  CHECK(cert.notAfter() == epoch(2110683311));   // 2036-11-19T04:55:11Z
  CHECK(cert.dnsNames() == std::vector<std::string>{"example.test", "www.example.test"});
  CHECK(cert.ipAddresses() == std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
  CHECK_FALSE(cert.isCa());
  CHECK(cert.pathLength() == -1);
  CHECK(cert.isSignedBy(cert));
  // `openssl x509 -fingerprint -sha256`, colons removed, lowercased.
  CHECK(cert.sha256FingerprintHex() ==
        "b487d735e68c0e89b51ad28faa2397e8227d0e939a347471133c3850bb922121");

  pki::Certificate root = pki::Certificate::fromPem(kRootPem);
  CHECK(root.isCa());
  CHECK(root.pathLength() == 1);
  CHECK(root.subjectString() == "CN=Example Root");
  CHECK(root.serialHex() == "49CCEBDB197DA5BA260A24590E79867D73633DFD");
  CHECK(root.dnsNames().empty());
  CHECK(root.ipAddresses().empty());
  CHECK_FALSE(cert.isSignedBy(root));
}

TEST_CASE("pki: certificate PEM and DER round trips", "[pki]") {
  pki::Certificate cert = pki::Certificate::fromPem(kLeafPem);
  CHECK(cert.toPem() == kLeafPem);
  const std::string der = cert.toDer();
  CHECK(static_cast<unsigned char>(der[0]) == 0x30);  // SEQUENCE
  pki::Certificate fromDer = pki::Certificate::fromDer(der);
  CHECK(fromDer == cert);
  CHECK(fromDer.toPem() == kLeafPem);
  CHECK_THROWS_AS(pki::Certificate::fromDer(der + "x"), pki::PkiError);
  CHECK_THROWS_AS(pki::Certificate::fromDer(der.substr(0, der.size() - 1)), pki::PkiError);
  CHECK_THROWS_AS(pki::Certificate::fromDer(""), pki::PkiError);
  CHECK_THROWS_AS(pki::Certificate::fromPem("not a certificate"), pki::PkiError);
}

TEST_CASE("pki: copies share the certificate and stay valid alone", "[pki]") {
  std::vector<pki::Certificate> copies;
  {
    pki::Certificate original = pki::Certificate::fromPem(kLeafPem);
    copies.push_back(original);
    pki::Certificate assigned = pki::Certificate::fromPem(kRootPem);
    assigned = original;
    copies.push_back(assigned);
    CHECK(assigned.get() == original.get());
  }
  CHECK(copies[0].subjectCommonName() == "example.test");
  CHECK(copies[1] == copies[0]);
}

TEST_CASE("pki: chainFromPem keeps order and refuses damage", "[pki]") {
  const std::string both = std::string(kLeafPem) + "\n" + kRootPem;
  std::vector<pki::Certificate> chain = pki::Certificate::chainFromPem(both);
  REQUIRE(chain.size() == 2);
  CHECK(chain[0].subjectCommonName() == "example.test");
  CHECK(chain[1].subjectCommonName() == "Example Root");

  CHECK(pki::Certificate::chainFromPem("").empty());
  CHECK(pki::Certificate::chainFromPem(" \n\t").empty());
  CHECK_THROWS_AS(pki::Certificate::chainFromPem("hello"), pki::PkiError);

  // Second block with its base64 damaged.
  std::string damaged = both;
  damaged.replace(damaged.rfind("MIIBhjCC"), 8, "!!!!!!!!");
  CHECK_THROWS_WITH(pki::Certificate::chainFromPem(damaged), Catch::Contains("#2"));

  // Non-certificate blocks (a key bundled in the same file) are skipped.
  const std::string withKey = pki::PrivateKey::generateEcP256().toPkcs8Pem() + kLeafPem + kRootPem;
  CHECK(pki::Certificate::chainFromPem(withKey).size() == 2);
}

TEST_CASE("pki: matchesKey tells the certificate's key from another", "[pki]") {
  pki::Certificate cert = pki::Certificate::fromPem(kLeafPem);
  CHECK_FALSE(cert.matchesKey(pki::PrivateKey::generateEcP256()));
  CHECK_FALSE(cert.matchesKey(pki::PrivateKey::generateEd25519()));
}
