#include "tests/integration_acme/challtestsrv.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/process.h"

namespace certctl::testing::acme {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string loopback(int port) { return port ? "127.0.0.1:" + std::to_string(port) : ""; }

}  // namespace

ChallTestSrv::ChallTestSrv(fs::path dir, Responders responders)
    : dir_(std::move(dir)),
      managementPort_(freeLoopbackPort()),
      dnsPort_(freeLoopbackPort()),
      http_(sdk::net::HttpsClientOptions{"", 10s}) {
  if (responders.http01) http01Port_ = freeLoopbackPort();
  if (responders.tlsAlpn01) tlsAlpn01Port_ = freeLoopbackPort();
  fs::create_directories(dir_);
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"pebble-challtestsrv", "-management", loopback(managementPort_),
                               "-dns01", loopback(dnsPort_), "-http01", loopback(http01Port_),
                               "-https01", "", "-tlsalpn01", loopback(tlsAlpn01Port_),
                               "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""},
      dir_ / "challtestsrv.log");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (http_.request("POST", managementUrl() + "/clear-txt", R"({"host":"up.test."})").status ==
          200)
        return;
    } catch (const sdk::net::HttpError&) {
    }
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("pebble-challtestsrv did not start; see " + dir_.string());
}

std::string ChallTestSrv::managementUrl() const { return "http://" + loopback(managementPort_); }

void ChallTestSrv::post(const std::string& path, const std::string& body) const {
  const auto r = http_.request("POST", managementUrl() + path, body);
  if (r.status != 200)
    throw std::runtime_error("challtestsrv " + path + ": HTTP " + std::to_string(r.status));
}

void ChallTestSrv::setTxt(const std::string& fqdn, const std::string& value) const {
  post("/set-txt", json{{"host", fqdn + "."}, {"value", value}}.dump());
}

void ChallTestSrv::clearTxt(const std::string& fqdn) const {
  post("/clear-txt", json{{"host", fqdn + "."}}.dump());
}

void ChallTestSrv::addHttp01(const std::string& token, const std::string& keyAuthorization) const {
  post("/add-http01", json{{"token", token}, {"content", keyAuthorization}}.dump());
}

void ChallTestSrv::addTlsAlpn01(const std::string& host,
                                const std::string& keyAuthorization) const {
  post("/add-tlsalpn01", json{{"host", host}, {"content", keyAuthorization}}.dump());
}

}  // namespace certctl::testing::acme
