// SCEP's mTLS sibling route /scep-mtls/<pathID> (docs/scep.md), driven by
// curl and openssl: the docs recipe with a client certificate of the
// profile's bundle, the refusals (no certificate, another CA), a complete
// PKCSReq enrollment behind the gate (the pkiMessage built here, the reply
// read by `openssl cms`), and the bundle reloaded on SIGHUP (a bad file
// keeps the old one).
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <memory>

#include "sdk/pki/openssl_ptr.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/integration/protocols/doc_recipes.h"
#include "tests/integration/protocols/est_test_util.h"
#include "tests/integration/server/server_test_util.h"

using namespace certctl::testing;
using namespace certctl::testing::est;
using certctl::testing::protocols::docRecipes;
using certctl::testing::protocols::runDocRecipe;

namespace {

using namespace std::chrono_literals;

std::vector<std::string> withCert(const fs::path& d, const std::string& name) {
  return {"--cert", (d / (name + ".crt")).string(), "--key", (d / (name + ".key")).string()};
}

// certctl-server started with `env` (and `args`) where it is expected to
// refuse the start: its exit status and output.
ProcessResult runServerExpectingExit(std::map<std::string, std::string> env,
                                     const std::vector<std::string>& args = {}) {
  TempDir data;
  env["CERTCTL_SERVER_HOST"] = "127.0.0.1";
  env["CERTCTL_SERVER_PORT"] = std::to_string(freeLoopbackPort());
  env["CERTCTL_DATA_DIR"] = (data.path() / "data").string();
  std::vector<std::string> argv = {server::serverBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = runProcess(argv, server::isolatedEnvironment(env), 20s);
  INFO(result.output);
  return result;
}

// The server settings of one SCEP profile "corp" with the mTLS route, its
// CA and RA made by the docs recipe in `d`, its client CA bundle `bundle`.
std::map<std::string, std::string> corpWithMtls(const fs::path& d, const fs::path& bundle) {
  return {{"CERTCTL_CA_CERT_PATH", (d / "ca.pem").string()},
          {"CERTCTL_CA_KEY_PATH", (d / "ca.key").string()},
          {"CERTCTL_SCEP_ENABLED", "true"},
          {"CERTCTL_SCEP_PROFILES", "corp"},
          {"CERTCTL_SCEP_PROFILE_CORP_ISSUER_ID", "iss-local"},
          {"CERTCTL_SCEP_PROFILE_CORP_CHALLENGE_PASSWORD", "corp-challenge-secret"},
          {"CERTCTL_SCEP_PROFILE_CORP_RA_CERT_PATH", (d / "ra.pem").string()},
          {"CERTCTL_SCEP_PROFILE_CORP_RA_KEY_PATH", (d / "ra.key").string()},
          {"CERTCTL_SCEP_PROFILE_CORP_MTLS_ENABLED", "true"},
          {"CERTCTL_SCEP_PROFILE_CORP_MTLS_CLIENT_CA_TRUST_BUNDLE_PATH", bundle.string()}};
}

// The NID of a SCEP attribute OID (RFC 8894 3.2.1), registered if needed.
int scepNid(const char* oid, const char* name) {
  int nid = OBJ_txt2nid(oid);
  return nid != NID_undef ? nid : OBJ_create(oid, name, name);
}

namespace pki = certctl::sdk::pki;
void freeX509Stack(STACK_OF(X509) * stack) { sk_X509_free(stack); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), pki::OpenSslDeleter<freeX509Stack>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, pki::OpenSslDeleter<PKCS7_free>>;

// An RFC 8894 PKCSReq pkiMessage as a SCEP client builds it (no client in
// Debian presents a TLS certificate, see docs/scep.md): the DER CSR
// enveloped to the RA certificate with AES-128-CBC, signed with the
// client's transient self-signed certificate and its key, with the
// messageType (19), transactionID and senderNonce attributes.
std::string pkcsReqMessage(const fs::path& d, const std::string& csrDer) {
  // A memory BIO over a copy of the file (BIO_new_mem_buf does not copy).
  auto pem = [&](const std::string& name) {
    pki::BioPtr bio(BIO_new(BIO_s_mem()));
    const std::string text = readFile(d / name);
    BIO_write(bio.get(), text.data(), static_cast<int>(text.size()));
    return bio;
  };
  pki::X509Ptr ra(PEM_read_bio_X509(pem("ra.pem").get(), nullptr, nullptr, nullptr));
  pki::X509Ptr transient(PEM_read_bio_X509(pem("transient.pem").get(), nullptr, nullptr, nullptr));
  pki::EvpPkeyPtr key(
      PEM_read_bio_PrivateKey(pem("scep-device.key").get(), nullptr, nullptr, nullptr));
  REQUIRE((ra && transient && key));

  X509StackPtr recipients(sk_X509_new_null());
  sk_X509_push(recipients.get(), ra.get());
  pki::BioPtr csr(BIO_new_mem_buf(csrDer.data(), static_cast<int>(csrDer.size())));
  Pkcs7Ptr envelope(PKCS7_encrypt(recipients.get(), csr.get(), EVP_aes_128_cbc(), PKCS7_BINARY));
  REQUIRE(envelope);
  unsigned char* envelopeDer = nullptr;
  const int envelopeLength = i2d_PKCS7(envelope.get(), &envelopeDer);
  REQUIRE(envelopeLength > 0);
  pki::BioPtr content(BIO_new_mem_buf(envelopeDer, envelopeLength));

  Pkcs7Ptr signedData(PKCS7_sign(nullptr, nullptr, nullptr, nullptr, PKCS7_PARTIAL | PKCS7_BINARY));
  PKCS7_SIGNER_INFO* si = PKCS7_sign_add_signer(signedData.get(), transient.get(), key.get(),
                                                EVP_sha256(), PKCS7_BINARY | PKCS7_NOSMIMECAP);
  REQUIRE(si);
  auto attribute = [&](const char* oid, const char* name, int type, const std::string& value) {
    ASN1_STRING* s = ASN1_STRING_type_new(type);
    ASN1_STRING_set(s, value.data(), static_cast<int>(value.size()));
    REQUIRE(PKCS7_add_signed_attribute(si, scepNid(oid, name), type, s) == 1);
  };
  std::string nonce(16, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), 16);
  attribute("2.16.840.1.113733.1.9.2", "scepMessageType", V_ASN1_PRINTABLESTRING, "19");
  attribute("2.16.840.1.113733.1.9.7", "scepTransactionID", V_ASN1_PRINTABLESTRING,
            "mtls-enrollment-1");
  attribute("2.16.840.1.113733.1.9.5", "scepSenderNonce", V_ASN1_OCTET_STRING, nonce);
  REQUIRE(PKCS7_final(signedData.get(), content.get(), PKCS7_BINARY) == 1);
  OPENSSL_free(envelopeDer);
  unsigned char* der = nullptr;
  const int length = i2d_PKCS7(signedData.get(), &der);
  REQUIRE(length > 0);
  std::string message(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return message;
}

}  // namespace

TEST_CASE("SCEP mTLS: /scep-mtls/<pathID> serves only client certificates of its bundle",
          "[protocols][scep]") {
  TempDir dir;
  const fs::path d = dir.path();
  runDocRecipe(docRecipes("scep.md"), "scep-ca-and-ra", d, {});
  makeCa(d, "devices", "/CN=Device CA", true);
  makeCa(d, "other", "/CN=Other CA", true);
  makeClientCert(d, "devices", "device", "/CN=device-1");
  makeClientCert(d, "other", "stranger", "/CN=stranger-1");
  fs::copy_file(d / "devices.crt", d / "corp-trust.pem");

  ServerProcessOptions options;
  options.env = corpWithMtls(d, d / "corp-trust.pem");
  ServerProcess server(options);
  const std::string caps = "/scep-mtls/corp?operation=GetCACaps";

  // The admin listing: the endpoints, the RA and the trust anchors, no password.
  auto listing = server.get("/api/v1/admin/scep/profiles");
  REQUIRE(listing.status == 200);
  CHECK(listing.body.find("corp-challenge-secret") == std::string::npos);
  const nlohmann::json endpoints = listing.json();
  REQUIRE(endpoints["total"] == 1);
  const nlohmann::json& corp = endpoints["data"][0];
  CHECK(corp["path_id"] == "corp");
  CHECK(corp["endpoint"] == "/scep/corp");
  CHECK(corp["mtls_enabled"] == true);
  CHECK(corp["mtls_endpoint"] == "/scep-mtls/corp");
  CHECK(corp["trust_anchors"][0]["subject"] == "CN=Device CA");
  CHECK(corp["ra_certificate"]["subject"] == "CN=Example SCEP RA");

  // The docs recipe, verbatim, with the device certificate.
  fs::copy_file(server.caFile(), d / "server-ca.pem");
  auto recipe = runDocRecipe(docRecipes("scep.md"), "scep-mtls", d,
                             {{"SCEP_MTLS_URL", server.baseUrl() + "/scep-mtls/corp"}});
  CHECK(recipe.output.find("SCEPStandard") != std::string::npos);
  CHECK(recipe.output.find("subject=CN = Example SCEP RA") != std::string::npos);
  CHECK(recipe.output.find("subject=CN = Example SCEP CA") != std::string::npos);

  // No certificate, or one of another CA: 403 before SCEP is looked at.
  auto none = curl(server, d, "GET", caps);
  CHECK(none.status == 403);
  CHECK(none.body.find("no client certificate") != std::string::npos);
  auto stranger = curl(server, d, "GET", caps, withCert(d, "stranger"));
  CHECK(stranger.status == 403);
  CHECK(server.log().find("SCEP /scep-mtls/corp from 127.0.0.1 refused") != std::string::npos);
  // The plain route stays open to devices without a certificate.
  CHECK(curl(server, d, "GET", "/scep/corp?operation=GetCACaps").status == 200);

  // Behind the gate the SCEP handler answers: a PKIOperation that is no
  // pkiMessage is its 400, not the gate's 403.
  std::ofstream(d / "junk.der") << "not a pkiMessage";
  const std::vector<std::string> post = {"-H", "Content-Type: application/x-pki-message",
                                         "--data-binary", "@" + (d / "junk.der").string()};
  auto withoutCert = curl(server, d, "POST", "/scep-mtls/corp?operation=PKIOperation", post);
  CHECK(withoutCert.status == 403);
  std::vector<std::string> postWithCert = withCert(d, "device");
  postWithCert.insert(postWithCert.end(), post.begin(), post.end());
  auto handled = curl(server, d, "POST", "/scep-mtls/corp?operation=PKIOperation", postWithCert);
  CHECK(handled.status == 400);
  CHECK(handled.body.rfind("SCEP: ", 0) == 0);
  CHECK(handled.body.find("client certificate") == std::string::npos);

  // A complete PKCSReq enrollment over the route: a CSR with the
  // challenge password, the reply decrypted with the transient key, the
  // certificate in the inventory.
  std::ofstream(d / "device-req.cnf")
      << "[req]\nprompt = no\ndistinguished_name = dn\nattributes = attrs\n"
         "[dn]\nCN = mtls-device.scep.example\n"
         "[attrs]\nchallengePassword = corp-challenge-secret\n";
  require({"openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
           (d / "scep-device.key").string(), "-config", (d / "device-req.cnf").string(), "-outform",
           "DER", "-out", (d / "scep-device.csr").string()});
  require({"openssl", "x509", "-req", "-inform", "DER", "-in", (d / "scep-device.csr").string(),
           "-signkey", (d / "scep-device.key").string(), "-days", "1", "-out",
           (d / "transient.pem").string()});
  std::ofstream(d / "pkcsreq.der", std::ios::binary)
      << pkcsReqMessage(d, readFile(d / "scep-device.csr"));
  std::vector<std::string> enroll = withCert(d, "device");
  enroll.insert(enroll.end(), {"-H", "Content-Type: application/x-pki-message", "--data-binary",
                               "@" + (d / "pkcsreq.der").string()});
  auto reply = curl(server, d, "POST", "/scep-mtls/corp?operation=PKIOperation", enroll);
  REQUIRE(reply.status == 200);
  std::ofstream(d / "reply.der", std::ios::binary) << reply.body;
  require({"openssl", "cms", "-verify", "-noverify", "-binary", "-inform", "DER", "-in",
           (d / "reply.der").string(), "-out", (d / "reply-envelope.der").string()});
  require({"openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in",
           (d / "reply-envelope.der").string(), "-recip", (d / "transient.pem").string(), "-inkey",
           (d / "scep-device.key").string(), "-out", (d / "issued.p7").string()});
  auto issued = runProcess({"openssl", "pkcs7", "-inform", "DER", "-in", (d / "issued.p7").string(),
                            "-print_certs", "-noout"});
  INFO(issued.output);
  CHECK(issued.output.find("CN = mtls-device.scep.example") != std::string::npos);
  auto list = server.get("/api/v1/certificates?per_page=100");
  REQUIRE(list.status == 200);
  const nlohmann::json page = list.json();
  int enrolled = 0;
  std::string enrolledId;
  for (const auto& c : page["data"])
    if (c["common_name"] == "mtls-device.scep.example" && c["source"] == "scep") {
      ++enrolled;
      enrolledId = c["id"].get<std::string>();
    }
  CHECK(enrolled == 1);

  // SIGHUP re-reads the bundle: now the other CA's certificates are in.
  fs::copy_file(d / "other.crt", d / "corp-trust.pem", fs::copy_options::overwrite_existing);
  REQUIRE(kill(server.pid(), SIGHUP) == 0);
  CHECK(lifecycle::eventually(
      [&] { return curl(server, d, "GET", caps, withCert(d, "stranger")).status == 200; }));
  CHECK(curl(server, d, "GET", caps, withCert(d, "device")).status == 403);
  auto reloaded = server.get("/api/v1/audit?action=scep_trust_anchor_reloaded");
  REQUIRE(reloaded.status == 200);
  const nlohmann::json reloads = reloaded.json()["data"];
  REQUIRE(reloads.size() == 1);
  CHECK(reloads[0]["resource_id"] == "/scep-mtls/corp");
  CHECK(reloads[0]["details"]["anchors"][0]["subject"] == "CN=Other CA");

  // A bundle that cannot be parsed keeps the one in use.
  std::ofstream(d / "corp-trust.pem", std::ios::trunc) << "not PEM\n";
  REQUIRE(kill(server.pid(), SIGHUP) == 0);
  CHECK(lifecycle::eventually(
      [&] { return server.log().find("not reloaded, the old one stays") != std::string::npos; }));
  CHECK(curl(server, d, "GET", caps, withCert(d, "stranger")).status == 200);
  auto failed = server.get("/api/v1/audit?action=scep_trust_anchor_reload_failed");
  REQUIRE(failed.status == 200);
  CHECK(failed.json()["data"].size() == 1);

  // With the issuer's own CA as the bundle, the certificate enrolled above
  // opens the route, until it is revoked (like EST's mTLS).
  require({"openssl", "pkcs7", "-inform", "DER", "-in", (d / "issued.p7").string(), "-print_certs",
           "-out", (d / "scep-device.crt").string()});
  fs::copy_file(d / "ca.pem", d / "corp-trust.pem", fs::copy_options::overwrite_existing);
  REQUIRE(kill(server.pid(), SIGHUP) == 0);
  REQUIRE(lifecycle::eventually(
      [&] { return curl(server, d, "GET", caps, withCert(d, "scep-device")).status == 200; }));
  REQUIRE_FALSE(enrolledId.empty());
  REQUIRE(server
              .post("/api/v1/certificates/" + enrolledId + "/revoke",
                    nlohmann::json{{"reason", "keyCompromise"}})
              .status == 200);
  auto revoked = curl(server, d, "GET", caps, withCert(d, "scep-device"));
  CHECK(revoked.status == 403);
  CHECK(revoked.body.find("revoked") != std::string::npos);
}

TEST_CASE("SCEP mTLS: an unusable trust bundle or plain HTTP refuses the start",
          "[protocols][scep]") {
  TempDir dir;
  const fs::path d = dir.path();
  runDocRecipe(docRecipes("scep.md"), "scep-ca-and-ra", d, {});
  std::ofstream(d / "broken.pem") << "not PEM\n";
  auto broken = runServerExpectingExit(corpWithMtls(d, d / "broken.pem"));
  CHECK(broken.exitCode != 0);
  CHECK(broken.output.find("trust bundle") != std::string::npos);
  auto missing = runServerExpectingExit(corpWithMtls(d, d / "missing.pem"));
  CHECK(missing.exitCode != 0);
  CHECK(missing.output.find("missing.pem") != std::string::npos);
  makeCa(d, "devices", "/CN=Device CA", true);
  auto plain = runServerExpectingExit(corpWithMtls(d, d / "devices.crt"), {"--insecure-http"});
  CHECK(plain.exitCode != 0);
  CHECK(plain.output.find("needs HTTPS") != std::string::npos);
}
