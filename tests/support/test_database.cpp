#include "tests/support/test_database.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "core/store/migrator.h"

namespace certctl::testing {

namespace {

std::string randomSuffix() {
  unsigned char bytes[6];
  RAND_bytes(bytes, sizeof bytes);
  std::string out;
  for (unsigned char b : bytes) out += "0123456789abcdef"[b & 15];
  return out;
}

}  // namespace

TempDir::TempDir() {
  path_ = std::filesystem::temp_directory_path() / ("certctl-test-" + randomSuffix());
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TestDatabase::dialectFromEnvironment() {
  const char* file = std::getenv("CERTCTL_TEST_PG_URL_FILE");
  return file && *file ? "postgres" : "sqlite";
}

std::string TestDatabase::postgresAdminUrl() {
  const char* file = std::getenv("CERTCTL_TEST_PG_URL_FILE");
  if (!file || !*file) return {};
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

TestDatabase::TestDatabase(const std::string& dialect) {
  if (dialect == "sqlite") {
    tempDir_ = std::filesystem::temp_directory_path() / ("certctl-db-" + randomSuffix());
    std::filesystem::create_directories(tempDir_);
    url_ = "sqlite://" + (tempDir_ / "certctl.db").string();
  } else if (dialect == "postgres") {
    adminUrl_ = postgresAdminUrl();
    if (adminUrl_.empty())
      throw std::runtime_error(
          "CERTCTL_TEST_DIALECT=postgres needs CERTCTL_TEST_PG_URL_FILE (ctest fixture)");
    databaseName_ = "certctl_t_" + randomSuffix();
    {
      auto admin = store::Database::open(adminUrl_, 1);
      auto lease = admin->acquire();
      admin->executeScript(*lease, "CREATE DATABASE " + databaseName_);
    }
    url_ = adminUrl_.substr(0, adminUrl_.rfind('/') + 1) + databaseName_;
  } else {
    throw std::invalid_argument("unknown test dialect " + dialect);
  }
  db_ = store::Database::open(url_, 8);
  store::Migrator(*db_, store::findMigrationsRoot("")).applyPending();
}

TestDatabase::~TestDatabase() {
  db_.reset();
  std::error_code ec;
  if (!tempDir_.empty()) std::filesystem::remove_all(tempDir_, ec);
  if (!databaseName_.empty()) {
    try {
      auto admin = store::Database::open(adminUrl_, 1);
      auto lease = admin->acquire();
      admin->executeScript(*lease, "DROP DATABASE IF EXISTS " + databaseName_ + " WITH (FORCE)");
    } catch (...) {
    }
  }
}

}  // namespace certctl::testing
