#pragma once

#include "core/http/router.h"
#include "core/protocols/ocsp_responder.h"

namespace certctl::protocols {

// RFC 6960 over HTTP (appendix A.1), unauthenticated:
//   POST /.well-known/pki/ocsp/{issuer_id}            body: DER OCSPRequest
//   GET  /.well-known/pki/ocsp/{issuer_id}/{serial}   hex serial (ops/curl form)
//   GET  /.well-known/pki/ocsp/{issuer_id}/{base64}   URL-encoded base64 DER OCSPRequest
// Every answer is 200 application/ocsp-response (OCSP errors are OCSP
// responses too), except a POST body over the size limit (413, pipeline).
void registerOcspRoutes(http::Router& router, OcspResponder& responder);

}  // namespace certctl::protocols
