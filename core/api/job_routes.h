#pragma once

#include "core/http/router.h"
#include "core/services/job_control.h"

namespace certctl::api {

// POST /api/v1/jobs/{id}/cancel (cancelJob), /approve (approveJob) and
// /reject (rejectJob): body {"reason": "..."}, optional except for reject.
void registerJobRoutes(http::Router& router, services::JobControl& jobs);

}  // namespace certctl::api
