#include "core/http/api_key_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdint>
#include <stdexcept>

namespace certctl::http {

namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

std::string toHex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

bool isSpace(char c) { return c == ' ' || c == '\t'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The token of "Bearer <token>", or empty when the header is anything else.
std::string_view bearerToken(std::string_view header) {
  while (!header.empty() && isSpace(header.front())) header.remove_prefix(1);
  while (!header.empty() && isSpace(header.back())) header.remove_suffix(1);
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() || !iequals(header.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  std::string_view rest = header.substr(kScheme.size());
  if (rest.front() != ' ') return {};  // "Bearerabc" or "Bearer\tabc"
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  for (char c : rest) {
    // Visible ASCII only: whitespace or control bytes mean a malformed header.
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return {};
  }
  return rest;
}

bool isKnownRole(std::string_view role) {
  return role == "admin" || role == "operator" || role == "agent" || role == "viewer";
}

}  // namespace

ApiKeyAuth::ApiKeyAuth(const std::vector<std::string>& plaintextKeys) {
  entries_.reserve(plaintextKeys.size());
  for (std::size_t i = 0; i < plaintextKeys.size(); ++i) {
    if (plaintextKeys[i].empty()) continue;
    add(plaintextKeys[i], Key{"key-" + std::to_string(i + 1), "admin"});
  }
}

ApiKeyAuth ApiKeyAuth::fromNamedKeys(const std::vector<NamedKey>& keys) {
  ApiKeyAuth auth;
  auth.entries_.reserve(keys.size());
  for (const auto& k : keys) {
    if (k.name.empty()) throw std::invalid_argument("api key: empty name");
    if (k.plaintext.empty()) throw std::invalid_argument("api key '" + k.name + "': empty key");
    if (!isKnownRole(k.role)) {
      throw std::invalid_argument("api key '" + k.name + "': unknown role '" + k.role + "'");
    }
    auth.add(k.plaintext, Key{k.name, k.role});
  }
  return auth;
}

void ApiKeyAuth::add(std::string_view plaintext, Key key) {
  entries_.push_back(Entry{sha256(plaintext), std::move(key)});
}

std::optional<ApiKeyAuth::Key> ApiKeyAuth::authenticate(
    std::string_view authorizationHeader) const {
  const std::string_view token = bearerToken(authorizationHeader);
  if (token.empty()) return std::nullopt;

  // Comparing digests (not the token) makes the work independent of the
  // token's length relative to the keys; every entry is visited and the
  // match is selected with masks, never with an early exit.
  Digest presented = sha256(token);
  std::size_t matchIndex = 0;
  std::size_t found = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const auto diff = static_cast<std::uint32_t>(
        CRYPTO_memcmp(presented.data(), entries_[i].digest.data(), presented.size()));
    // CRYPTO_memcmp returns 0..255: fold non-zero to 1 without a branch.
    const std::size_t equal = ((diff | (0u - diff)) >> 31) ^ 1u;
    // The first match wins (a key configured twice keeps its first name).
    const std::size_t mask = 0 - (equal & (found ^ 1u));
    matchIndex = (matchIndex & ~mask) | (i & mask);
    found |= equal;
  }
  OPENSSL_cleanse(presented.data(), presented.size());
  if (!found) return std::nullopt;
  return entries_[matchIndex].key;
}

std::string ApiKeyAuth::sha256Hex(std::string_view data) { return toHex(sha256(data)); }

std::vector<std::string> ApiKeyAuth::digestsHex() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(toHex(e.digest));
  return out;
}

}  // namespace certctl::http
