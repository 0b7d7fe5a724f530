#include "core/http/cors_policy.h"

#include <algorithm>
#include <cctype>

namespace certctl::http {

namespace {

constexpr std::string_view kAllowedMethods = "GET, POST, PUT, DELETE, OPTIONS";
constexpr std::string_view kAllowedHeaders = "Authorization, Content-Type, X-Request-ID";
constexpr std::string_view kExposedHeaders = "X-Request-ID, Retry-After";
constexpr std::string_view kNullOrigin = "null";

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool isAllowedMethod(std::string_view method) {
  // Browsers upper-case the standard methods; anything else (e.g. "patch")
  // is case-sensitive and therefore not ours.
  static constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "DELETE", "OPTIONS"};
  return std::find(std::begin(kMethods), std::end(kMethods), method) != std::end(kMethods);
}

}  // namespace

std::optional<std::string> CorsPolicy::normalizeOrigin(std::string_view origin) {
  const auto sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  const std::string_view scheme = origin.substr(0, sep);
  if (!isAlpha(scheme.front())) return std::nullopt;
  for (char c : scheme) {
    if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') return std::nullopt;
  }
  std::string out;
  out.reserve(origin.size());
  for (char c : scheme) out.push_back(lower(c));
  out += "://";

  std::string_view rest = origin.substr(sep + 3);
  if (rest.empty()) return std::nullopt;
  std::string_view portText;
  if (rest.front() == '[') {  // IPv6 literal
    const auto close = rest.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    for (char c : rest.substr(1, close - 1)) {
      if (!isHex(c) && c != ':' && c != '.') return std::nullopt;
    }
    for (char c : rest.substr(0, close + 1)) out.push_back(lower(c));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      portText = rest.substr(1);
      if (portText.empty()) return std::nullopt;
    }
  } else {
    const auto colon = rest.find(':');
    const std::string_view host = rest.substr(0, colon);
    if (host.empty()) return std::nullopt;
    for (char c : host) {
      if (!isAlpha(c) && !isDigit(c) && c != '-' && c != '.' && c != '_') return std::nullopt;
    }
    for (char c : host) out.push_back(lower(c));
    if (colon != std::string_view::npos) {
      portText = rest.substr(colon + 1);
      if (portText.empty()) return std::nullopt;
    }
  }

  if (!portText.empty()) {
    if (portText.size() > 5) return std::nullopt;
    unsigned port = 0;
    for (char c : portText) {
      if (!isDigit(c)) return std::nullopt;
      port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port > 65535) return std::nullopt;
    const std::string_view normScheme = std::string_view(out).substr(0, scheme.size());
    const bool isDefault =
        (normScheme == "http" && port == 80) || (normScheme == "https" && port == 443);
    if (!isDefault) out += ":" + std::to_string(port);
  }
  return out;
}

CorsPolicy::CorsPolicy(std::vector<std::string> allowedOrigins, int maxAgeSeconds)
    : maxAge_(std::to_string(std::max(0, maxAgeSeconds))) {
  for (const auto& entry : allowedOrigins) {
    std::string_view value = trim(entry);
    if (value.empty()) continue;
    if (value == "*") {
      wildcard_ = true;
      continue;
    }
    if (value.size() > 1 && value.back() == '/') value.remove_suffix(1);
    if (auto normalized = normalizeOrigin(value)) {
      allowed_.insert(std::move(*normalized));
    } else {
      rejected_.push_back(entry);
    }
  }
}

bool CorsPolicy::isAllowed(std::string_view origin) const {
  if (origin.empty()) return false;
  // Sandboxed iframes and file:// pages send "null"; it names no one, so only
  // the wildcard admits it.
  if (origin == kNullOrigin) return wildcard_;
  const auto normalized = normalizeOrigin(origin);
  if (!normalized) return false;  // also keeps CR/LF out of the echoed header
  return wildcard_ || allowed_.count(*normalized) > 0;
}

CorsPolicy::Headers CorsPolicy::responseHeaders(std::string_view origin) const {
  if (!isAllowed(origin)) return {};
  // Echo the Origin exactly as sent: browsers compare it byte for byte.
  return {
      {"Access-Control-Allow-Origin", std::string(origin)},
      {"Vary", "Origin"},
      {"Access-Control-Expose-Headers", std::string(kExposedHeaders)},
  };
}

CorsPolicy::Preflight CorsPolicy::preflight(std::string_view origin,
                                            std::string_view requestMethod) const {
  if (!isAllowed(origin) || !isAllowedMethod(trim(requestMethod))) return {403, {}};
  return {204,
          {
              {"Access-Control-Allow-Origin", std::string(origin)},
              {"Access-Control-Allow-Methods", std::string(kAllowedMethods)},
              {"Access-Control-Allow-Headers", std::string(kAllowedHeaders)},
              {"Access-Control-Max-Age", maxAge_},
              {"Vary", "Origin"},
          }};
}

}  // namespace certctl::http
