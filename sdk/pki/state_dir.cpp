#include "sdk/pki/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace certctl::sdk::pki {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxFileBytes = 4u << 20;

[[noreturn]] void fail(const char* what, const fs::path& path, int err) {
  throw fs::filesystem_error(what, path, std::error_code(err, std::generic_category()));
}

}  // namespace

void ensurePrivateDirectory(const fs::path& dir) {
  fs::create_directories(dir);
  const auto wanted = fs::perms::owner_all;
  if ((fs::status(dir).permissions() & fs::perms::mask) != wanted) {
    fs::permissions(dir, wanted, fs::perm_options::replace);
  }
}

StateDirLock::StateDirLock(const fs::path& dir) {
  const fs::path file = dir / ".lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) fail("open lock file", file, errno);
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    ::close(fd_);
    fail("lock", file, err);
  }
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

std::optional<std::string> readFileIfExists(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail("open", path, errno);
  }
  std::string data;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      fail("read", path, err);
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > kMaxFileBytes) {
      ::close(fd);
      fail("read (larger than 4 MiB)", path, EFBIG);
    }
  }
  ::close(fd);
  return data;
}

}  // namespace certctl::sdk::pki
