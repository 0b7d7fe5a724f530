#include "core/store/advisory_lock.h"

#include <cstdint>

namespace certctl::store {

long long advisoryKey(std::string_view name) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<long long>(h >> 1);
}

}  // namespace certctl::store
