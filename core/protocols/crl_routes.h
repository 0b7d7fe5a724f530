#pragma once

#include "core/http/router.h"
#include "core/services/crl_service.h"

namespace certctl::protocols {

// GET /.well-known/pki/crl/{issuer_id}: the issuer's current CRL, DER,
// application/pkix-crl, unauthenticated (RFC 5280 section 5, RFC 8615).
// 404 JSON for an unknown issuer or one that publishes no CRL.
void registerCrlRoutes(http::Router& router, services::CrlService& crls);

}  // namespace certctl::protocols
