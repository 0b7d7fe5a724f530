#include "core/protocols/est/est_audit.h"

#include <spdlog/spdlog.h>

#include "core/domain/timestamps.h"

namespace certctl::protocols::est {

void recordEstEvent(services::AuditLog* audit, const http::Request& request,
                    const std::string& action, const std::string& pathId, nlohmann::json details,
                    int status) {
  if (audit == nullptr) return;
  services::AuditEvent event;
  event.actor = request.actor;
  event.actorType = request.actor == "anonymous" ? "anonymous" : "est_client";
  event.action = action;
  event.resourceType = "est_profile";
  event.resourceId = pathId.empty() ? "(root)" : pathId;
  event.method = request.method;
  event.path = request.path;
  event.statusCode = status;
  event.requestId = request.requestId;
  event.timestamp = domain::nowRfc3339();
  details["path_id"] = pathId;
  details["source_ip"] = request.clientIp.empty() ? request.peerAddress : request.clientIp;
  event.details = std::move(details);
  try {
    // Queued, like the issuance's own certificate.issued event: the HTTP
    // pipeline writes its record of every EST POST durably before the
    // response, so waiting for a commit of this one too would only add a
    // round trip through the database writer to every enrollment.
    audit->record(std::move(event), false);
  } catch (const std::exception& e) {
    spdlog::error("EST audit write failed: {} (request_id={})", e.what(), request.requestId);
  }
}

}  // namespace certctl::protocols::est
