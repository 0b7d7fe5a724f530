#include "tests/bench/load_support.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "sdk/pki/csr_builder.h"
#include "sdk/pki/private_key.h"

namespace certctl::bench {

namespace pki = certctl::sdk::pki;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double processCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // the name may hold spaces
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double ownCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::vector<std::string> makeCsrs(int n) {
  std::vector<std::string> csrs(static_cast<std::size_t>(n));
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < std::max(2u, std::thread::hardware_concurrency()); ++t)
    workers.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        auto key = pki::PrivateKey::generateEcP256();
        std::string cn = "bench-" + std::to_string(i) + ".example.com";
        csrs[static_cast<std::size_t>(i)] =
            pki::CsrBuilder().commonName(cn).subjectAltName(cn).sign(key).toPem();
      }
    });
  for (auto& w : workers) w.join();
  return csrs;
}

void reportError(int status, const std::string& body) {
  static std::atomic<int> printed{0};
  if (printed++ < 5) std::fprintf(stderr, "error %d: %.300s\n", status, body.c_str());
}

}  // namespace certctl::bench
