#include "sdk/net/https_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <memory>

#include "sdk/deploy/tcp_socket.h"
#include "sdk/deploy/tls_probe.h"

namespace certctl::sdk::net {

namespace {

using Clock = std::chrono::steady_clock;

std::string tlsError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown TLS error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

int parsePort(const std::string& text, const std::string& url) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    throw HttpError("\"" + url + "\": malformed port");
  const int port = std::stoi(text);
  if (port < 1 || port > 65535) throw HttpError("\"" + url + "\": port out of range");
  return port;
}

}  // namespace

std::string Url::origin() const { return scheme + "://" + deploy::endpointString(host, port); }

Url parseUrl(const std::string& url) {
  Url u;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    u.scheme = "https";
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    u.scheme = "http";
    u.port = 80;
    rest = url.substr(7);
  } else {
    throw HttpError("\"" + url + "\" is not an http:// or https:// URL");
  }
  if (url.size() > 4096) throw HttpError("the URL is longer than 4096 characters");
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) throw HttpError("the URL has a blank or control character");
  if (url.find('#') != std::string::npos) throw HttpError("\"" + url + "\" has a fragment");
  const auto slash = rest.find_first_of("/?");
  const std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.target.front() == '?') u.target.insert(0, "/");
  if (authority.find('@') != std::string::npos)
    throw HttpError("\"" + url + "\" must not carry user info");
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) throw HttpError("\"" + url + "\": unterminated [IPv6] host");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') throw HttpError("\"" + url + "\": malformed host:port");
      u.port = parsePort(authority.substr(close + 2), url);
    }
  } else {
    const auto colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = parsePort(authority.substr(colon + 1), url);
  }
  if (u.host.empty()) throw HttpError("\"" + url + "\" has no host");
  for (unsigned char c : u.host)
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':'))
      throw HttpError("\"" + url + "\": \"" + u.host + "\" is not a host name or IP address");
  return u;
}

HttpsClient::HttpsClient(HttpsClientOptions options) : options_(std::move(options)) {
  tls_ = SSL_CTX_new(TLS_client_method());
  if (tls_ == nullptr) throw HttpError("TLS: " + tlsError());
  SSL_CTX_set_min_proto_version(tls_, TLS1_2_VERSION);
  SSL_CTX_set_verify(tls_, SSL_VERIFY_PEER, nullptr);
  const int loaded = options_.caBundle.empty()
                         ? SSL_CTX_set_default_verify_paths(tls_)
                         : SSL_CTX_load_verify_locations(tls_, options_.caBundle.c_str(), nullptr);
  if (loaded != 1) {
    const std::string why = tlsError();
    SSL_CTX_free(tls_);
    throw HttpError("cannot load the CA bundle " + options_.caBundle + ": " + why);
  }
}

HttpsClient::~HttpsClient() { SSL_CTX_free(tls_); }

HttpResponse HttpsClient::request(
    const std::string& method, const std::string& url, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  const Url u = parseUrl(url);
  if (u.scheme == "http") {
    deploy::HttpEndpoint endpoint;
    endpoint.host = u.host;
    endpoint.port = u.port;
    return deploy::httpRequest(endpoint, method, u.target, body, headers, options_.timeout);
  }
  std::string request = method + " " + u.target +
                        " HTTP/1.1\r\nHost: " + deploy::endpointString(u.host, u.port) +
                        "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  const auto deadline = Clock::now() + options_.timeout;
  deploy::TcpSocket socket;
  try {
    socket = deploy::connectTcp(u.host, u.port, deadline);
  } catch (const deploy::ConnectError& e) {
    throw deploy::HttpConnectError(method + " " + url + ": " + e.what());
  }
  socket.setIoDeadline(deadline);
  try {
    return deploy::parseHttpResponse(exchangeTls(socket.fd(), u, request));
  } catch (const HttpError& e) {
    throw HttpError(method + " " + url + ": " + e.what());
  }
}

std::string HttpsClient::exchangeTls(int fd, const Url& url, const std::string& request) const {
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(tls_), &SSL_free);
  if (!ssl) throw HttpError("TLS: " + tlsError());
  // The certificate must name the host we connect to (DNS name or IP).
  X509_VERIFY_PARAM* verify = SSL_get0_param(ssl.get());
  if (deploy::isIpLiteral(url.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(verify, url.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl.get(), url.host.c_str());
    SSL_set1_host(ssl.get(), url.host.c_str());
  }
  SSL_set_fd(ssl.get(), fd);
  if (SSL_connect(ssl.get()) != 1) {
    const long result = SSL_get_verify_result(ssl.get());
    const std::string why =
        result != X509_V_OK ? X509_verify_cert_error_string(result) : tlsError();
    throw HttpError("TLS handshake with " + url.origin() + " failed: " + why);
  }
  for (std::size_t sent = 0; sent < request.size();) {
    const int n =
        SSL_write(ssl.get(), request.data() + sent, static_cast<int>(request.size() - sent));
    if (n <= 0) throw HttpError("TLS send: " + tlsError());
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buffer[16384];
  for (;;) {
    const int n = SSL_read(ssl.get(), buffer, sizeof buffer);
    if (n > 0) {
      raw.append(buffer, static_cast<std::size_t>(n));
      if (raw.size() > deploy::kMaxHttpResponse + 65536)
        throw HttpError("the response is larger than " + std::to_string(deploy::kMaxHttpResponse) +
                        " bytes");
      continue;
    }
    const int error = SSL_get_error(ssl.get(), n);
    // A close with or without close_notify ends a "Connection: close"
    // response; the parser checks that it is complete.
    if (error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && errno == 0)) break;
    if (raw.empty() || error != SSL_ERROR_SYSCALL) throw HttpError("TLS receive: " + tlsError());
    break;
  }
  ERR_clear_error();
  SSL_shutdown(ssl.get());
  return raw;
}

}  // namespace certctl::sdk::net
