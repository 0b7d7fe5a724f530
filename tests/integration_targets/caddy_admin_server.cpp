#include "tests/integration_targets/caddy_admin_server.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/process.h"

namespace certctl::testing::targets {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

json site(int port, const std::string& tag) {
  return {{"listen", {"127.0.0.1:" + std::to_string(port)}},
          {"routes", {{{"handle", {{{"handler", "static_response"}, {"body", "ok"}}}}}}},
          {"tls_connection_policies", {{{"certificate_selection", {{"any_tag", {tag}}}}}}},
          {"automatic_https", {{"disable", true}}}};
}

}  // namespace

CaddyAdminServer::CaddyAdminServer(fs::path dir, const TestCa& ca, std::string tag)
    : dir_(std::move(dir)),
      tag_(std::move(tag)),
      port_(freeLoopbackPort()),
      otherPort_(freeLoopbackPort()),
      adminPort_(freeLoopbackPort()),
      boot_(ca.issue("caddy boot")),
      other_(ca.issue("caddy other")),
      chainPem_(ca.chainPem()) {
  fs::create_directories(dir_ / "home");
  fs::create_directories(dir_ / "logs");
}

CaddyAdminServer::~CaddyAdminServer() = default;

void CaddyAdminServer::start() {
  json config = {
      {"admin", {{"listen", "127.0.0.1:" + std::to_string(adminPort_)}}},
      {"storage", {{"module", "file_system"}, {"root", (dir_ / "storage").string()}}},
      {"apps",
       {{"http",
         {{"servers", {{"main", site(port_, tag_)}, {"other", site(otherPort_, "other")}}}}},
        {"tls",
         {{"certificates",
           {{"load_pem",
             {{{"certificate", boot_.cert.toPem() + chainPem_},
               {"key", boot_.key.toPkcs8Pem()},
               {"tags", {tag_}}},
              {{"certificate", other_.cert.toPem()},
               {"key", other_.key.toPkcs8Pem()},
               {"tags", {"other"}}}}}}}}}}}};
  const fs::path file = dir_ / "caddy.json";
  std::ofstream(file) << config.dump(2);
  const std::string home = (dir_ / "home").string();
  // --resume is not given: Caddy starts from this file, not from autosave.
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"caddy", "run", "--config", file.string()},
      dir_ / "logs" / "caddy.out",
      std::map<std::string, std::string>{{"HOME", home},
                                         {"XDG_CONFIG_HOME", home + "/config"},
                                         {"XDG_DATA_HOME", home + "/data"}});
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) throw std::runtime_error("caddy exited at start:\n" + log());
    if (servedSerial(main()) == boot_.serial() && servedSerial(other()) == other_.serial()) return;
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("caddy did not come up:\n" + log());
}

json CaddyAdminServer::config() const {
  auto r = runProcess({"curl", "-sS", "--fail", adminUrl() + "/config/"}, {}, 10s);
  if (r.exitCode != 0) throw std::runtime_error("curl " + adminUrl() + "/config/: " + r.output);
  return json::parse(r.output);
}

int CaddyAdminServer::changeRequests() const {
  std::istringstream in(log());
  std::string line;
  int n = 0;
  while (std::getline(in, line))
    if (line.find("\"msg\":\"received request\"") != std::string::npos &&
        (line.find("\"method\":\"PATCH\"") != std::string::npos ||
         line.find("\"method\":\"POST\"") != std::string::npos))
      ++n;
  return n;
}

std::string CaddyAdminServer::log() const { return readFile(dir_ / "logs" / "caddy.out"); }

}  // namespace certctl::testing::targets
