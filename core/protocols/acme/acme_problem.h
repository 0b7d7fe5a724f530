#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

#include "core/http/http_types.h"

namespace certctl::protocols::acme {

// An RFC 8555 §6.7 problem: thrown anywhere in the ACME server and turned
// into an application/problem+json response at the edge. `type` is the part
// after "urn:ietf:params:acme:error:" ("badNonce", "malformed" ...).
class AcmeProblem : public std::runtime_error {
 public:
  AcmeProblem(std::string type, int status, const std::string& detail)
      : std::runtime_error(detail), type_(std::move(type)), status_(status) {}

  const std::string& type() const { return type_; }
  int status() const { return status_; }
  // Extra members of the document (badSignatureAlgorithm's "algorithms").
  nlohmann::json extra = nlohmann::json::object();
  // Extra response headers (Location of a key already in use, Retry-After).
  std::vector<std::pair<std::string, std::string>> headers;

 private:
  std::string type_;
  int status_;
};

// The common ones, with the HTTP status RFC 8555 and Boulder use.
AcmeProblem malformed(const std::string& detail);
AcmeProblem notFound(const std::string& detail);  // 404, type malformed
AcmeProblem unauthorized(const std::string& detail);
AcmeProblem badNonce(const std::string& detail);

http::Response problemResponse(const AcmeProblem& problem);

// A problem document for an error the HTTP pipeline answers itself under
// /acme/ (unknown path or method, body too large, rate limit, a failure):
// the pipeline's ErrorFormat for the ACME server.
http::Response pipelineProblem(int status, const std::string& detail);

}  // namespace certctl::protocols::acme
