#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string_view>

namespace certctl::sdk::pki {

// Replaces `path` with `data` so that a reader sees either the old or the new
// content, never a torn file, and a crash leaves no half-written key behind.
// The file has `mode` from the moment it exists (a private key is never
// briefly world-readable), then is fsync'ed, renamed over `path`, and the
// directory is fsync'ed so the rename itself survives a power cut.
// Throws std::filesystem::filesystem_error naming the path.
void writeFileAtomic(const std::filesystem::path& path, std::string_view data,
                     std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                   std::filesystem::perms::owner_write);

// The same, the file also given `uid` and/or `gid` (unset: unchanged) before
// any byte is written. The owner is set first: changing it may clear set-id
// bits, never the mode's permission bits.
void writeFileAtomic(const std::filesystem::path& path, std::string_view data,
                     std::filesystem::perms mode, std::optional<uid_t> uid,
                     std::optional<gid_t> gid);

}  // namespace certctl::sdk::pki
