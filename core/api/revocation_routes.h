#pragma once

#include "core/http/router.h"
#include "core/services/crl_service.h"
#include "core/services/revocation_service.h"

namespace certctl::api {

// POST /api/v1/certificates/{id}/revoke, POST /api/v1/certificates/bulk-revoke,
// GET /api/v1/crl[?issuer_id=], GET /api/v1/admin/crl/cache.
void registerRevocationRoutes(http::Router& router, services::RevocationService& revocations,
                              services::CrlService& crls);

}  // namespace certctl::api
