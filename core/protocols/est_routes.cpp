#include "core/protocols/est_routes.h"

#include <memory>

#include "core/domain/errors.h"
#include "core/protocols/est_basic_auth.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/pkcs7.h"

namespace certctl::protocols {

namespace {

namespace pki = sdk::pki;

constexpr std::size_t kMaxCsrBytes = 64 * 1024;
constexpr std::size_t kBase64LineLength = 64;

// RFC 7030 section 4.1.3 / 4.2.3: base64 of the DER, in lines of 64 so
// line-oriented decoders (openssl base64 -d) read it as well.
http::Response certsOnly(const std::vector<pki::Certificate>& certificates) {
  std::string encoded = pki::base64Encode(pki::pkcs7CertsOnlyDer(certificates));
  http::Response response;
  response.status = 200;
  response.contentType = "application/pkcs7-mime; smime-type=certs-only";
  response.setHeader("Content-Transfer-Encoding", "base64");
  for (std::size_t i = 0; i < encoded.size(); i += kBase64LineLength)
    response.body += encoded.substr(i, kBase64LineLength) + "\n";
  return response;
}

pki::Csr parseCsr(const std::string& body) {
  if (body.size() > kMaxCsrBytes) throw domain::badRequest("csr", "the CSR is larger than 64 KiB");
  try {
    return pki::Csr::fromBase64Der(body);
  } catch (const std::exception& e) {
    throw domain::badRequest(
        "csr",
        std::string("the body is not a base64 DER PKCS#10 certificate request: ") + e.what());
  }
}

}  // namespace

void registerEstRoutes(http::Router& router, services::IssuerRegistry& issuers,
                       services::IssuanceService& issuance, EstSettings settings) {
  router.add(
      "GET", "/.well-known/est/cacerts",
      [&issuers, issuerId = settings.issuerId](http::Request&) {
        std::string chainPem = issuers.caChainPem(issuerId);
        if (chainPem.empty())
          throw domain::notFound("issuer " + issuerId + " publishes no CA certificates");
        return certsOnly(pki::Certificate::chainFromPem(chainPem, pki::KeyDecoding::Deferred));
      },
      false);

  auto auth = std::make_shared<const EstBasicAuth>(settings.enrollmentPassword);
  router.add(
      "POST", "/.well-known/est/simpleenroll",
      [&issuance, auth, issuerId = settings.issuerId](http::Request& req) {
        if (!auth->allows(req.header("authorization"))) {
          http::Response response;
          response.status = 401;
          response.contentType = "text/plain";
          response.body = "EST enrollment requires HTTP Basic authentication\n";
          response.setHeader("WWW-Authenticate", "Basic realm=\"certctl EST\"");
          return response;
        }
        if (auth->required()) req.actor = "est-basic";
        pki::Csr csr = parseCsr(req.body);
        auto enrolled = issuance.enrollCsr(issuerId, csr, "est");
        return certsOnly({pki::Certificate::fromPem(enrolled.certPem, pki::KeyDecoding::Deferred)});
      },
      false);
}

}  // namespace certctl::protocols
