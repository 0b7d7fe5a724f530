#include "tests/integration_acme/named_server.h"

#include <openssl/rand.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "sdk/pki/base64.h"
#include "tests/support/process.h"

namespace certctl::testing::dns {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string randomBase64(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return sdk::pki::base64Encode(raw);
}

}  // namespace

NamedServer::NamedServer(fs::path dir, std::string zone)
    : dir_(std::move(dir)),
      zone_(std::move(zone)),
      keySecret_(randomBase64(32)),
      port_(freeLoopbackPort()) {
  fs::create_directories(dir_);
  const auto zoneFile = dir_ / (zone_ + "zone");
  std::ofstream(zoneFile) << "$TTL 60\n"
                          << "@ IN SOA ns." << zone_ << " admin." << zone_ << " 1 60 60 600 60\n"
                          << "@ IN NS ns." << zone_ << "\n"
                          << "ns IN A 127.0.0.1\n";
  std::ofstream(dir_ / "named.conf")
      << "options {\n  directory \"" << dir_.string() << "\";\n  pid-file \""
      << (dir_ / "named.pid").string() << "\";\n  listen-on port " << port_
      << " { 127.0.0.1; };\n  listen-on-v6 { none; };\n  recursion no;\n"
      << "  dnssec-validation no;\n};\n"
      << "controls { };\n"
      << "key \"" << keyName_ << "\" { algorithm hmac-sha256; secret \"" << keySecret_ << "\"; };\n"
      << "zone \"" << zone_ << "\" { type primary; file \"" << zoneFile.string()
      << "\"; allow-update { key \"" << keyName_ << "\"; }; };\n";
  named_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"named", "-g", "-c", (dir_ / "named.conf").string(), "-p",
                               std::to_string(port_)},
      dir_ / "named.log");
  waitUntilUp();
}

void NamedServer::waitUntilUp() const {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = runProcess({"dig", "+short", "+time=1", "+tries=1", "@127.0.0.1", "-p",
                         std::to_string(port_), "SOA", zone_},
                        {}, 5s);
    if (r.exitCode == 0 && r.output.find("admin.") != std::string::npos) return;
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("named did not start; see " + (dir_ / "named.log").string());
}

std::vector<std::string> digTxt(int port, const std::string& name) {
  auto r = runProcess({"dig", "+short", "+time=2", "+tries=1", "@127.0.0.1", "-p",
                       std::to_string(port), "TXT", name});
  if (r.exitCode != 0) throw std::runtime_error("dig failed: " + r.output);
  std::vector<std::string> values;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);)
    if (line.size() >= 2 && line.front() == '"' && line.back() == '"')
      values.push_back(line.substr(1, line.size() - 2));
  return values;
}

}  // namespace certctl::testing::dns
