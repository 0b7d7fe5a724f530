#pragma once

#include "core/http/router.h"
#include "core/services/certificate_lifecycle.h"
#include "core/services/issuance.h"
#include "core/services/resource_service.h"

namespace certctl::api {

// POST /api/v1/certificates/{id}/renew, POST /api/v1/agents (registerAgent),
// POST /api/v1/agents/{id}/csr (agentSubmitCSR), and the read side of jobs:
// GET /api/v1/jobs (listJobs, filters type, status, certificate_id, agent_id,
// target_id) and GET /api/v1/jobs/{id} (getJob).
void registerLifecycleRoutes(http::Router& router, services::ResourceService& resources,
                             services::CertificateLifecycle& lifecycle,
                             services::IssuanceService& issuance);

}  // namespace certctl::api
