#include "core/http/request_id.h"

#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <random>

namespace certctl::http {

namespace {

constexpr std::size_t kMaxRequestIdLength = 128;

std::array<unsigned char, 16> randomBytes() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // A request id needs uniqueness, not secrecy: never fail a request
    // because the DRBG is unavailable.
    thread_local std::mt19937_64 fallback{std::random_device{}()};
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      const auto v = fallback();
      for (std::size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<unsigned char>(v >> (8 * j));
    }
  }
  return bytes;
}

}  // namespace

std::string generateRequestId() {
  auto b = randomBytes();
  // RFC 9562 version 7: the first 48 bits are the Unix time in ms, so the
  // audit trail's request_id index grows at its end instead of taking a
  // random page per request.
  const auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count());
  for (std::size_t i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);  // version 7
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

bool isValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string requestIdFor(std::string_view incomingHeader) {
  if (isValidRequestId(incomingHeader)) return std::string(incomingHeader);
  return generateRequestId();
}

}  // namespace certctl::http
