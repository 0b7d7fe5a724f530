#include "core/http/client_ip.h"

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#endif

#include <algorithm>
#include <cstring>

namespace certctl::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool isPort(std::string_view s) {
  return !s.empty() && s.size() <= 5 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<std::string> canonicalIp(std::string_view address) {
  address = trim(address);
  std::string_view host;
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = address.substr(1, close - 1);
    const std::string_view after = address.substr(close + 1);
    if (!after.empty() && (after.front() != ':' || !isPort(after.substr(1)))) return std::nullopt;
  } else if (std::count(address.begin(), address.end(), ':') == 1) {  // IPv4:port
    const auto colon = address.find(':');
    if (!isPort(address.substr(colon + 1))) return std::nullopt;
    host = address.substr(0, colon);
  } else {  // bare IPv4 or IPv6
    host = address;
  }
  if (const auto zone = host.find('%'); zone != std::string_view::npos) {
    host = host.substr(0, zone);
  }
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return std::nullopt;

  char text[INET6_ADDRSTRLEN] = {};
  const std::string hostText(host);  // inet_pton needs a terminated string
  in_addr v4{};
  if (inet_pton(AF_INET, hostText.c_str(), &v4) == 1) {
    if (!inet_ntop(AF_INET, &v4, text, sizeof text)) return std::nullopt;
    return std::string(text);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, hostText.c_str(), &v6) != 1) return std::nullopt;
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(&v6, kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memcpy(&v4, reinterpret_cast<const unsigned char*>(&v6) + 12, 4);
    if (!inet_ntop(AF_INET, &v4, text, sizeof text)) return std::nullopt;
    return std::string(text);
  }
  if (!inet_ntop(AF_INET6, &v6, text, sizeof text)) return std::nullopt;
  return std::string(text);
}

std::string clientIp(std::string_view peerAddress, std::string_view xForwardedFor,
                     const std::vector<std::string>& trustedProxies) {
  auto peer = canonicalIp(peerAddress);
  // The socket layer always gives an IP; keep whatever it gave otherwise.
  std::string current = peer ? std::move(*peer) : std::string(trim(peerAddress));
  if (trustedProxies.empty() || trim(xForwardedFor).empty()) return current;

  std::vector<std::string> trusted;
  trusted.reserve(trustedProxies.size());
  for (const auto& proxy : trustedProxies) {
    if (auto ip = canonicalIp(proxy)) trusted.push_back(std::move(*ip));
  }
  const auto isTrusted = [&trusted](const std::string& ip) {
    return std::find(trusted.begin(), trusted.end(), ip) != trusted.end();
  };
  if (!isTrusted(current)) return current;

  // Walk right to left; `current` is always the nearest trusted address.
  std::string_view rest = xForwardedFor;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view hop =
        trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    if (hop.empty()) continue;
    auto ip = canonicalIp(hop);
    if (!ip) return current;
    if (!isTrusted(*ip)) return std::move(*ip);
    current = std::move(*ip);
  }
  return current;  // every hop trusted: the left-most one originated it
}

}  // namespace certctl::http
