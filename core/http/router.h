#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/http/http_types.h"

namespace certctl::http {

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/certificates/{id}/versions"
  Handler handler;
  bool requiresAuth = true;
  std::vector<std::string> segments;  // pattern split on '/'
  int literalSegments = 0;
};

// Method + path-pattern routing with {name} captures. A literal segment
// beats a capture, so /agents/retired wins over /agents/{id}.
class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, bool requiresAuth = true);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    bool pathExists = false;  // some route has this path with another method (405)
    std::vector<std::string> allowedMethods;
  };
  Match match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

std::vector<std::string> splitPath(const std::string& path);

}  // namespace certctl::http
