#include "agent/system_info.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace certctl::agent {

std::string goArchitecture(const std::string& machine) {
  if (machine == "x86_64" || machine == "amd64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine == "i386" || machine == "i686" || machine == "i586") return "386";
  if (machine.rfind("armv", 0) == 0) return "arm";
  if (machine == "ppc64le") return "ppc64le";
  if (machine == "s390x") return "s390x";
  if (machine == "riscv64") return "riscv64";
  return machine;
}

SystemInfo systemInfo() {
  SystemInfo info;
  utsname u{};
  if (uname(&u) == 0) {
    info.os = u.sysname;
    std::transform(info.os.begin(), info.os.end(), info.os.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    info.architecture = goArchitecture(u.machine);
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) info.hostname = host;

  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    std::string v6;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP)) continue;
      char text[INET6_ADDRSTRLEN] = {};
      if (a->ifa_addr->sa_family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        info.ipAddress = text;
        break;
      }
      if (a->ifa_addr->sa_family == AF_INET6 && v6.empty()) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(a->ifa_addr);
        if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr)) continue;
        inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        v6 = text;
      }
    }
    if (info.ipAddress.empty()) info.ipAddress = v6;
    freeifaddrs(list);
  }
  return info;
}

}  // namespace certctl::agent
