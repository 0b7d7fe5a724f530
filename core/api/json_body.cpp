#include "core/api/json_body.h"

#include "core/domain/errors.h"

namespace certctl::api {

nlohmann::json parseJsonObject(const http::Request& request) {
  std::string type = request.header("content-type");
  if (!type.empty() && type.find("json") == std::string::npos)
    throw domain::badRequest("body", "Content-Type must be application/json");
  if (request.body.empty()) throw domain::badRequest("body", "request body is empty");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    throw domain::badRequest("body", std::string("malformed JSON: ") + e.what());
  }
  if (!doc.is_object()) throw domain::badRequest("body", "request body must be a JSON object");
  return doc;
}

nlohmann::json parseOptionalJsonObject(const http::Request& request) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos)
    return nlohmann::json::object();
  return parseJsonObject(request);
}

}  // namespace certctl::api
