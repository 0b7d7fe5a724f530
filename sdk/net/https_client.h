#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "sdk/deploy/http_client.h"

struct ssl_ctx_st;

namespace certctl::sdk::net {

using deploy::HttpError;
using deploy::HttpResponse;
using deploy::isLoopbackHost;

// An absolute http(s) URL split for a request.
struct Url {
  std::string scheme;  // "https" or "http"
  std::string host;    // name or IP literal (without brackets)
  int port = 443;
  std::string target;  // path and query, "/" at least

  std::string origin() const;  // "https://host:port"
};

// Parses an absolute http:// or https:// URL without user info or fragment;
// throws HttpError saying what is wrong.
Url parseUrl(const std::string& url);

struct HttpsClientOptions {
  std::string caBundle;                      // PEM file of trusted roots; "" = the system's CAs
  std::chrono::milliseconds timeout{30000};  // per request, connect to last byte
};

// An HTTPS client straight over OpenSSL for plugins that talk to a remote
// API (ACME): TLS 1.2 or newer, the peer verified against the CA bundle and
// the URL's host name or IP address. Plain http:// is served too; whether
// to allow it is the caller's decision. One connection per request
// ("Connection: close"). Thread-safe: the TLS context is shared read-only.
class HttpsClient {
 public:
  // Throws HttpError when the CA bundle cannot be loaded.
  explicit HttpsClient(HttpsClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Throws HttpError (HttpConnectError when nothing was sent).
  HttpResponse request(const std::string& method, const std::string& url,
                       const std::string& body = {},
                       const std::vector<std::pair<std::string, std::string>>& headers = {}) const;

 private:
  std::string exchangeTls(int fd, const Url& url, const std::string& request) const;

  HttpsClientOptions options_;
  ssl_ctx_st* tls_ = nullptr;
};

}  // namespace certctl::sdk::net
