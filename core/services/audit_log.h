#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace certctl::services {

// One row of the append-only audit trail.
struct AuditEvent {
  std::string actor = "anonymous";
  std::string actorType = "api_key";  // api_key | system | anonymous
  std::string action;                 // "api.request", "certificate.created", …
  std::string resourceType;
  std::string resourceId;
  std::string method;
  std::string path;
  int statusCode = 0;
  double latencyMs = 0;
  std::string bodyHash;  // first 16 hex chars of SHA-256 of the request body
  std::string requestId;
  std::string timestamp;  // RFC 3339; when the request was handled ("" = now)
  nlohmann::json details = nlohmann::json::object();
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // durable: written before returning (state changes); otherwise queued and
  // written in batches shortly after (reads), so auditing GETs stays cheap.
  virtual void record(AuditEvent event, bool durable) = 0;
  // Writes everything queued so far.
  virtual void flush() = 0;
};

}  // namespace certctl::services
