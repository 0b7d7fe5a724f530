#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdk/deploy/atomic_file.h"

namespace certctl::sdk::deploy {

// A set of file replacements that can be undone as a whole. Before a file is
// replaced, its content, mode and owner are kept (in memory: certificates
// and keys are small); rollback() puts every replaced file back as it was,
// and removes the ones that did not exist. Destroying an open transaction
// rolls it back. Backups of key material are wiped from memory when dropped.
// Not thread-safe: one deployment at a time (see DirectoryLocks).
class FileTransaction {
 public:
  explicit FileTransaction(FileOwnership ownership = {});
  ~FileTransaction();
  FileTransaction(const FileTransaction&) = delete;
  FileTransaction& operator=(const FileTransaction&) = delete;

  // Backs up `path`, then writes `content` atomically with `mode` and the
  // transaction's ownership. Throws std::filesystem::filesystem_error (the
  // file is then unchanged; earlier replacements stay until rollback()).
  void replace(const std::filesystem::path& path, std::string_view content,
               std::filesystem::perms mode);

  struct RollbackReport {
    std::vector<std::string> failures;  // files not restored, one line each
    std::vector<std::string> warnings;  // restored, with a caveat
  };
  // Restores every replaced file, the last one first. Idempotent.
  RollbackReport rollback();

  // Keeps the new files and drops the backups.
  void commit();

  // The files replaced so far, in order.
  std::vector<std::filesystem::path> replaced() const;

 private:
  struct Backup {
    std::filesystem::path path;
    std::optional<FileSnapshot> previous;  // nullopt: the file did not exist
  };

  void wipeBackups();

  FileOwnership ownership_;
  std::vector<Backup> backups_;
  bool open_ = true;
};

// Exclusive locks (flock) on the directories a deployment writes into, so
// two deployments to the same files (two threads, two agents) take turns.
// Taken in sorted order; released on destruction.
class DirectoryLocks {
 public:
  // Throws DeployError(Retryable) when a lock is not free within `wait`, and
  // DeployError(InvalidConfig) naming `field` of the first directory that does not exist.
  DirectoryLocks(const std::vector<std::pair<std::string, std::filesystem::path>>& fieldsAndDirs,
                 std::chrono::milliseconds wait);
  ~DirectoryLocks();
  DirectoryLocks(const DirectoryLocks&) = delete;
  DirectoryLocks& operator=(const DirectoryLocks&) = delete;

 private:
  std::vector<int> fds_;
};

}  // namespace certctl::sdk::deploy
