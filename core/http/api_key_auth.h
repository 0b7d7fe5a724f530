#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certctl::http {

// API-key authentication for /api/v1/* (seed: SHA-256 hashed keys,
// constant-time comparison, several keys for rotation). Only SHA-256 digests
// are kept: a memory dump or a log of this object never yields a usable key.
class ApiKeyAuth {
 public:
  struct Key {
    std::string name;
    std::string role;  // admin | operator | agent | viewer
  };

  // A named key with a role, for configurations richer than a plain list.
  struct NamedKey {
    std::string name;
    std::string role;
    std::string plaintext;
  };

  // Each key gets name "key-<n>" (1-based position in the list) and role
  // "admin". Empty entries are skipped (they would match a missing token) but
  // still count for numbering, so names stay tied to the configured order.
  explicit ApiKeyAuth(const std::vector<std::string>& plaintextKeys);

  // Throws std::invalid_argument for an empty key or name, or an unknown role.
  static ApiKeyAuth fromNamedKeys(const std::vector<NamedKey>& keys);

  // `authorizationHeader` must be "Bearer <token>": scheme case-insensitive,
  // one or more spaces, a token without whitespace. Every configured digest
  // is compared in constant time whatever matches, so timing reveals neither
  // whether nor which key matched.
  std::optional<Key> authenticate(std::string_view authorizationHeader) const;

  static std::string sha256Hex(std::string_view data);

  std::size_t size() const { return entries_.size(); }

  // Hex digests of the configured keys, in order (the only key material held).
  std::vector<std::string> digestsHex() const;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Entry {
    Digest digest;
    Key key;
  };

  ApiKeyAuth() = default;
  void add(std::string_view plaintext, Key key);

  std::vector<Entry> entries_;
};

}  // namespace certctl::http
