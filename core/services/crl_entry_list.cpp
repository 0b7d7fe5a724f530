#include "core/services/crl_entry_list.h"

#include <algorithm>
#include <stdexcept>

namespace certctl::services {

void CrlEntryList::add(std::string_view serial, std::string_view revokedAt,
                       std::string_view reason) {
  constexpr std::size_t kMaxField = 0xFFFF;
  if (serial.size() > kMaxField || revokedAt.size() > kMaxField || reason.size() > kMaxField)
    throw std::length_error("CRL entry field longer than 64 KiB (serial '" +
                            std::string(serial.substr(0, 64)) + "')");
  const std::uint16_t len[3] = {static_cast<std::uint16_t>(serial.size()),
                                static_cast<std::uint16_t>(revokedAt.size()),
                                static_cast<std::uint16_t>(reason.size())};
  const std::size_t need = sizeof len + serial.size() + revokedAt.size() + reason.size();
  // An entry never straddles two blocks; the blocks never move, so filling
  // one never copies (or touches again) what is already stored.
  if (blocks_.empty() || blocks_.back().capacity() - blocks_.back().size() < need) {
    blocks_.emplace_back();
    blocks_.back().reserve(std::max(kBlockBytes, need));
  }
  std::string& block = blocks_.back();
  block.append(reinterpret_cast<const char*>(len), sizeof len);
  block.append(serial);
  block.append(revokedAt);
  block.append(reason);
  ++count_;
}

}  // namespace certctl::services
