#pragma once

#include <sys/types.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/test_database.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace certctl::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct ServerProcessOptions {
  std::map<std::string, std::string> env;  // extra CERTCTL_* settings
  std::vector<std::string> args;           // extra command-line arguments
  bool tls = true;                         // false: --insecure-http
  bool ownDatabase = true;  // a fresh database of the run's dialect (sqlite/postgres)
  // The data dir of an earlier ServerProcess to restart on ("" = a new temp dir).
  std::filesystem::path dataDir;
};

// The real certctl-server binary on a random loopback port, with its own
// data dir, stopped (SIGTERM) when the object goes away.
class ServerProcess {
 public:
  explicit ServerProcess(ServerProcessOptions options = {});
  ~ServerProcess();

  int port() const { return port_; }
  const std::filesystem::path& dataDir() const {
    return options_.dataDir.empty() ? dataDir_.path() : options_.dataDir;
  }
  std::filesystem::path caFile() const { return dataDir() / "tls" / "ca.crt"; }
  std::string baseUrl() const;
  std::string apiKey() const;  // from CERTCTL_AUTH_SECRET or <data>/api-key
  std::string databaseUrl() const { return databaseUrl_; }

  // One keep-alive connection per ServerProcess; `key`: "" = the server's key, "-" = none.
  HttpResult request(const std::string& method, const std::string& path,
                     const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {},
                     const std::string& key = {});
  HttpResult get(const std::string& path) { return request("GET", path); }
  HttpResult post(const std::string& path, const nlohmann::json& body) {
    return request("POST", path, body.dump());
  }
  HttpResult put(const std::string& path, const nlohmann::json& body) {
    return request("PUT", path, body.dump());
  }
  HttpResult del(const std::string& path) { return request("DELETE", path); }

  // SIGTERM and wait; returns the exit code.
  int stop();
  // SIGKILL and wait: a crash, nothing is flushed or finished.
  void crash();
  std::string log() const;  // what the server printed so far
  pid_t pid() const { return pid_; }

 private:
  HttpResult doRequest(const std::string& method, const std::string& path, const std::string& body,
                       const std::map<std::string, std::string>& headers, const std::string& key);
  void waitUntilHealthy();

  TempDir dataDir_;
  std::unique_ptr<TestDatabase> database_;
  std::string databaseUrl_;
  ServerProcessOptions options_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

}  // namespace certctl::testing
