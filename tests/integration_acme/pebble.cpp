#include "tests/integration_acme/pebble.h"

#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/support/process.h"

namespace certctl::testing::acme {

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

void writeFile(const fs::path& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

std::string loopback(int port) { return "127.0.0.1:" + std::to_string(port); }

std::string tailOf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > 1500 ? text.substr(text.size() - 1500) : text;
}

}  // namespace

Pebble::Pebble(fs::path dir, PebbleOptions options)
    : dir_(std::move(dir)),
      port_(freeLoopbackPort()),
      managementPort_(freeLoopbackPort()),
      httpPort_(freeLoopbackPort()),
      tlsPort_(freeLoopbackPort()),
      challtestsrv_(
          std::make_unique<ChallTestSrv>(dir_ / "challtestsrv", ChallTestSrv::Responders{})) {
  fs::create_directories(dir_);
  const auto key = pki::PrivateKey::generateEcP256();
  const auto cert = pki::CertificateBuilder()
                        .commonName("localhost")
                        .dnsName("localhost")
                        .ipAddress("127.0.0.1")
                        .serverAuth()
                        .validFor(std::chrono::hours(24))
                        .selfSign(key);
  writeFile(caBundle(), cert.toPem());
  writeFile(dir_ / "pebble-tls.key", key.toPkcs8Pem());
  http_ = std::make_unique<sdk::net::HttpsClient>(
      sdk::net::HttpsClientOptions{caBundle().string(), 10s});
  // The listening ports were free a moment ago; another test may take one
  // before Pebble binds it. Then Pebble exits, and a new set of ports is tried.
  for (int attempt = 1;; ++attempt) {
    start(options);
    if (waitUntilUp()) return;
    pebble_->stop();
    if (attempt == 3)
      throw std::runtime_error("pebble did not start; see " + dir_.string() + ": " +
                               tailOf(dir_ / "pebble.log"));
    port_ = freeLoopbackPort();
    managementPort_ = freeLoopbackPort();
  }
}

void Pebble::start(const PebbleOptions& options) {
  json config = {{"listenAddress", loopback(port_)},
                 {"managementListenAddress", loopback(managementPort_)},
                 {"certificate", caBundle().string()},
                 {"privateKey", (dir_ / "pebble-tls.key").string()},
                 {"httpPort", httpPort_},
                 {"tlsPort", tlsPort_},
                 {"ocspResponderURL", ""},
                 {"externalAccountBindingRequired", !options.eabKeys.empty()}};
  if (!options.eabKeys.empty()) config["externalAccountMACKeys"] = options.eabKeys;
  writeFile(dir_ / "pebble.json", json{{"pebble", config}}.dump(2));
  pebble_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"pebble", "-config", (dir_ / "pebble.json").string(), "-dnsserver",
                               loopback(challtestsrv_->dnsPort())},
      dir_ / "pebble.log",
      std::map<std::string, std::string>{
          {"PEBBLE_VA_NOSLEEP", "1"},
          {"PEBBLE_WFE_NONCEREJECT", std::to_string(options.nonceRejectPercent)},
          {"PEBBLE_AUTHZREUSE", "0"},
          {"PEBBLE_VA_ALWAYS_VALID", options.alwaysValid ? "1" : "0"}});
}

bool Pebble::waitUntilUp() const {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline && pebble_->running()) {
    try {
      if (http_->request("GET", directoryUrl()).status == 200) return true;
    } catch (const sdk::net::HttpError&) {
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

std::string Pebble::directoryUrl() const { return "https://" + loopback(port_) + "/dir"; }

std::string Pebble::challtestsrvUrl() const { return challtestsrv_->managementUrl(); }

json Pebble::certStatus(const std::string& serialHex) const {
  const auto r = http_->request(
      "GET", "https://" + loopback(managementPort_) + "/cert-status-by-serial/" + serialHex);
  if (r.status != 200) return nullptr;
  return json::parse(r.body, nullptr, false);
}

std::string Pebble::rootPem() const {
  return http_->request("GET", "https://" + loopback(managementPort_) + "/roots/0").body;
}

void Pebble::setTxt(const std::string& fqdn, const std::string& value) const {
  challtestsrv_->setTxt(fqdn, value);
}

void Pebble::clearTxt(const std::string& fqdn) const { challtestsrv_->clearTxt(fqdn); }

}  // namespace certctl::testing::acme
