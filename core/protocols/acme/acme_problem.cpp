#include "core/protocols/acme/acme_problem.h"

namespace certctl::protocols::acme {

AcmeProblem malformed(const std::string& detail) { return {"malformed", 400, detail}; }
AcmeProblem notFound(const std::string& detail) { return {"malformed", 404, detail}; }
AcmeProblem unauthorized(const std::string& detail) { return {"unauthorized", 403, detail}; }
AcmeProblem badNonce(const std::string& detail) { return {"badNonce", 400, detail}; }

http::Response problemResponse(const AcmeProblem& problem) {
  nlohmann::json body = problem.extra;
  body["type"] = "urn:ietf:params:acme:error:" + problem.type();
  body["detail"] = problem.what();
  body["status"] = problem.status();
  auto response = http::Response::json(problem.status(), body);
  response.contentType = "application/problem+json";
  for (const auto& [name, value] : problem.headers) response.setHeader(name, value);
  return response;
}

http::Response pipelineProblem(int status, const std::string& detail) {
  const char* type = status == 429   ? "rateLimited"
                     : status == 401 ? "unauthorized"
                     : status >= 500 ? "serverInternal"
                                     : "malformed";
  return problemResponse(AcmeProblem(type, status, detail));
}

}  // namespace certctl::protocols::acme
