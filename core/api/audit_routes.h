#pragma once

#include "core/http/router.h"
#include "core/services/audit_log.h"
#include "core/services/resource_repository.h"

namespace certctl::api {

// GET /api/v1/audit (filters actor, resource, resource_id, action, before,
// after), GET /api/v1/audit/{id}, GET /api/v1/audit/export?format=csv|json.
// Read-only: the trail is append-only down to the database.
// `log`: its queued events are written before a read, so the audit API
// shows everything recorded before the request.
void registerAuditRoutes(http::Router& router, services::ResourceRepository& repository,
                         services::AuditLog& log);

const domain::ResourceSpec& auditEventSpec();

}  // namespace certctl::api
