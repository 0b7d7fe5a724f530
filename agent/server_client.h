#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

namespace Poco::Net {
class HTTPClientSession;
}

namespace certctl::agent {

// A request that got no HTTP answer (connection refused, TLS failure, timeout).
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ApiResponse {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
  std::string raw;
  bool ok() const { return status >= 200 && status < 300; }
  // The server's error message ({"error": {"message"}}), else the raw body.
  std::string errorMessage() const;
};

struct ServerClientOptions {
  std::string baseUrl;  // https://host:port[/prefix]
  std::string apiKey;
  std::string caBundle;  // "" = the system's CAs
  std::chrono::seconds timeout{30};
};

// The agent's connection to certctl-server: one keep-alive HTTPS session
// (Poco NetSSL, TLS 1.2 or newer, the server's certificate verified against
// the CA bundle and the URL's host name). Not thread-safe.
class ServerClient {
 public:
  explicit ServerClient(ServerClientOptions options);
  ~ServerClient();
  ServerClient(const ServerClient&) = delete;
  ServerClient& operator=(const ServerClient&) = delete;

  // `path` is under the base URL ("/api/v1/agents"). Throws TransportError.
  ApiResponse call(const std::string& method, const std::string& path,
                   const nlohmann::json& body = nullptr);

 private:
  ApiResponse attempt(const std::string& method, const std::string& path, const std::string& body);
  void connect();

  ServerClientOptions options_;
  std::string scheme_, host_, prefix_;
  unsigned short port_ = 0;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

}  // namespace certctl::agent
