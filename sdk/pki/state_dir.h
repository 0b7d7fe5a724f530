#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace certctl::sdk::pki {

// A plugin's host.state_dir: the directory an issuer owns. It holds private
// keys, so it is created 0700 (and tightened to 0700 if it exists with more).
// Throws std::filesystem::filesystem_error.
void ensurePrivateDirectory(const std::filesystem::path& dir);

// An exclusive flock() on <dir>/.lock, held while the object lives. Taken
// around every check-then-create of key material, so two instances of the
// same issuer (in one process or two) never both create the same key.
class StateDirLock {
 public:
  explicit StateDirLock(const std::filesystem::path& dir);
  ~StateDirLock();
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;

 private:
  int fd_ = -1;
};

// A whole (small) file: nullopt when it does not exist. Throws
// std::filesystem::filesystem_error when it cannot be read or exceeds 4 MiB
// (nothing the CA reads is that large; /dev/zero as a path must not hang).
std::optional<std::string> readFileIfExists(const std::filesystem::path& path);

}  // namespace certctl::sdk::pki
