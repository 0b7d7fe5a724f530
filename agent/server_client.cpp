#include "agent/server_client.h"

#include <Poco/URI.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "sdk/deploy/http_client.h"
#include "sdk/deploy/tcp_socket.h"

namespace certctl::agent {

namespace {

using Clock = std::chrono::steady_clock;

// Largest response read (a certificate with its chain, a work list).
constexpr std::size_t kMaxResponseBytes = 16 * 1024 * 1024;

std::string opensslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown TLS error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool isIpLiteral(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

void appendChecked(std::string& out, const char* data, std::size_t n) {
  if (out.size() + n > kMaxResponseBytes) throw TransportError("the response is too large");
  out.append(data, n);
}

}  // namespace

std::string ApiResponse::errorMessage() const {
  if (body.is_object() && body.contains("error") && body["error"].is_object() &&
      body["error"].contains("message") && body["error"]["message"].is_string())
    return body["error"]["message"].get<std::string>();
  return raw.size() > 500 ? raw.substr(0, 500) + "..." : raw;
}

ServerClient::ServerClient(ServerClientOptions options) : options_(std::move(options)) {
  Poco::URI uri(options_.baseUrl);
  scheme_ = uri.getScheme();
  host_ = uri.getHost();
  port_ = uri.getPort();
  prefix_ = uri.getPath();
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
}

ServerClient::~ServerClient() {
  if (session_) SSL_SESSION_free(session_);
  if (tls_) SSL_CTX_free(tls_);
}

ApiResponse ServerClient::call(const std::string& method, const std::string& path,
                               const nlohmann::json& body) {
  std::string payload = body.is_null() ? std::string() : body.dump();
  std::string hostHeader = (host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) +
                           ":" + std::to_string(port_);
  std::string request = method + " " + prefix_ + path + " HTTP/1.1\r\nHost: " + hostHeader +
                        "\r\nAuthorization: Bearer " + options_.apiKey +
                        "\r\nAccept: application/json\r\nUser-Agent: certctl-agent\r\n"
                        "Connection: close\r\n";
  if (!payload.empty() || method == "POST" || method == "PUT")
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(payload.size()) +
        "\r\n";
  request += "\r\n" + payload;
  std::string raw = exchange(request);
  OPENSSL_cleanse(request.data(), request.size());  // it carries the API key
  sdk::deploy::HttpResponse response;
  try {
    response = sdk::deploy::parseHttpResponse(raw);
  } catch (const sdk::deploy::HttpError& e) {
    throw TransportError(method + " " + path + ": " + e.what());
  }
  ApiResponse result;
  result.status = response.status;
  result.raw = std::move(response.body);
  result.body = nlohmann::json::parse(result.raw, nullptr, false);
  if (result.body.is_discarded()) result.body = nullptr;
  return result;
}

std::string ServerClient::exchange(const std::string& request) {
  const auto deadline = Clock::now() + options_.timeout;
  sdk::deploy::TcpSocket socket;
  try {
    socket = sdk::deploy::connectTcp(host_, port_, deadline);
  } catch (const sdk::deploy::ConnectError& e) {
    throw TransportError(e.what());
  }
  socket.setIoDeadline(deadline);
  if (scheme_ == "https") return exchangeTls(socket.fd(), request);
  for (std::size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(socket.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw TransportError(std::string("send: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::recv(socket.fd(), buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0) throw TransportError(std::string("receive: ") + std::strerror(errno));
    appendChecked(raw, buffer, static_cast<std::size_t>(n));
  }
  return raw;
}

std::string ServerClient::exchangeTls(int fd, const std::string& request) {
  if (!tls_) {
    tls_ = SSL_CTX_new(TLS_client_method());
    if (!tls_) throw TransportError("TLS: " + opensslError());
    SSL_CTX_set_min_proto_version(tls_, TLS1_2_VERSION);
    SSL_CTX_set_verify(tls_, SSL_VERIFY_PEER, nullptr);
    int loaded = options_.caBundle.empty()
                     ? SSL_CTX_set_default_verify_paths(tls_)
                     : SSL_CTX_load_verify_locations(tls_, options_.caBundle.c_str(), nullptr);
    if (loaded != 1) {
      std::string why = opensslError();
      SSL_CTX_free(tls_);
      tls_ = nullptr;
      throw TransportError("cannot load the CA bundle " + options_.caBundle + ": " + why);
    }
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(tls_), &SSL_free);
  if (!ssl) throw TransportError("TLS: " + opensslError());
  // The certificate must name the host we connect to (DNS name or IP).
  X509_VERIFY_PARAM* verify = SSL_get0_param(ssl.get());
  if (isIpLiteral(host_)) {
    X509_VERIFY_PARAM_set1_ip_asc(verify, host_.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl.get(), host_.c_str());
    SSL_set1_host(ssl.get(), host_.c_str());
  }
  SSL_set_fd(ssl.get(), fd);
  if (session_) SSL_set_session(ssl.get(), session_);
  if (SSL_connect(ssl.get()) != 1) {
    long result = SSL_get_verify_result(ssl.get());
    std::string why = result != X509_V_OK ? X509_verify_cert_error_string(result) : opensslError();
    throw TransportError("TLS handshake with " + host_ + ":" + std::to_string(port_) +
                         " failed: " + why);
  }
  for (std::size_t sent = 0; sent < request.size();) {
    int n = SSL_write(ssl.get(), request.data() + sent, static_cast<int>(request.size() - sent));
    if (n <= 0) throw TransportError("TLS send: " + opensslError());
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buffer[16384];
  for (;;) {
    int n = SSL_read(ssl.get(), buffer, sizeof buffer);
    if (n > 0) {
      appendChecked(raw, buffer, static_cast<std::size_t>(n));
      continue;
    }
    int error = SSL_get_error(ssl.get(), n);
    // The server closing the connection (with or without close_notify) ends
    // a "Connection: close" response; the parser checks it is complete.
    if (error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && errno == 0)) break;
    if (raw.empty() || error != SSL_ERROR_SYSCALL)
      throw TransportError("TLS receive: " + opensslError());
    break;
  }
  ERR_clear_error();
  if (SSL_SESSION* fresh = SSL_get1_session(ssl.get())) {
    if (session_) SSL_SESSION_free(session_);
    session_ = fresh;
  }
  SSL_shutdown(ssl.get());
  return raw;
}

}  // namespace certctl::agent
