// sdk/deploy files: atomic writes with modes and owners, and the
// transaction that puts every replaced file back.
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sdk/deploy/atomic_file.h"
#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/file_transaction.h"
#include "tests/support/test_database.h"

using namespace certctl::sdk::deploy;
using certctl::testing::TempDir;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void writeText(const fs::path& p, const std::string& text, fs::perms mode) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  fs::permissions(p, mode);
}

unsigned modeOf(const fs::path& p) {
  return static_cast<unsigned>(fs::status(p).permissions() & fs::perms::mask);
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}));
}

}  // namespace

TEST_CASE("deploy files: atomic writes give certificates 0644 and keys 0600 whatever the umask",
          "[deploy][files]") {
  TempDir dir;
  mode_t old = ::umask(0);
  writeFileAtomic(dir.path() / "cert.pem", "CERT", kCertificateMode);
  writeFileAtomic(dir.path() / "key.pem", "KEY", kPrivateKeyMode);
  ::umask(old);
  CHECK(readText(dir.path() / "cert.pem") == "CERT");
  CHECK(modeOf(dir.path() / "cert.pem") == 0644);
  CHECK(modeOf(dir.path() / "key.pem") == 0600);

  // Replacing keeps no temporary file behind and changes the mode too.
  writeText(dir.path() / "key.pem", "OLD", fs::perms(0644));
  writeFileAtomic(dir.path() / "key.pem", "NEW", kPrivateKeyMode);
  CHECK(readText(dir.path() / "key.pem") == "NEW");
  CHECK(modeOf(dir.path() / "key.pem") == 0600);
  CHECK(entries(dir.path()) == 2);

  CHECK_THROWS_AS(writeFileAtomic(dir.path() / "missing" / "x.pem", "X", kCertificateMode),
                  fs::filesystem_error);
  CHECK(entries(dir.path()) == 2);
}

TEST_CASE("deploy files: owner and group are set before the file appears", "[deploy][files]") {
  if (::geteuid() != 0) {
    WARN("not root: cannot give files away, not checked");
    return;
  }
  TempDir dir;
  FileOwnership nobody = resolveOwnership("65534", "65534");
  writeFileAtomic(dir.path() / "key.pem", "KEY", kPrivateKeyMode, nobody);
  struct stat st {};
  REQUIRE(::stat((dir.path() / "key.pem").c_str(), &st) == 0);
  CHECK(st.st_uid == 65534);
  CHECK(st.st_gid == 65534);
  CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("deploy files: owner names resolve, unknown ones are refused naming the field",
          "[deploy][files]") {
  auto root = resolveOwnership("root", "root");
  CHECK(root.uid == 0u);
  CHECK(root.gid == 0u);
  CHECK(resolveOwnership("", "").empty());
  try {
    resolveOwnership("certctl-no-such-user", "");
    FAIL("accepted an unknown user");
  } catch (const DeployError& e) {
    CHECK(e.kind() == FailureKind::InvalidConfig);
    CHECK_THAT(e.what(), Contains("owner"));
  }
  try {
    resolveOwnership("", "certctl-no-such-group");
    FAIL("accepted an unknown group");
  } catch (const DeployError& e) {
    CHECK_THAT(e.what(), Contains("group"));
  }
}

TEST_CASE("deploy files: rollback restores content and mode of every replaced file",
          "[deploy][files]") {
  TempDir dir;
  const fs::path cert = dir.path() / "cert.pem";
  const fs::path key = dir.path() / "key.pem";
  const fs::path chain = dir.path() / "chain.pem";  // did not exist before
  writeText(cert, "OLD CERT", fs::perms(0644));
  writeText(key, "OLD KEY", fs::perms(0640));

  FileTransaction tx;
  tx.replace(cert, "NEW CERT", kCertificateMode);
  tx.replace(key, "NEW KEY", kPrivateKeyMode);
  tx.replace(chain, "NEW CHAIN", kCertificateMode);
  tx.replace(cert, "NEWER CERT", kCertificateMode);  // backed up once, from before the first
  CHECK(readText(key) == "NEW KEY");
  CHECK(tx.replaced() == std::vector<fs::path>{cert, key, chain});

  auto report = tx.rollback();
  CHECK(report.failures.empty());
  CHECK(report.warnings.empty());
  CHECK(readText(cert) == "OLD CERT");
  CHECK(readText(key) == "OLD KEY");
  CHECK(modeOf(key) == 0640);
  CHECK_FALSE(fs::exists(chain));
  CHECK(entries(dir.path()) == 2);
  // A second rollback does nothing.
  CHECK(tx.rollback().failures.empty());
  CHECK(readText(cert) == "OLD CERT");
}

TEST_CASE("deploy files: a committed transaction keeps the new files; an abandoned one rolls back",
          "[deploy][files]") {
  TempDir dir;
  const fs::path cert = dir.path() / "cert.pem";
  writeText(cert, "OLD", fs::perms(0644));
  {
    FileTransaction tx;
    tx.replace(cert, "NEW", kCertificateMode);
    tx.commit();
  }
  CHECK(readText(cert) == "NEW");
  {
    FileTransaction tx;
    tx.replace(cert, "NEWER", kCertificateMode);
  }
  CHECK(readText(cert) == "NEW");
}

TEST_CASE("deploy files: a failed replace leaves that file untouched", "[deploy][files]") {
  TempDir dir;
  const fs::path cert = dir.path() / "cert.pem";
  writeText(cert, "OLD", fs::perms(0644));
  FileTransaction tx;
  tx.replace(cert, "NEW", kCertificateMode);
  CHECK_THROWS_AS(tx.replace(dir.path() / "nope" / "key.pem", "K", kPrivateKeyMode),
                  fs::filesystem_error);
  CHECK(tx.rollback().failures.empty());
  CHECK(readText(cert) == "OLD");
}

TEST_CASE("deploy files: directory locks exclude a second deployment", "[deploy][files]") {
  TempDir dir;
  std::vector<std::pair<std::string, fs::path>> dirs = {{"cert_path", dir.path()}};
  {
    DirectoryLocks first(dirs, 100ms);
    try {
      DirectoryLocks second(dirs, 200ms);
      FAIL("a second lock on the same directory was granted");
    } catch (const DeployError& e) {
      CHECK(e.kind() == FailureKind::Retryable);
      CHECK_THAT(e.what(), Contains("another deployment"));
    }
  }
  DirectoryLocks again(dirs, 100ms);  // released with the first
  try {
    DirectoryLocks missing({{"key_path", dir.path() / "nope"}}, 100ms);
    FAIL("locked a directory that does not exist");
  } catch (const DeployError& e) {
    CHECK(e.kind() == FailureKind::InvalidConfig);
    CHECK_THAT(e.what(), Contains("key_path") && Contains("does not exist"));
  }
}
