#include "core/services/instance_id.h"

#include <unistd.h>

#include "core/services/resource_service.h"

namespace certctl::services {

std::string makeInstanceId() {
  char host[256] = {};
  std::string name = gethostname(host, sizeof host - 1) == 0 ? host : "localhost";
  return "certctl-server/" + name.substr(0, 64) + "/" + std::to_string(::getpid()) + "/" +
         generateId("", "").substr(0, 8);
}

}  // namespace certctl::services
