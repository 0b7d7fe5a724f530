#pragma once

#include <stdexcept>
#include <string>

namespace certctl::lua {

// A hook that could not run or did not succeed. Rejected: the request or
// the script refused (a bad hook name, a budget exceeded, a script that
// raised {status = "REJECTED"}): retrying will not help. Failed: anything
// else the script raised.
class LuaError : public std::runtime_error {
 public:
  enum class Kind { Rejected, Failed };
  LuaError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace certctl::lua
