#pragma once

#include <string>
#include <string_view>

namespace certctl::domain {

// ASCII case folding for protocol tokens (DNS names, variable names, EKU
// names): locale-independent, bytes above 0x7F unchanged.
inline std::string asciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline std::string asciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace certctl::domain
