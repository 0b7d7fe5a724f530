#include "sdk/pki/secure_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>

namespace certctl::sdk::pki {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path, int err) {
  throw fs::filesystem_error(what, path, std::error_code(err, std::generic_category()));
}

void writeAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void fsyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) fail("fsync directory", dir, err);
}

}  // namespace

void writeFileAtomic(const fs::path& path, std::string_view data, fs::perms mode) {
  writeFileAtomic(path, data, mode, std::nullopt, std::nullopt);
}

void writeFileAtomic(const fs::path& path, std::string_view data, fs::perms mode,
                     std::optional<uid_t> uid, std::optional<gid_t> gid) {
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  // Same directory as the target, so rename() stays on one filesystem.
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  // mkostemp creates with O_EXCL and mode 0600: never a window with wider access.
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) fail("create temporary file", tmpl, errno);
  const fs::path tmp = tmpl;
  try {
    if ((uid || gid) &&
        ::fchown(fd, uid ? *uid : static_cast<uid_t>(-1), gid ? *gid : static_cast<gid_t>(-1)) != 0)
      fail("chown", tmp, errno);
    if (::fchmod(fd, static_cast<mode_t>(mode & fs::perms::mask)) != 0) fail("chmod", tmp, errno);
    writeAll(fd, data, tmp);
    if (::fsync(fd) != 0) fail("fsync", tmp, errno);
    int rc = ::close(fd);
    fd = -1;
    if (rc != 0) fail("close", tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename", path, errno);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  fsyncDirectory(dir);
}

}  // namespace certctl::sdk::pki
