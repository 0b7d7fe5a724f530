#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/ocsp_cert_id.h"
#include "sdk/pki/ocsp_request.h"
#include "sdk/pki/ocsp_response_builder.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

namespace pki = certctl::sdk::pki;
namespace fs = std::filesystem;
using certctl::testing::ProcessResult;
using certctl::testing::runProcess;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;
using Status = pki::OcspCertStatus;

namespace {

void writeFile(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(out.good());
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Serials without leading zeros, the form OcspCertId uses. (Certificate::
// serialHex() prints whole octets today, "0A…" for a first octet below 0x10.)
std::string canonicalSerial(const pki::Certificate& cert) {
  const std::string hex = cert.serialHex();
  const auto first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A CA made by our builder, a delegated responder certificate made by the
// openssl CLI (an independent encoder, with OCSPSigning and ocspNoCheck) and
// three leaves, all written to `dir` for the CLI.
struct Pki {
  explicit Pki(const fs::path& dir)
      : dir(dir),
        caKey(pki::PrivateKey::generateEcP256()),
        ca(pki::CertificateBuilder()
               .commonName("OCSP Test CA")
               .validFor(24h)
               .ca(true)
               .selfSign(caKey)),
        responderKey(pki::PrivateKey::generateEcP256()),
        responder(makeResponder()),
        leafKey(pki::PrivateKey::generateEcP256()) {
    for (const char* name : {"good", "revoked", "unknown"}) {
      pki::CertificateBuilder builder;
      // A first octet below 0x10 for one of them: serial forms must agree.
      if (std::string(name) == "good") builder.serialHex("0123456789ABCDEF0123");
      pki::Certificate leaf = builder.commonName(std::string(name) + ".example.test")
                                  .validFor(1h)
                                  .serverAuth()
                                  .signWith(ca, caKey, leafKey);
      writeFile(dir / (std::string(name) + ".pem"), leaf.toPem());
      leaves.push_back(std::move(leaf));
    }
  }

  pki::Certificate makeResponder() {
    writeFile(dir / "ca.pem", ca.toPem());
    writeFile(dir / "ca.key", caKey.toPkcs8Pem());
    writeFile(dir / "responder.key", responderKey.toPkcs8Pem());
    writeFile(
        dir / "responder.ext",
        "extendedKeyUsage=OCSPSigning\nnoCheck=ignored\nkeyUsage=critical,digitalSignature\n");
    auto csr =
        runProcess({"openssl", "req", "-new", "-key", (dir / "responder.key").string(), "-subj",
                    "/CN=OCSP Responder", "-out", (dir / "responder.csr").string()});
    INFO(csr.output);
    REQUIRE(csr.exitCode == 0);
    auto cert =
        runProcess({"openssl", "x509", "-req", "-in", (dir / "responder.csr").string(), "-CA",
                    (dir / "ca.pem").string(), "-CAkey", (dir / "ca.key").string(), "-set_serial",
                    "0x5151", "-days", "1", "-extfile", (dir / "responder.ext").string(), "-out",
                    (dir / "responder.pem").string()});
    INFO(cert.output);
    REQUIRE(cert.exitCode == 0);
    return pki::Certificate::fromPem(readFile(dir / "responder.pem"));
  }

  std::string path(const std::string& file) const { return (dir / file).string(); }

  // `openssl ocsp -reqout` for the named leaves; extra options go first
  // (a digest option must precede -cert).
  std::string request(const std::vector<std::string>& names,
                      const std::vector<std::string>& options = {}) const {
    std::vector<std::string> argv = {"openssl", "ocsp"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {"-issuer", path("ca.pem")});
    for (const auto& n : names) argv.insert(argv.end(), {"-cert", path(n + ".pem")});
    argv.insert(argv.end(), {"-reqout", path("req.der")});
    auto r = runProcess(argv);
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
    return readFile(dir / "req.der");
  }

  // Verifies `response` against the request in req.der (signature chain to
  // the CA, responder authorisation and nonce) and prints it.
  ProcessResult checkAgainstRequest(const std::string& response) const {
    writeFile(dir / "resp.der", response);
    return runProcess({"openssl", "ocsp", "-reqin", path("req.der"), "-respin", path("resp.der"),
                       "-CAfile", path("ca.pem"), "-resp_text"});
  }

  // The client's status summary for the named leaves ("good.pem: good").
  ProcessResult checkStatus(const std::string& response, const std::vector<std::string>& names,
                            const std::vector<std::string>& trust) const {
    writeFile(dir / "resp.der", response);
    std::vector<std::string> argv = {"openssl", "ocsp",         "-respin",  path("resp.der"),
                                     "-issuer", path("ca.pem"), "-no_nonce"};
    argv.insert(argv.end(), trust.begin(), trust.end());
    for (const auto& n : names) argv.insert(argv.end(), {"-cert", path(n + ".pem")});
    return runProcess(argv);
  }

  fs::path dir;
  pki::PrivateKey caKey;
  pki::Certificate ca;
  pki::PrivateKey responderKey;
  pki::Certificate responder;
  pki::PrivateKey leafKey;
  std::vector<pki::Certificate> leaves;  // good, revoked, unknown
};

}  // namespace

TEST_CASE("pki: OCSP request from openssl ocsp parses", "[pki]") {
  certctl::testing::TempDir dir;
  Pki p(dir.path());

  pki::OcspRequest req = pki::OcspRequest::fromDer(p.request({"good", "revoked"}));
  REQUIRE(req.certIds().size() == 2);
  const pki::OcspCertId& id = req.certIds()[0];
  CHECK(id.hashAlgorithm == "SHA1");
  CHECK(id.issuerNameHash.size() == 20);
  CHECK(id.issuerKeyHash.size() == 20);
  CHECK(id.serialHex == canonicalSerial(p.leaves[0]));
  CHECK(req.certIds()[1].serialHex == canonicalSerial(p.leaves[1]));
  CHECK(id.isIssuedBy(p.ca));
  CHECK_FALSE(id.isIssuedBy(p.responder));
  CHECK(id == pki::OcspCertId::forSerial(p.ca, p.leaves[0].serialHex()));
  // openssl sends a 16-octet nonce wrapped in an OCTET STRING (RFC 8954).
  REQUIRE(req.nonce());
  CHECK(req.nonce()->size() == 18);
  CHECK(req.nonce()->substr(0, 2) == std::string("\x04\x10", 2));
  CHECK_FALSE(req.isSigned());

  pki::OcspRequest sha256 =
      pki::OcspRequest::fromDer(p.request({"unknown"}, {"-sha256", "-no_nonce"}));
  REQUIRE(sha256.certIds().size() == 1);
  CHECK(sha256.certIds()[0].hashAlgorithm == "SHA256");
  CHECK(sha256.certIds()[0].issuerKeyHash.size() == 32);
  CHECK(sha256.certIds()[0].isIssuedBy(p.ca));
  CHECK(sha256.certIds()[0] == pki::OcspCertId::forSerial(p.ca, p.leaves[2].serialHex(), "sha256"));
  CHECK_FALSE(sha256.nonce());
  CHECK(pki::OcspCertId::forSerial(p.ca, "000a0B").serialHex == "A0B");

  CHECK_THROWS_AS(pki::OcspRequest::fromDer(""), pki::PkiError);
  CHECK_THROWS_AS(pki::OcspRequest::fromDer("\x30\x03\x02\x01\x00"), pki::PkiError);
  std::string der = p.request({"good"});
  CHECK_THROWS_AS(pki::OcspRequest::fromDer(der + "x"), pki::PkiError);
  CHECK_THROWS_AS(pki::OcspRequest::fromDer(der.substr(0, der.size() - 1)), pki::PkiError);
}

TEST_CASE("pki: OCSP response answers good, revoked and unknown with the nonce", "[pki]") {
  certctl::testing::TempDir dir;
  Pki p(dir.path());
  pki::OcspRequest req = pki::OcspRequest::fromDer(p.request({"good", "revoked", "unknown"}));
  REQUIRE(req.certIds().size() == 3);

  const auto revokedAt = Clock::now() - 2h;
  pki::OcspResponseBuilder builder(p.ca, p.responder, p.responderKey);
  builder.validFor(24h)
      .nonce(*req.nonce())
      .add(req.certIds()[0], Status::good())
      .add(req.certIds()[1], Status::revoked(revokedAt, pki::RevocationReason::keyCompromise))
      .add(req.certIds()[2], Status::unknown());
  const std::string response = builder.sign();

  auto text = p.checkAgainstRequest(response);
  INFO(text.output);
  CHECK(text.exitCode == 0);
  CHECK(contains(text.output, "Response verify OK"));
  CHECK_FALSE(contains(text.output, "WARNING: no nonce"));
  CHECK(contains(text.output, "OCSP Response Status: successful (0x0)"));
  CHECK(contains(text.output, "Responder Id: "));  // by key hash: a hex id, not a name
  CHECK_FALSE(contains(text.output, "Responder Id: CN"));
  CHECK(contains(text.output, "Cert Status: good"));
  CHECK(contains(text.output, "Cert Status: revoked"));
  CHECK(contains(text.output, "Revocation Reason: keyCompromise (0x1)"));
  CHECK(contains(text.output, "Cert Status: unknown"));
  CHECK(contains(text.output, "Next Update: "));
  CHECK(contains(text.output, "Subject: CN=OCSP Responder"));  // responder cert included

  auto status =
      p.checkStatus(response, {"good", "revoked", "unknown"}, {"-CAfile", p.path("ca.pem")});
  INFO(status.output);
  CHECK(status.exitCode == 0);
  CHECK(contains(status.output, "Response verify OK"));
  CHECK(contains(status.output, "good.pem: good"));
  CHECK(contains(status.output, "revoked.pem: revoked"));
  CHECK(contains(status.output, "Reason: keyCompromise"));
  CHECK(contains(status.output, "unknown.pem: unknown"));

  // Trusting the responder directly (-VAfile) accepts it as well.
  auto va = p.checkStatus(response, {"good"}, {"-VAfile", p.path("responder.pem")});
  INFO(va.output);
  CHECK(contains(va.output, "Response verify OK"));
  CHECK(contains(va.output, "good.pem: good"));

  // A response with another nonce is refused by the client.
  builder.clear()
      .nonce(std::string("\x04\x10", 2) + std::string(16, 'x'))
      .add(req.certIds()[0], Status::good());
  auto wrongNonce = p.checkAgainstRequest(builder.sign());
  INFO(wrongNonce.output);
  CHECK(wrongNonce.exitCode != 0);
  CHECK(contains(wrongNonce.output, "Nonce Verify error"));
}

TEST_CASE("pki: OCSP CertID with SHA-256 and the CA as its own responder", "[pki]") {
  certctl::testing::TempDir dir;
  Pki p(dir.path());
  pki::OcspRequest req = pki::OcspRequest::fromDer(p.request({"revoked"}, {"-sha256"}));
  pki::OcspResponseBuilder builder(p.ca, p.ca, p.caKey);
  const std::string response =
      builder.nonce(*req.nonce())
          .add(req.certIds()[0],
               Status::revoked(Clock::now() - 1h, pki::RevocationReason::unspecified))
          .sign();
  auto text = p.checkAgainstRequest(response);
  INFO(text.output);
  CHECK(text.exitCode == 0);
  CHECK(contains(text.output, "Response verify OK"));
  CHECK(contains(text.output, "Hash Algorithm: sha256"));
  CHECK(contains(text.output, "Cert Status: revoked"));
  CHECK_FALSE(contains(text.output, "Revocation Reason"));  // unspecified is left out
}

TEST_CASE("pki: pre-signed OCSP responses for one serial", "[pki]") {
  certctl::testing::TempDir dir;
  Pki p(dir.path());
  pki::OcspResponseBuilder builder(p.ca, p.responder, p.responderKey);
  builder.validFor(1h);

  const std::string good = builder.signSingle(p.leaves[0].serialHex(), Status::good());
  auto r = p.checkStatus(good, {"good"}, {"-CAfile", p.path("ca.pem")});
  INFO(r.output);
  CHECK(r.exitCode == 0);
  CHECK(contains(r.output, "Response verify OK"));
  CHECK(contains(r.output, "good.pem: good"));

  const std::string revoked =
      builder.signSingle(p.leaves[1].serialHex(),
                         Status::revoked(Clock::now() - 1h, pki::RevocationReason::superseded));
  r = p.checkStatus(revoked, {"revoked"}, {"-CAfile", p.path("ca.pem")});
  INFO(r.output);
  CHECK(contains(r.output, "revoked.pem: revoked"));
  CHECK(contains(r.output, "Reason: superseded"));

  // The cached bytes answer a real client request for that serial (the
  // client notes the missing nonce but accepts the status).
  p.request({"good"});
  r = p.checkAgainstRequest(good);
  INFO(r.output);
  CHECK(contains(r.output, "Response verify OK"));
  CHECK(contains(r.output, "WARNING: no nonce in response"));
  CHECK(contains(r.output, "Cert Status: good"));

  // The wrong serial is not taken for the requested one.
  r = p.checkStatus(builder.signSingle("1", Status::good()), {"good"},
                    {"-CAfile", p.path("ca.pem")});
  INFO(r.output);
  CHECK_FALSE(contains(r.output, "good.pem: good"));
  CHECK(contains(r.output, "No Status found"));

  // A SHA-256 CertID matches a -sha256 client.
  const std::string sha256 = builder.signSingle(p.leaves[0].serialHex(), Status::good(), "SHA256");
  p.request({"good"}, {"-sha256", "-no_nonce"});
  r = p.checkAgainstRequest(sha256);
  INFO(r.output);
  CHECK(r.exitCode == 0);
  CHECK(contains(r.output, "Hash Algorithm: sha256"));
  CHECK(contains(r.output, "Cert Status: good"));
}

TEST_CASE("pki: OCSP error responses", "[pki]") {
  certctl::testing::TempDir dir;
  const std::vector<std::pair<pki::OcspResponseStatus, std::string>> cases = {
      {pki::OcspResponseStatus::malformedRequest, "malformedrequest (1)"},
      {pki::OcspResponseStatus::internalError, "internalerror (2)"},
      {pki::OcspResponseStatus::tryLater, "trylater (3)"},
      {pki::OcspResponseStatus::sigRequired, "sigrequired (5)"},
      {pki::OcspResponseStatus::unauthorized, "unauthorized (6)"}};
  for (const auto& [status, text] : cases) {
    const std::string der = pki::OcspResponseBuilder::errorResponse(status);
    CHECK(der == std::string("\x30\x03\x0a\x01", 4) + static_cast<char>(static_cast<int>(status)));
    writeFile(dir.path() / "err.der", der);
    auto r =
        runProcess({"openssl", "ocsp", "-respin", (dir.path() / "err.der").string(), "-resp_text"});
    INFO(r.output);
    CHECK(r.exitCode != 0);
    CHECK(contains(r.output, "Responder Error: " + text));
  }
  CHECK_THROWS_AS(pki::OcspResponseBuilder::errorResponse(pki::OcspResponseStatus::successful),
                  pki::PkiError);
}

TEST_CASE("pki: OCSP responder set-up errors are refused", "[pki]") {
  certctl::testing::TempDir dir;
  Pki p(dir.path());
  CHECK_THROWS_WITH(pki::OcspResponseBuilder(p.ca, p.responder, p.caKey),
                    Catch::Contains("does not match"));
  // A leaf without OCSPSigning may not answer for its CA.
  CHECK_THROWS_WITH(pki::OcspResponseBuilder(p.ca, p.leaves[0], p.leafKey),
                    Catch::Contains("OCSPSigning"));
  // A responder from another CA may not either.
  pki::PrivateKey otherKey = pki::PrivateKey::generateEcP256();
  pki::Certificate other =
      pki::CertificateBuilder().commonName("Other CA").validFor(1h).ca(true).selfSign(otherKey);
  CHECK_THROWS_WITH(pki::OcspResponseBuilder(other, p.responder, p.responderKey),
                    Catch::Contains("not issued by"));

  pki::OcspResponseBuilder builder(p.ca, p.responder, p.responderKey);
  CHECK_THROWS_WITH(builder.sign(), Catch::Contains("without any certificate status"));
  CHECK_THROWS_AS(builder.signSingle("XYZ", Status::good()), pki::PkiError);
  CHECK_THROWS_AS(builder.signSingle("01", Status::good(), "no-such-digest"), pki::PkiError);
  builder.thisUpdate(Clock::now()).nextUpdate(Clock::now() - 1h);
  CHECK_THROWS_WITH(builder.signSingle("01", Status::good()), Catch::Contains("nextUpdate"));

  // A response signed by a responder the client cannot chain to its CA.
  pki::OcspResponseBuilder otherCa(other, other, otherKey);
  auto r = p.checkStatus(otherCa.signSingle(p.leaves[0].serialHex(), Status::good()), {"good"},
                         {"-CAfile", p.path("ca.pem")});
  INFO(r.output);
  CHECK_FALSE(contains(r.output, "Response verify OK"));
  CHECK(contains(r.output, "Response Verify Failure"));
}
