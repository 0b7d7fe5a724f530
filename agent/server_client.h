#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

struct ssl_ctx_st;
struct ssl_session_st;

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

// The agent's connection to certctl-server: HTTPS straight over OpenSSL
// (TLS 1.2 or newer, the server's certificate verified against the CA
// bundle and the URL's host name or IP address). One connection per request
// ("Connection: close"): an agent talks to the server a few times every
// poll interval, longer than any server keeps an idle connection, and the
// TLS session is resumed, so a reconnect costs an abbreviated handshake.
// Doing without Poco NetSSL keeps its libraries out of the idle agent's
// memory. Not thread-safe.
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
  std::string exchange(const std::string& request);
  std::string exchangeTls(int fd, const std::string& request);

  ServerClientOptions options_;
  std::string scheme_, host_, prefix_;
  unsigned short port_ = 0;
  ssl_ctx_st* tls_ = nullptr;          // made on the first https request
  ssl_session_st* session_ = nullptr;  // the last TLS session, for resumption
};

}  // namespace certctl::agent
