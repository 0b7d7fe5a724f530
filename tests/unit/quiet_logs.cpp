// Unit tests exercise the request pipeline, which logs every request at
// info level; keep the test output to failures.
#include <spdlog/spdlog.h>

namespace {
const bool kQuiet = [] {
  spdlog::set_level(spdlog::level::warn);
  return true;
}();
}  // namespace
