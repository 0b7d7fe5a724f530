#include "sdk/pki/secure_file.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include "tests/support/test_database.h"

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned modeOf(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("pki: writeFileAtomic writes content with the exact mode", "[pki]") {
  certctl::testing::TempDir dir;
  const fs::path key = dir.path() / "k.pem";
  const mode_t oldMask = ::umask(0);  // a permissive umask must not widen the key file
  pki::writeFileAtomic(key, std::string("secret\0bytes", 12));
  ::umask(oldMask);
  CHECK(slurp(key) == std::string("secret\0bytes", 12));
  CHECK(modeOf(key) == 0600);

  const fs::path cert = dir.path() / "c.pem";
  pki::writeFileAtomic(cert, "public",
                       fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read);
  CHECK(modeOf(cert) == 0644);
}

TEST_CASE("pki: writeFileAtomic replaces and leaves no temporary files", "[pki]") {
  certctl::testing::TempDir dir;
  const fs::path target = dir.path() / "f";
  pki::writeFileAtomic(target, "one");
  // An existing wider file is replaced by a new inode with the new mode.
  fs::permissions(target, fs::perms::all);
  pki::writeFileAtomic(target, "two");
  CHECK(slurp(target) == "two");
  CHECK(modeOf(target) == 0600);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("pki: writeFileAtomic reports the path on failure", "[pki]") {
  certctl::testing::TempDir dir;
  const fs::path missing = dir.path() / "no-such-dir" / "f";
  CHECK_THROWS_AS(pki::writeFileAtomic(missing, "x"), fs::filesystem_error);
  // A directory in the way: rename fails, the temporary file is cleaned up.
  fs::create_directories(dir.path() / "occupied" / "child");
  CHECK_THROWS_AS(pki::writeFileAtomic(dir.path() / "occupied", "x"), fs::filesystem_error);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}
