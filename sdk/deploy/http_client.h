#pragma once

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace certctl::sdk::deploy {

// The base URL of a server's local admin API (Caddy's http://127.0.0.1:2019):
// plain HTTP, no user info, query or fragment.
struct HttpEndpoint {
  std::string host;  // name or IP literal (without brackets)
  int port = 80;
  std::string basePath;   // "" or "/prefix" without a trailing '/'
  bool loopback = false;  // localhost, 127.0.0.0/8 or ::1

  std::string hostHeader() const;  // "host:port" ("[v6]:port")
  std::string url() const;         // for messages
};

// True for "localhost", 127.0.0.0/8 and ::1.
bool isLoopbackHost(const std::string& host);

// Parses `url` from the config field `field`. Only http: a remote admin
// endpoint over https needs client certificates, which this client does not
// have. A host that is not loopback is refused unless `allowRemote` (the
// request bodies carry private keys in clear text). Throws
// DeployError(InvalidConfig) naming `field`.
HttpEndpoint parseHttpEndpoint(const std::string& url, const std::string& field, bool allowRemote);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lowercase
  std::string body;

  bool ok() const { return status >= 200 && status < 300; }
  std::string header(const std::string& lowercaseName) const;
};

// Failure to get an answer (connect, send, receive, a malformed response).
class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Nothing was sent: the endpoint could not be reached.
class HttpConnectError : public HttpError {
 public:
  using HttpError::HttpError;
};

// Largest response body accepted (a server's whole config fits easily).
inline constexpr std::size_t kMaxHttpResponse = 16 * 1024 * 1024;

// Parses a whole HTTP/1.1 response as read until the peer closed the
// connection: status, headers, and a Content-Length, chunked or until-close
// body. Throws HttpError when it is malformed or truncated.
HttpResponse parseHttpResponse(const std::string& raw);

// One HTTP/1.1 request on a fresh connection ("Connection: close"); `path`
// starts with '/' and is appended to the endpoint's base path. Reads a
// Content-Length, chunked or until-close body. Throws HttpConnectError when
// it cannot connect, HttpError for any later failure.
HttpResponse httpRequest(const HttpEndpoint& endpoint, const std::string& method,
                         const std::string& path, const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::chrono::milliseconds timeout);

}  // namespace certctl::sdk::deploy
