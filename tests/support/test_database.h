#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/store/database.h"

namespace certctl::testing {

// A fresh, migrated database for one test: a SQLite file in a temp dir, or
// a new database on the test PostgreSQL cluster (CTest fixture "postgres"),
// dropped again afterwards.
class TestDatabase {
 public:
  // dialect: "sqlite" or "postgres". For postgres, CERTCTL_TEST_PG_URL_FILE
  // must name the file the fixture wrote; a missing or empty file fails the test.
  explicit TestDatabase(const std::string& dialect);
  ~TestDatabase();

  store::Database& db() { return *db_; }
  const std::string& url() const { return url_; }

  // "postgres" when CERTCTL_TEST_PG_URL_FILE is set (ctest's postgres run), else "sqlite".
  static std::string dialectFromEnvironment();
  // The admin URL of the PostgreSQL test cluster, or "" when not configured.
  static std::string postgresAdminUrl();

 private:
  std::unique_ptr<store::Database> db_;
  std::string url_;
  std::string adminUrl_;
  std::string databaseName_;
  std::filesystem::path tempDir_;
};

// A unique temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace certctl::testing
