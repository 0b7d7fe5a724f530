#include "sdk/pki/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <memory>

#include "sdk/pki/openssl_error.h"
#include "sdk/pki/openssl_ptr.h"

namespace certctl::sdk::pki {

namespace {

using EncodeCtxPtr = std::unique_ptr<EVP_ENCODE_CTX, OpenSslDeleter<EVP_ENCODE_CTX_free>>;

// EVP_EncodeBlock takes an int length: encode in chunks of whole 3-byte
// groups so arbitrarily large inputs (a 1M-entry CRL) stay in range.
constexpr std::size_t kEncodeChunk = 3u << 20;

// The 6-bit value of each base64 character; 0x80 for anything else.
constexpr std::array<std::uint8_t, 256> kDecode = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(0x80);
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::uint8_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
  return t;
}();

// One unbroken line of padded base64 (what plugins put in JSON: a 1M-entry
// CRL is 65 MB of it) decoded by table, about three times as fast as
// EVP_DecodeUpdate. False, with `out` unspecified, for anything else
// (wrapped lines, blanks, bad characters): EVP then decides.
bool decodeUnwrapped(std::string_view text, std::string& out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  std::size_t pad = 0;
  if (text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t quads = text.size() / 4;
  out.resize(quads * 3);
  auto* w = reinterpret_cast<unsigned char*>(out.data());
  unsigned bad = 0;  // any 0x80 from the table: checked once, not per character
  for (std::size_t q = 0; q + 1 < quads; ++q, in += 4, w += 3) {
    const unsigned a = kDecode[in[0]], b = kDecode[in[1]], c = kDecode[in[2]], d = kDecode[in[3]];
    bad |= a | b | c | d;
    const unsigned v = (a << 18) | (b << 12) | (c << 6) | d;
    w[0] = static_cast<unsigned char>(v >> 16);
    w[1] = static_cast<unsigned char>(v >> 8);
    w[2] = static_cast<unsigned char>(v);
  }
  // The last quad, with its padding.
  const unsigned a = kDecode[in[0]], b = kDecode[in[1]];
  const unsigned c = pad >= 2 ? 0 : kDecode[in[2]], d = pad >= 1 ? 0 : kDecode[in[3]];
  bad |= a | b | c | d;
  if ((bad & 0x80) != 0) return false;
  const unsigned v = (a << 18) | (b << 12) | (c << 6) | d;
  w[0] = static_cast<unsigned char>(v >> 16);
  w[1] = static_cast<unsigned char>(v >> 8);
  w[2] = static_cast<unsigned char>(v);
  out.resize(quads * 3 - pad);
  return true;
}

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out;
  out.resize((bytes.size() + 2) / 3 * 4);
  std::size_t written = 0;
  for (std::size_t pos = 0; pos < bytes.size(); pos += kEncodeChunk) {
    const std::size_t n = std::min(kEncodeChunk, bytes.size() - pos);
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + written),
                                    reinterpret_cast<const unsigned char*>(bytes.data() + pos),
                                    static_cast<int>(n));
    if (len < 0) throw PkiError("base64 encoding failed");
    written += static_cast<std::size_t>(len);
  }
  out.resize(written);
  return out;
}

std::string base64Decode(std::string_view text, std::string_view what) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) {
    throw PkiError(std::string(what) + " base64 too large");
  }
  std::string fast;
  if (decodeUnwrapped(text, fast)) return fast;
  EncodeCtxPtr ctx(EVP_ENCODE_CTX_new());
  if (!ctx) throw PkiError("EVP_ENCODE_CTX_new");
  EVP_DecodeInit(ctx.get());
  // Decoded data is never longer than its base64 text.
  std::string out(text.size() + 3, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  int tail = 0;
  // EVP_Decode* skip CR, LF and blanks, so wrapped bodies decode as is.
  if (EVP_DecodeUpdate(ctx.get(), dst, &len, reinterpret_cast<const unsigned char*>(text.data()),
                       static_cast<int>(text.size())) < 0 ||
      EVP_DecodeFinal(ctx.get(), dst + len, &tail) != 1) {
    throw PkiError(std::string(what) + " is not valid base64");
  }
  out.resize(static_cast<std::size_t>(len + tail));
  return out;
}

std::string base64UrlEncode(std::string_view bytes) {
  std::string out = base64Encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string base64UrlDecode(std::string_view text, std::string_view what) {
  std::string standard(text);
  for (auto& c : standard) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (c == '+' || c == '/' || c == '=' || kDecode[static_cast<unsigned char>(c)] == 0x80) {
      throw PkiError(std::string(what) + " is not valid base64url");
    }
  }
  if (standard.size() % 4 == 1) throw PkiError(std::string(what) + " is not valid base64url");
  standard.append((4 - standard.size() % 4) % 4, '=');
  return standard.empty() ? std::string() : base64Decode(standard, what);
}

}  // namespace certctl::sdk::pki
