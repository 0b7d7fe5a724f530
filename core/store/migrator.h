#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/store/database.h"

namespace certctl::store {

// Applies the numbered SQL files of <dir>/<dialect>/ in order, each once,
// recording versions in schema_migrations. Files are written idempotently
// too, so a half-applied file (crash mid-way) re-runs cleanly.
class Migrator {
 public:
  Migrator(Database& db, std::filesystem::path migrationsRoot);
  // Returns the versions applied by this call.
  std::vector<std::string> applyPending();
  // True when every file on disk is recorded as applied (for /ready).
  bool upToDate();

 private:
  struct File {
    std::string version;
    std::filesystem::path path;
  };
  std::vector<File> files() const;
  std::vector<std::string> appliedVersions(Poco::Data::Session& session);

  Database& db_;
  std::filesystem::path dir_;
};

// Locates the migrations folder: explicit path, else relative to the
// executable (installed layout), else the source tree (build dir runs).
std::filesystem::path findMigrationsRoot(const std::string& configured);

}  // namespace certctl::store
