#include "sdk/deploy/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "sdk/deploy/config_fields.h"
#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/tcp_socket.h"
#include "sdk/deploy/tls_probe.h"

namespace certctl::sdk::deploy {

namespace {

using Clock = std::chrono::steady_clock;

// Request and response bodies may hold private keys: wiped when dropped.
struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

[[noreturn]] void invalid(const std::string& field, const std::string& why) {
  throw DeployError::invalidConfig(field, why);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void sendAll(const TcpSocket& socket, const std::string& data) {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::send(socket.fd(), p, left, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw HttpError(std::string("send failed: ") + std::strerror(errno));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

std::string receiveAll(const TcpSocket& socket) {
  std::string data;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::recv(socket.fd(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw HttpError(errno == EAGAIN || errno == EWOULDBLOCK
                          ? std::string("no complete response before the timeout")
                          : std::string("receive failed: ") + std::strerror(errno));
    if (n == 0) return data;
    data.append(buffer, static_cast<std::size_t>(n));
    if (data.size() > kMaxHttpResponse + 65536)
      throw HttpError("the response is larger than " + std::to_string(kMaxHttpResponse) + " bytes");
  }
}

// Header lines "Name: value" from `from` up to `to` (exclusive), into `out`.
void parseHeaderLines(const std::string& raw, std::size_t from, std::size_t to,
                      std::map<std::string, std::string>& out) {
  while (from < to) {
    std::size_t next = raw.find("\r\n", from);
    if (next == std::string::npos || next > to) next = to;
    std::string line = raw.substr(from, next - from);
    from = next + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    out[lower(line.substr(0, colon))] = value;
  }
}

// The body of a chunked response; trailer fields (Caddy sends its ETag as
// one) are added to `headers`.
std::string decodeChunked(const std::string& raw, std::map<std::string, std::string>& headers) {
  std::string body;
  std::size_t at = 0;
  for (;;) {
    auto eol = raw.find("\r\n", at);
    if (eol == std::string::npos) throw HttpError("truncated chunked body");
    std::size_t size = 0;
    try {
      size = std::stoul(raw.substr(at, eol - at), nullptr, 16);
    } catch (const std::exception&) {
      throw HttpError("malformed chunk size");
    }
    at = eol + 2;
    if (size == 0) {
      auto end = raw.find("\r\n\r\n", at - 2);
      parseHeaderLines(raw, at, end == std::string::npos ? raw.size() : end, headers);
      return body;
    }
    if (raw.size() < at + size + 2) throw HttpError("truncated chunked body");
    body.append(raw, at, size);
    at += size + 2;
  }
}

}  // namespace

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

HttpResponse parseHttpResponse(const std::string& raw) {
  auto headerEnd = raw.find("\r\n\r\n");
  if (headerEnd == std::string::npos)
    throw HttpError(raw.empty() ? "the server closed the connection without a response"
                                : "malformed response (no end of headers)");
  HttpResponse r;
  std::size_t at = raw.find("\r\n");
  const std::string statusLine = raw.substr(0, at);
  if (statusLine.rfind("HTTP/1.", 0) != 0 || statusLine.size() < 12)
    throw HttpError("malformed status line: " + statusLine.substr(0, 80));
  try {
    r.status = std::stoi(statusLine.substr(9, 3));
  } catch (const std::exception&) {
    throw HttpError("malformed status line: " + statusLine.substr(0, 80));
  }
  parseHeaderLines(raw, at + 2, headerEnd, r.headers);
  std::string rest = raw.substr(headerEnd + 4);
  Wipe wipeRest{rest};
  if (lower(r.header("transfer-encoding")).find("chunked") != std::string::npos) {
    r.body = decodeChunked(rest, r.headers);
  } else if (auto length = r.header("content-length"); !length.empty()) {
    std::size_t n = 0;
    try {
      n = std::stoul(length);
    } catch (const std::exception&) {
      throw HttpError("malformed Content-Length: " + length);
    }
    if (rest.size() < n) throw HttpError("truncated body");
    r.body = rest.substr(0, n);
  } else {
    r.body = std::move(rest);
  }
  return r;
}

std::string HttpEndpoint::hostHeader() const { return endpointString(host, port); }

std::string HttpEndpoint::url() const { return "http://" + hostHeader() + basePath; }

std::string HttpResponse::header(const std::string& lowercaseName) const {
  auto it = headers.find(lowercaseName);
  return it == headers.end() ? std::string() : it->second;
}

HttpEndpoint parseHttpEndpoint(const std::string& url, const std::string& field, bool allowRemote) {
  const std::string shown = "\"" + url + "\"";
  if (url.rfind("https://", 0) == 0)
    invalid(field, shown +
                       ": https is not supported (a remote admin endpoint needs client "
                       "certificates); use the local http endpoint");
  if (url.rfind("http://", 0) != 0) invalid(field, shown + " must start with http://");
  if (url.size() > 2048) invalid(field, "is longer than 2048 characters");
  std::string rest = url.substr(7);
  if (rest.find_first_of("?#") != std::string::npos)
    invalid(field, shown + " must not have a query or fragment");
  if (rest.find('@') != std::string::npos) invalid(field, shown + " must not carry user info");
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  HttpEndpoint e;
  if (slash != std::string::npos) e.basePath = rest.substr(slash);
  while (!e.basePath.empty() && e.basePath.back() == '/') e.basePath.pop_back();
  for (unsigned char c : e.basePath)
    if (c <= 0x20 || c >= 0x7f) invalid(field, shown + ": the path has a blank or control byte");
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) invalid(field, shown + ": unterminated [IPv6] host");
    e.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') invalid(field, shown + ": malformed host:port");
      port = authority.substr(close + 2);
    }
    if (!isIpLiteral(e.host)) invalid(field, shown + ": [" + e.host + "] is not an IPv6 address");
  } else {
    auto colon = authority.find(':');
    e.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (e.host.empty()) invalid(field, shown + " has no host");
  for (unsigned char c : e.host)
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':'))
      invalid(field, shown + ": \"" + e.host + "\" is not a host name or IP address");
  if (!port.empty()) {
    nlohmann::json holder = {{"port", port}};
    e.port = static_cast<int>(*integerField(holder, "port", 1, 65535, field + " port"));
  }
  e.loopback = isLoopbackHost(e.host);
  if (!e.loopback && !allowRemote)
    invalid(field, shown +
                       " is not a loopback address: the private key would cross the network "
                       "in clear text (set allow_remote_admin_api to accept that)");
  return e;
}

HttpResponse httpRequest(const HttpEndpoint& endpoint, const std::string& method,
                         const std::string& path, const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  TcpSocket socket;
  try {
    socket = connectTcp(endpoint.host, endpoint.port, deadline);
  } catch (const ConnectError& e) {
    throw HttpConnectError(method + " " + endpoint.url() + path + ": " + e.what());
  }
  socket.setIoDeadline(deadline);
  std::string request = method + " " + endpoint.basePath + path +
                        " HTTP/1.1\r\nHost: " + endpoint.hostHeader() + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  Wipe wipeRequest{request};  // the body may hold a private key
  try {
    sendAll(socket, request);
    std::string raw = receiveAll(socket);
    Wipe wipeRaw{raw};
    return parseHttpResponse(raw);
  } catch (const HttpError& e) {
    throw HttpError(method + " " + endpoint.url() + path + ": " + e.what());
  }
}

}  // namespace certctl::sdk::deploy
