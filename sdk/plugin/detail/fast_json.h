#pragma once

// The JSON documents that cross the plugin ABI, read and written with their
// string members handled in bulk. A request or result can carry tens of MB
// in one string (the revoked_tsv of a 1M-entry CRL, its DER in base64), and
// nlohmann's lexer and serialiser take a branchy step per character: ~7 ns a
// byte, i.e. ~0.3 s to parse a 46 MB string and ~0.2 s to dump it. Here a
// top-level object's string members are scanned eight bytes at a time and
// copied in runs; every other member value (numbers, arrays, nested objects)
// is still parsed or dumped by nlohmann, so the result is exactly what
// nlohmann::json::parse(text, nullptr, false) and dump(-1, ' ', false,
// error_handler_t::replace) give. Used by the SDK for every document and by
// the host (core/plugins) for plugin results; not for direct use.

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sdk/plugin/visibility.h"

CERTCTL_SDK_BEGIN_HIDDEN

namespace certctl::sdk::detail {

namespace fast_json {

// True when none of the 8 bytes at `p` needs attention inside a JSON string:
// no '"', no '\\', no control character (< 0x20), no byte >= 0x80.
inline bool plainAscii8(const char* p) noexcept {
  std::uint64_t x;
  std::memcpy(&x, p, sizeof x);
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  auto hasZero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  const std::uint64_t control = (x - ones * 0x20) & ~x & highs;  // a byte < 0x20 (or >= 0x80)
  return ((x & highs) | control | hasZero(x ^ (ones * '"')) | hasZero(x ^ (ones * '\\'))) == 0;
}

inline bool plainAscii(unsigned char c) noexcept {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

// The length of the run of plain ASCII bytes at [p, end).
inline std::size_t plainRun(const char* p, const char* end) noexcept {
  const char* q = p;
  while (end - q >= 8 && plainAscii8(q)) q += 8;
  while (q < end && plainAscii(static_cast<unsigned char>(*q))) ++q;
  return static_cast<std::size_t>(q - p);
}

// The length of the well-formed UTF-8 sequence (RFC 3629) of a non-ASCII
// lead byte at p, or 0: what nlohmann accepts inside strings.
inline std::size_t utf8Sequence(const char* p, const char* end) noexcept {
  auto at = [&](std::size_t i) { return static_cast<unsigned char>(p[i]); };
  auto in = [&](std::size_t i, unsigned lo, unsigned hi) {
    return p + i < end && at(i) >= lo && at(i) <= hi;
  };
  const unsigned lead = at(0);
  if (lead >= 0xC2 && lead <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (lead == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (lead == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (lead == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (lead >= 0xF1 && lead <= 0xF3)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (lead == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

inline int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline char* writeUtf8(char* w, std::uint32_t cp) {
  if (cp < 0x80) {
    *w++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *w++ = static_cast<char>(0xC0 | (cp >> 6));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *w++ = static_cast<char>(0xE0 | (cp >> 12));
    *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *w++ = static_cast<char>(0xF0 | (cp >> 18));
    *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return w;
}

class Reader {
 public:
  explicit Reader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // The top-level object, or a discarded value when the text is not valid JSON.
  nlohmann::json object() {
    const auto discarded = nlohmann::json(nlohmann::json::value_t::discarded);
    nlohmann::json result = nlohmann::json::object();
    skipSpace();
    ++p_;  // '{', checked by the caller
    skipSpace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
    } else {
      for (;;) {
        skipSpace();
        std::string key;
        if (p_ == end_ || *p_ != '"' || !string(key)) return discarded;
        skipSpace();
        if (p_ == end_ || *p_ != ':') return discarded;
        ++p_;
        skipSpace();
        if (p_ == end_) return discarded;
        if (*p_ == '"') {
          std::string value;
          if (!string(value)) return discarded;
          result[key] = std::move(value);  // a repeated key: the last wins, as in nlohmann
        } else {
          const char* start = p_;
          skipValue();
          auto value = nlohmann::json::parse(start, p_, nullptr, false);
          if (value.is_discarded()) return discarded;
          result[key] = std::move(value);
        }
        skipSpace();
        if (p_ == end_) return discarded;
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ != '}') return discarded;
        ++p_;
        break;
      }
    }
    skipSpace();
    return p_ == end_ ? result : discarded;
  }

 private:
  void skipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  // To the ',' or '}' that ends a member value that is not a string; nlohmann
  // validates the range.
  void skipValue() {
    int depth = 0;
    while (p_ < end_) {
      const char c = *p_;
      if (c == '"') {
        ++p_;
        while (p_ < end_ && *p_ != '"') p_ += *p_ == '\\' && p_ + 1 < end_ ? 2 : 1;
        if (p_ < end_) ++p_;
        continue;
      }
      if (depth == 0 && (c == ',' || c == '}')) return;
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && depth > 0) --depth;
      ++p_;
    }
  }

  // The closing quote of the string whose opening quote is at p_, or end_.
  const char* closingQuote() const {
    const char* q = p_ + 1;
    for (;;) {
      q = static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(end_ - q)));
      if (q == nullptr) return end_;
      std::size_t backslashes = 0;
      for (const char* b = q - 1; b > p_ && *b == '\\'; --b) ++backslashes;
      if (backslashes % 2 == 0) return q;
      ++q;
    }
  }

  // A string literal at p_ (the opening quote), decoded into `out`. Decoded
  // straight into a buffer sized for the literal: a TSV has an escape every
  // dozen bytes, and an append per run would cost more than the scan.
  bool string(std::string& out) {
    out.resize(static_cast<std::size_t>(closingQuote() - p_));  // >= the decoded size
    char* w = out.data();
    ++p_;
    for (;;) {
      const std::size_t run = plainRun(p_, end_);
      std::memcpy(w, p_, run);
      w += run;
      p_ += run;
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        out.resize(static_cast<std::size_t>(w - out.data()));
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        const std::size_t n = utf8Sequence(p_, end_);
        if (n == 0) return false;
        std::memcpy(w, p_, n);
        w += n;
        p_ += n;
        continue;
      }
      if (!escape(w)) return false;  // c == '\\'
    }
  }

  // The escape at p_ (a backslash), decoded to w; never longer than the
  // escape itself (\uXXXX is at most 3 bytes of UTF-8, a surrogate pair 4).
  bool escape(char*& w) {
    if (end_ - p_ < 2) return false;
    const char e = p_[1];
    p_ += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        *w++ = e;
        return true;
      case 'b':
        *w++ = '\b';
        return true;
      case 'f':
        *w++ = '\f';
        return true;
      case 'n':
        *w++ = '\n';
        return true;
      case 'r':
        *w++ = '\r';
        return true;
      case 't':
        *w++ = '\t';
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    std::uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low = 0;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    w = writeUtf8(w, cp);
    return true;
  }

  bool hex4(std::uint32_t& cp) {
    if (end_ - p_ < 4) return false;
    for (int i = 0; i < 4; ++i) {
      const int v = hexValue(p_[i]);
      if (v < 0) return false;
      cp = (cp << 4) | static_cast<std::uint32_t>(v);
    }
    p_ += 4;
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace fast_json

// Appends `text` as a JSON string literal, quotes included, escaped as
// nlohmann escapes it. Returns false, leaving `out` unchanged, when `text`
// is not valid UTF-8 (the caller then lets nlohmann replace the bad bytes).
inline bool appendJsonString(std::string& out, std::string_view text) {
  const std::size_t before = out.size();
  out.reserve(before + text.size() + 2);
  out.push_back('"');
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const std::size_t run = fast_json::plainRun(p, end);
    out.append(p, run);
    p += run;
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      const std::size_t n = fast_json::utf8Sequence(p, end);
      if (n == 0) {
        out.resize(before);
        return false;
      }
      out.append(p, n);
      p += n;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        static constexpr char digits[] = "0123456789abcdef";
        const char u[] = {'\\', 'u', '0', '0', digits[c >> 4], digits[c & 0xF]};
        out.append(u, sizeof u);
      }
    }
    ++p;
  }
  out.push_back('"');
  return true;
}

// nlohmann::json::parse(text, nullptr, false): the document, or a discarded
// value when it is not valid JSON.
inline nlohmann::json parseJson(std::string_view text) {
  std::size_t first = 0;
  while (first < text.size() &&
         (text[first] == ' ' || text[first] == '\t' || text[first] == '\n' || text[first] == '\r'))
    ++first;
  if (first == text.size() || text[first] != '{')
    return nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  return fast_json::Reader(text).object();
}

// value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).
inline std::string dumpJson(const nlohmann::json& value) {
  constexpr auto replace = nlohmann::json::error_handler_t::replace;
  if (!value.is_object()) return value.dump(-1, ' ', false, replace);
  std::string out;
  out.push_back('{');
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!first) out.push_back(',');
    first = false;
    if (!appendJsonString(out, it.key()))
      out += nlohmann::json(it.key()).dump(-1, ' ', false, replace);
    out.push_back(':');
    const auto& member = it.value();
    if (!member.is_string() ||
        !appendJsonString(out, member.get_ref<const nlohmann::json::string_t&>()))
      out += member.dump(-1, ' ', false, replace);
  }
  out.push_back('}');
  return out;
}

// dumpJson(value), handed to `write(const char*, std::size_t) -> bool` in
// pieces: a long string member that needs no escaping (a CRL in base64)
// goes out as it is, not copied into one text first. False when a write
// returned false.
template <class Write>
bool writeJson(const nlohmann::json& value, Write&& write) {
  constexpr std::size_t kDirect = 64 * 1024;
  if (!value.is_object()) {
    const std::string text = dumpJson(value);
    return write(text.data(), text.size());
  }
  std::string buffer(1, '{');
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!first) buffer.push_back(',');
    first = false;
    if (!appendJsonString(buffer, it.key()))
      buffer +=
          nlohmann::json(it.key()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    buffer.push_back(':');
    const auto& member = it.value();
    if (member.is_string()) {
      const auto& text = member.get_ref<const nlohmann::json::string_t&>();
      if (text.size() >= kDirect &&
          fast_json::plainRun(text.data(), text.data() + text.size()) == text.size()) {
        buffer.push_back('"');
        if (!write(buffer.data(), buffer.size()) || !write(text.data(), text.size())) return false;
        buffer.clear();
        buffer.push_back('"');
        continue;
      }
      if (appendJsonString(buffer, text)) continue;
    }
    buffer += member.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  buffer.push_back('}');
  return write(buffer.data(), buffer.size());
}

}  // namespace certctl::sdk::detail

CERTCTL_SDK_END_HIDDEN
