#include "sdk/deploy/file_transaction.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <thread>

#include "sdk/deploy/deploy_error.h"

namespace certctl::sdk::deploy {

namespace fs = std::filesystem;

FileTransaction::FileTransaction(FileOwnership ownership) : ownership_(ownership) {}

FileTransaction::~FileTransaction() {
  if (open_) {
    try {
      rollback();
    } catch (...) {
      // A destructor must not throw; rollback() reports per file anyway.
    }
  }
  wipeBackups();
}

void FileTransaction::replace(const fs::path& path, std::string_view content, fs::perms mode) {
  if (!open_) throw std::logic_error("FileTransaction: replace() after commit or rollback");
  // Back up a file only once: a second replace of the same path must not
  // make the first new content the "previous" one.
  const bool known = std::any_of(backups_.begin(), backups_.end(),
                                 [&](const Backup& b) { return b.path == path; });
  if (!known) backups_.push_back(Backup{path, readFileSnapshot(path)});
  writeFileAtomic(path, content, mode, ownership_);
}

FileTransaction::RollbackReport FileTransaction::rollback() {
  RollbackReport report;
  if (!open_) return report;
  for (auto it = backups_.rbegin(); it != backups_.rend(); ++it) {
    try {
      if (!it->previous) {
        std::error_code ec;
        fs::remove(it->path, ec);
        if (ec) report.failures.push_back(it->path.string() + ": cannot remove: " + ec.message());
        continue;
      }
      const FileSnapshot& old = *it->previous;
      try {
        writeFileAtomic(it->path, old.content, old.mode, FileOwnership{old.uid, old.gid});
      } catch (const fs::filesystem_error& e) {
        // Not allowed to give the file its old owner back (not root): the
        // content and mode still matter most.
        if (e.code() != std::errc::operation_not_permitted) throw;
        writeFileAtomic(it->path, old.content, old.mode);
        report.warnings.push_back(it->path.string() +
                                  ": restored, but not to its previous owner (not permitted)");
      }
    } catch (const std::exception& e) {
      report.failures.push_back(it->path.string() + ": cannot restore: " + e.what());
    }
  }
  open_ = false;
  return report;
}

void FileTransaction::commit() {
  open_ = false;
  wipeBackups();
}

std::vector<fs::path> FileTransaction::replaced() const {
  std::vector<fs::path> out;
  for (const auto& b : backups_) out.push_back(b.path);
  return out;
}

void FileTransaction::wipeBackups() {
  for (auto& b : backups_) {
    if (b.previous && !b.previous->content.empty())
      OPENSSL_cleanse(b.previous->content.data(), b.previous->content.size());
  }
  backups_.clear();
}

DirectoryLocks::DirectoryLocks(const std::vector<std::pair<std::string, fs::path>>& fieldsAndDirs,
                               std::chrono::milliseconds wait) {
  std::set<fs::path> dirs;
  for (const auto& [field, dir] : fieldsAndDirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw DeployError::invalidConfig(field, "the directory " + dir.string() + " does not exist");
    dirs.insert(dir);
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  try {
    for (const auto& dir : dirs) {
      int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        throw DeployError(FailureKind::Retryable,
                          "cannot open " + dir.string() + ": " + std::strerror(errno));
      fds_.push_back(fd);
      // flock locks belong to the open file description: two threads of
      // this process exclude each other just like two processes.
      while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
          throw DeployError(FailureKind::Retryable,
                            "cannot lock " + dir.string() + ": " + std::strerror(errno));
        if (std::chrono::steady_clock::now() >= deadline)
          throw DeployError(FailureKind::Retryable,
                            "another deployment into " + dir.string() + " is still running");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  } catch (...) {
    for (int fd : fds_) ::close(fd);
    fds_.clear();
    throw;
  }
}

DirectoryLocks::~DirectoryLocks() {
  for (int fd : fds_) ::close(fd);  // closing the last descriptor releases the lock
}

}  // namespace certctl::sdk::deploy
