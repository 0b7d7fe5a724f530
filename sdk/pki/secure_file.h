#pragma once

#include <filesystem>
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

}  // namespace certctl::sdk::pki
