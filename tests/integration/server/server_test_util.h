#pragma once

// Helpers shared by the [server] end-to-end tests: where the server binary
// is, a hand-started server for cases ServerProcess cannot express (a port
// that comes from a --config file, a restart on the same data dir, a
// user-supplied certificate), and small file/log utilities.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/server_process.h"

namespace certctl::testing::server {

// $CERTCTL_SERVER_BINARY, else <dir of this test binary>/../bin/certctl-server.
std::string serverBinary();

// Environment for a server run: the caller's variables, never any CERTCTL_*
// inherited from the test runner.
std::map<std::string, std::string> isolatedEnvironment(
    const std::map<std::string, std::string>& extra);

// certctl-server started by hand (SIGTERM on destruction). Output goes to `logFile`.
class SpawnedServer {
 public:
  SpawnedServer(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                std::filesystem::path logFile);
  ~SpawnedServer();
  SpawnedServer(const SpawnedServer&) = delete;
  SpawnedServer& operator=(const SpawnedServer&) = delete;

  // Polls GET /health over HTTPS (trusting caFile) or plain HTTP (caFile empty).
  // Returns false if the process exited or the deadline passed.
  bool waitHealthy(int port, const std::filesystem::path& caFile,
                   std::chrono::seconds timeout = std::chrono::seconds(60));
  int stop();  // SIGTERM and wait: the exit code, -1 if killed
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path logFile_;
};

// One request on a fresh connection. caFile empty = plain HTTP.
HttpResult requestOnce(int port, const std::filesystem::path& caFile, const std::string& method,
                       const std::string& path,
                       const std::map<std::string, std::string>& headers = {},
                       const std::string& body = {});

// Sends raw bytes over plain TCP to 127.0.0.1:port and returns whatever comes back
// before the peer closes or `timeout` passes.
std::string rawExchange(int port, const std::string& bytes,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

std::string readFile(const std::filesystem::path& path);
void writeFile(const std::filesystem::path& path, const std::string& text);
unsigned fileMode(const std::filesystem::path& path);  // permission bits, e.g. 0600
std::string sha256Hex(const std::string& data);

// Every line of a JSON-format log that parses as a JSON object.
std::vector<nlohmann::json> jsonLogLines(const std::string& log);

// Calls `probe` until it returns true or `timeout` passes; returns the last result.
bool eventually(const std::function<bool()>& probe,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

}  // namespace certctl::testing::server
