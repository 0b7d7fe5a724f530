#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace certctl::sdk::deploy {

// The owner and group a deployed file gets; unset = whoever runs the agent.
struct FileOwnership {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;

  bool empty() const { return !uid && !gid; }
};

// Resolves user and group names (or decimal ids) from a target config; ""
// leaves that part unset. Throws DeployError(InvalidConfig) naming the field
// ("owner" / "group") when the name is unknown on this machine.
FileOwnership resolveOwnership(const std::string& owner, const std::string& group);

// Modes of deployed files: certificates and chains are public, anything that
// holds a private key is for the owner only.
inline constexpr std::filesystem::perms kCertificateMode =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
    std::filesystem::perms::group_read | std::filesystem::perms::others_read;  // 0644
inline constexpr std::filesystem::perms kPrivateKeyMode =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;  // 0600

// Replaces `path` with `data` atomically: a temporary file in the same
// directory, created 0600 and given `mode` and `ownership` before any byte is
// written, fsync'ed, renamed over `path`, then the directory fsync'ed. A
// reader sees the old or the new content, never a torn file, and a key is
// never readable by others for a moment. Throws std::filesystem::filesystem_error.
void writeFileAtomic(const std::filesystem::path& path, std::string_view data,
                     std::filesystem::perms mode, const FileOwnership& ownership = {});

// What a file holds now, for backups and comparisons.
struct FileSnapshot {
  std::string content;
  std::filesystem::perms mode = std::filesystem::perms::none;
  uid_t uid = 0;
  gid_t gid = 0;
};

// The file's content and attributes, or nullopt when it does not exist.
// Throws std::filesystem::filesystem_error for other errors (and for
// something that is not a regular file).
std::optional<FileSnapshot> readFileSnapshot(const std::filesystem::path& path);

}  // namespace certctl::sdk::deploy
