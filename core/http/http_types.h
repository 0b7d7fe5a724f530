#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace certctl::http {

// Transport-neutral request/response: handlers and middleware work on these,
// so they are testable without sockets and the Poco adapter stays thin.
struct Request {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> query;  // decoded
  std::map<std::string, std::string> headers;     // lower-case names
  std::string body;
  bool bodyTooLarge = false;
  bool malformedUri = false;  // the target could not be parsed; answered with 400
  std::string peerAddress;
  std::string clientIp;
  // TLS facts of the connection (empty over plain HTTP): the client
  // certificate the peer presented (DER, not verified at TLS level: a
  // handler checks it against its own trust anchors), the negotiated
  // protocol ("TLSv1.3") and the RFC 9266 tls-exporter value (32 bytes,
  // TLS 1.3 only).
  std::string peerCertificateDer;
  std::string tlsVersion;
  std::string tlsExporter;
  std::string requestId;
  std::map<std::string, std::string> pathParams;
  std::string actor = "anonymous";
  std::string actorRole;
  // Set by a handler whose own effect is buffered (agent heartbeats), or
  // whose state change was committed together with its own audit record
  // (an issuance: certificate.issued): the request's audit row joins the
  // background batch instead of being committed before the response, so
  // it does not cost one more round through the database writer.
  bool auditInBackground = false;

  std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
  }
  const std::string* queryValue(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  }
  const std::string& param(const std::string& name) const { return pathParams.at(name); }
};

struct Response {
  int status = 200;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static Response json(int status, const nlohmann::json& value) {
    Response r;
    r.status = status;
    r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
  }
  static Response noContent() {
    Response r;
    r.status = 204;
    r.contentType.clear();
    return r;
  }
  void setHeader(std::string name, std::string value) {
    for (auto& h : headers)
      if (h.first == name) {
        h.second = std::move(value);
        return;
      }
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// The error envelope of DESIGN §5: {"error": {"code", "message"[, "field"]}, "request_id"}.
Response errorResponse(int status, const std::string& code, const std::string& message,
                       const std::string& requestId, const std::string& field = {});

}  // namespace certctl::http
