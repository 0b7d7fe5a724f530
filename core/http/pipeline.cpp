#include "core/http/pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

#include "core/domain/errors.h"
#include "core/domain/timestamps.h"
#include "core/http/client_ip.h"
#include "core/http/request_id.h"

namespace certctl::http {

namespace {

int statusFor(domain::ErrorKind kind) {
  switch (kind) {
    case domain::ErrorKind::BadRequest:
      return 400;
    case domain::ErrorKind::Unauthorized:
      return 401;
    case domain::ErrorKind::Forbidden:
      return 403;
    case domain::ErrorKind::NotFound:
      return 404;
    case domain::ErrorKind::Conflict:
      return 409;
    case domain::ErrorKind::PayloadTooLarge:
      return 413;
    case domain::ErrorKind::Unavailable:
      return 503;
  }
  return 500;
}

bool isProbe(const std::string& path) { return path == "/health" || path == "/ready"; }

bool isApi(const std::string& path) { return path.rfind("/api/", 0) == 0; }

}  // namespace

Pipeline::Pipeline(const Router& router, PipelineOptions options)
    : router_(router), options_(std::move(options)) {}

Response Pipeline::handle(Request& request) {
  auto started = std::chrono::steady_clock::now();
  request.requestId = requestIdFor(request.header("x-request-id"));
  request.clientIp =
      clientIp(request.peerAddress, request.header("x-forwarded-for"), options_.trustedProxies);
  Response response;
  try {
    response = dispatch(request);
  } catch (const domain::ApiError& e) {
    response = error(request, statusFor(e.kind()), e.code(), e.what(), e.field());
  } catch (const std::exception& e) {
    // Recover: log the detail, tell the client only that it failed.
    spdlog::error("request {} {} failed: {} (request_id={})", request.method, request.path,
                  e.what(), request.requestId);
    response = error(request, 500, "internal_error", "internal server error");
  } catch (...) {
    response = error(request, 500, "internal_error", "internal server error");
  }
  response.setHeader("X-Request-ID", request.requestId);
  std::string origin = request.header("origin");
  if (!origin.empty())
    for (auto& [name, value] : options_.cors.responseHeaders(origin))
      response.setHeader(name, value);
  double latencyMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (isApi(request.path)) audit(request, response, latencyMs);
  accessLog(request, response, latencyMs);
  return response;
}

Response Pipeline::dispatch(Request& request) {
  std::string origin = request.header("origin");
  if (request.method == "OPTIONS" && !origin.empty() &&
      !request.header("access-control-request-method").empty()) {
    auto preflight =
        options_.cors.preflight(origin, request.header("access-control-request-method"));
    Response response;
    response.status = preflight.status;
    response.contentType.clear();
    response.headers = preflight.headers;
    return response;
  }

  if (options_.rateLimiter && !isProbe(request.path)) {
    auto decision = options_.rateLimiter->allow(request.clientIp);
    if (!decision.allowed) {
      auto response = error(request, 429, "rate_limited", "too many requests");
      response.setHeader("Retry-After", std::to_string(decision.retryAfter.count()));
      return response;
    }
  }

  if (request.malformedUri)
    return error(request, 400, "invalid_request", "malformed request URI", "uri");

  auto match = router_.match(request.method, request.path);
  if (!match.route) {
    // Authenticate before revealing which API paths exist.
    if (isApi(request.path) && request.path != "/api/v1/auth/info")
      if (auto refusal = authenticate(request)) return *refusal;
    if (match.pathExists) {
      std::string allow;
      for (const auto& m : match.allowedMethods) allow += (allow.empty() ? "" : ", ") + m;
      auto response = error(request, 405, "method_not_allowed",
                            "method " + request.method + " is not allowed here");
      response.setHeader("Allow", allow);
      return response;
    }
    return error(request, 404, "not_found", "no such endpoint: " + request.path);
  }
  request.pathParams = std::move(match.params);

  if (match.route->requiresAuth)
    if (auto refusal = authenticate(request)) return *refusal;

  if (request.bodyTooLarge)
    return error(request, 413, "payload_too_large",
                 "request body exceeds " + std::to_string(options_.maxBodyBytes) + " bytes",
                 "body");

  return match.route->handler(request);
}

Response Pipeline::error(const Request& request, int status, const std::string& code,
                         const std::string& message, const std::string& field) const {
  for (const auto& format : options_.errorFormats)
    if (request.path.rfind(format.pathPrefix, 0) == 0)
      return format.render(request, status, code, message);
  return errorResponse(status, code, message, request.requestId, field);
}

std::optional<Response> Pipeline::authenticate(Request& request) const {
  if (!options_.auth) {
    request.actor = "anonymous";
    request.actorRole = "admin";  // CERTCTL_AUTH_TYPE=none
    return std::nullopt;
  }
  auto key = options_.auth->authenticate(request.header("authorization"));
  if (!key) {
    auto response =
        errorResponse(401, "unauthorized", "missing or invalid API key", request.requestId);
    response.setHeader("WWW-Authenticate", "Bearer");
    return response;
  }
  request.actor = key->name;
  request.actorRole = key->role;
  return std::nullopt;
}

void Pipeline::audit(const Request& request, const Response& response, double latencyMs) {
  if (!options_.audit) return;
  services::AuditEvent event;
  event.actor = request.actor;
  event.actorType = request.actor == "anonymous" ? "anonymous" : "api_key";
  event.action = "api.request";
  auto parts = splitPath(request.path);
  if (parts.size() >= 3) event.resourceType = parts[2];
  if (parts.size() >= 4) event.resourceId = parts[3];
  event.method = request.method;
  event.path = request.path;
  event.statusCode = response.status;
  event.latencyMs = latencyMs;
  event.bodyHash = request.body.empty() ? "" : ApiKeyAuth::sha256Hex(request.body).substr(0, 16);
  event.requestId = request.requestId;
  event.timestamp = domain::nowRfc3339();
  bool mutating =
      request.method != "GET" && request.method != "HEAD" && request.method != "OPTIONS";
  try {
    options_.audit->record(std::move(event), mutating && !request.auditInBackground);
  } catch (const std::exception& e) {
    spdlog::error("audit write failed: {} (request_id={})", e.what(), request.requestId);
  }
}

void Pipeline::accessLog(const Request& request, const Response& response, double latencyMs) {
  if (!spdlog::should_log(spdlog::level::info)) return;
  double ms = std::round(latencyMs * 1000) / 1000;
  if (!options_.jsonAccessLog) {
    spdlog::info("{} {} {} {}ms ip={} actor={} request_id={}", request.method, request.path,
                 response.status, ms, request.clientIp, request.actor, request.requestId);
    return;
  }
  // A JSON object message is merged into the JSON log line by our formatter.
  spdlog::info("{}", nlohmann::json{{"msg", "http_request"},
                                    {"method", request.method},
                                    {"path", request.path},
                                    {"status", response.status},
                                    {"latency_ms", ms},
                                    {"client_ip", request.clientIp},
                                    {"actor", request.actor},
                                    {"request_id", request.requestId}}
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace certctl::http
