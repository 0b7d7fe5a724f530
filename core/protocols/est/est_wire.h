#pragma once

#include <string>
#include <vector>

#include "core/http/http_types.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/csr.h"

namespace certctl::protocols::est {

// The wire format of RFC 7030 with the client quirks of docs/est.md
// appendix B.

// The CSR of a simpleenroll / simplereenroll / serverkeygen body: base64 DER
// (any line breaks, LF or CRLF, trailing whitespace), PEM (a body starting
// with "-----BEGIN", whatever the Content-Type says: Cisco IOS sends
// application/x-pem-file) or raw DER (Content-Transfer-Encoding: binary, or
// a body that is not text). Throws domain::ApiError(BadRequest).
sdk::pki::Csr parseCsrBody(const http::Request& request);

// base64 of `der` in 64-character lines (RFC 7030 4.1.3: line-oriented
// decoders such as `openssl base64 -d` read it, as do those that ignore breaks).
std::string base64Lines(const std::string& der);

// 200 application/pkcs7-mime; smime-type=certs-only, base64 (RFC 7030 4.1.3, 4.2.3).
http::Response certsOnlyResponse(const std::vector<sdk::pki::Certificate>& certificates);

// A text/plain refusal an EST client can show (they do not parse JSON).
http::Response estError(int status, const std::string& message);

}  // namespace certctl::protocols::est
