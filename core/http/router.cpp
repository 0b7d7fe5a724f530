#include "core/http/router.h"

namespace certctl::http {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : path) {
    if (c == '/') {
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(std::move(current));
  return parts;
}

void Router::add(std::string method, std::string pattern, Handler handler, bool requiresAuth) {
  Route route;
  route.method = std::move(method);
  route.segments = splitPath(pattern);
  for (const auto& s : route.segments)
    if (s.empty() || s.front() != '{') ++route.literalSegments;
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  route.requiresAuth = requiresAuth;
  routes_.push_back(std::move(route));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match best;
  int bestScore = -1;
  auto parts = splitPath(path);
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const auto& seg = route.segments[i];
      if (!seg.empty() && seg.front() == '{') {
        params[seg.substr(1, seg.size() - 2)] = parts[i];
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok) continue;
    if (route.method != method && !(method == "HEAD" && route.method == "GET")) {
      best.pathExists = true;
      best.allowedMethods.push_back(route.method);
      continue;
    }
    if (route.literalSegments > bestScore) {
      bestScore = route.literalSegments;
      best.route = &route;
      best.params = std::move(params);
    }
  }
  return best;
}

Response errorResponse(int status, const std::string& code, const std::string& message,
                       const std::string& requestId, const std::string& field) {
  nlohmann::json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  return Response::json(status, {{"error", error}, {"request_id", requestId}});
}

}  // namespace certctl::http
