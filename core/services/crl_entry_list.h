#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace certctl::services {

// The entries of a CRL as read from the database (serial, revoked_at,
// reason: the text of each column), packed into blocks of 1 MiB. A CRL can
// have a million entries; as RevokedSerial rows they would be two million
// heap strings and a vector re-allocated some twenty times, which cost more
// to make, touch and free than the database read itself. Entries are
// appended and read back in order.
class CrlEntryList {
 public:
  CrlEntryList() = default;
  CrlEntryList(CrlEntryList&&) noexcept = default;
  CrlEntryList& operator=(CrlEntryList&&) noexcept = default;

  // Throws std::length_error for a field over 64 KiB (no real serial, time
  // or reason name comes close).
  void add(std::string_view serial, std::string_view revokedAt, std::string_view reason);

  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }

  // fn(std::string_view serial, std::string_view revokedAt, std::string_view reason)
  // for each entry, in order; a fn returning bool stops the walk with false.
  // The views live as long as the list.
  template <class F>
  void forEach(F&& fn) const {
    using Result = std::invoke_result_t<F&, std::string_view, std::string_view, std::string_view>;
    for (const std::string& block : blocks_) {
      const char* p = block.data();
      const char* const end = p + block.size();
      while (p < end) {
        std::uint16_t len[3];
        std::memcpy(len, p, sizeof len);
        p += sizeof len;
        const std::string_view serial(p, len[0]);
        const std::string_view revokedAt(p + len[0], len[1]);
        const std::string_view reason(p + len[0] + len[1], len[2]);
        p += len[0] + len[1] + len[2];
        if constexpr (std::is_same_v<Result, bool>) {
          if (!fn(serial, revokedAt, reason)) return;
        } else {
          fn(serial, revokedAt, reason);
        }
      }
    }
  }

 private:
  static constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

  std::vector<std::string> blocks_;  // [3 x uint16 lengths][serial][revoked_at][reason] ...
  std::size_t count_ = 0;
};

}  // namespace certctl::services
