#pragma once

#include "core/http/router.h"
#include "core/services/certificate_export.h"

namespace certctl::api {

// GET /api/v1/certificates/{id}/export/pem (JSON) and
// POST /api/v1/certificates/{id}/export/pkcs12 (application/x-pkcs12).
void registerExportRoutes(http::Router& router, services::CertificateExport& exports);

}  // namespace certctl::api
