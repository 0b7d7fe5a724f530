#include "sdk/deploy/atomic_file.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <vector>

#include "sdk/deploy/deploy_error.h"
#include "sdk/pki/secure_file.h"

namespace certctl::sdk::deploy {

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path, int err) {
  throw fs::filesystem_error(what, path, std::error_code(err, std::generic_category()));
}

bool decimal(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<char> lookupBuffer(int name) {
  long size = ::sysconf(name);
  return std::vector<char>(size > 0 ? static_cast<size_t>(size) : 16384);
}

}  // namespace

FileOwnership resolveOwnership(const std::string& owner, const std::string& group) {
  FileOwnership out;
  if (!owner.empty()) {
    if (decimal(owner)) {
      out.uid = static_cast<uid_t>(std::stoul(owner));
    } else {
      auto buffer = lookupBuffer(_SC_GETPW_R_SIZE_MAX);
      passwd pw{};
      passwd* found = nullptr;
      int rc = ::getpwnam_r(owner.c_str(), &pw, buffer.data(), buffer.size(), &found);
      if (rc != 0 || found == nullptr)
        throw DeployError::invalidConfig("owner", "no user named '" + owner + "' on this machine");
      out.uid = found->pw_uid;
    }
  }
  if (!group.empty()) {
    if (decimal(group)) {
      out.gid = static_cast<gid_t>(std::stoul(group));
    } else {
      auto buffer = lookupBuffer(_SC_GETGR_R_SIZE_MAX);
      struct group gr {};
      struct group* found = nullptr;
      int rc = ::getgrnam_r(group.c_str(), &gr, buffer.data(), buffer.size(), &found);
      if (rc != 0 || found == nullptr)
        throw DeployError::invalidConfig("group", "no group named '" + group + "' on this machine");
      out.gid = found->gr_gid;
    }
  }
  return out;
}

void writeFileAtomic(const fs::path& path, std::string_view data, fs::perms mode,
                     const FileOwnership& ownership) {
  pki::writeFileAtomic(path, data, mode, ownership.uid, ownership.gid);
}

std::optional<FileSnapshot> readFileSnapshot(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail("open", path, errno);
  }
  FileSnapshot snapshot;
  try {
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail("stat", path, errno);
    if (!S_ISREG(st.st_mode)) fail("not a regular file", path, EINVAL);
    snapshot.mode = static_cast<fs::perms>(st.st_mode) & fs::perms::mask;
    snapshot.uid = st.st_uid;
    snapshot.gid = st.st_gid;
    char buffer[16384];
    for (;;) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("read", path, errno);
      }
      if (n == 0) break;
      snapshot.content.append(buffer, static_cast<size_t>(n));
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return snapshot;
}

}  // namespace certctl::sdk::deploy
