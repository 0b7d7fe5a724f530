#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace certctl::lua {

struct HttpCall {
  std::string method = "GET";
  std::string url;  // http:// or https://
  std::map<std::string, std::string> headers;
  std::string body;
  std::chrono::milliseconds timeout{30'000};
  bool allowLoopback = false;
  std::size_t maxResponseBytes = std::size_t{4} << 20;
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One request with the SSRF guard: the host is resolved first, every address
// it resolves to is checked (refusalReason), and the connection goes to a
// checked address, so a second lookup cannot swap in another one. HTTPS
// verifies the certificate against the system CAs and the host name.
// Redirects are not followed. Throws std::runtime_error.
HttpReply guardedHttpRequest(const HttpCall& call);

}  // namespace certctl::lua
