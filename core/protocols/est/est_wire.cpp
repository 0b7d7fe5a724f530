#include "core/protocols/est/est_wire.h"

#include <algorithm>
#include <cctype>

#include "core/domain/errors.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/pkcs7.h"

namespace certctl::protocols::est {

namespace {

namespace pki = sdk::pki;

constexpr std::size_t kMaxCsrBytes = 64 * 1024;
constexpr std::size_t kLineLength = 64;

bool isText(const std::string& body) {
  return std::all_of(body.begin(), body.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return std::isprint(u) || std::isspace(u);
  });
}

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

pki::Csr parseCsrBody(const http::Request& request) {
  const std::string& body = request.body;
  if (body.empty()) throw domain::badRequest("csr", "the body is empty: send a PKCS#10 request");
  if (body.size() > kMaxCsrBytes) throw domain::badRequest("csr", "the CSR is larger than 64 KiB");
  const std::string encoding = lowered(request.header("content-transfer-encoding"));
  try {
    if (body.find_first_not_of(" \t\r\n") != std::string::npos &&
        body.compare(body.find_first_not_of(" \t\r\n"), 10, "-----BEGIN") == 0)
      return pki::Csr::fromPem(body);
    if (encoding == "binary" || !isText(body)) return pki::Csr::fromDer(body);
    return pki::Csr::fromBase64Der(body);
  } catch (const std::exception& e) {
    throw domain::badRequest("csr", std::string("the body is not a base64 DER PKCS#10 certificate "
                                                "request: ") +
                                        e.what());
  }
}

std::string base64Lines(const std::string& der) {
  std::string encoded = pki::base64Encode(der);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / kLineLength + 1);
  for (std::size_t i = 0; i < encoded.size(); i += kLineLength)
    out += encoded.substr(i, kLineLength) + "\n";
  return out;
}

http::Response certsOnlyResponse(const std::vector<pki::Certificate>& certificates) {
  http::Response response;
  response.status = 200;
  response.contentType = "application/pkcs7-mime; smime-type=certs-only";
  response.setHeader("Content-Transfer-Encoding", "base64");
  response.body = base64Lines(pki::pkcs7CertsOnlyDer(certificates));
  return response;
}

http::Response estError(int status, const std::string& message) {
  http::Response response;
  response.status = status;
  response.contentType = "text/plain; charset=utf-8";
  response.body = message + "\n";
  return response;
}

}  // namespace certctl::protocols::est
