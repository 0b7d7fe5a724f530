#include "core/store/migrator.h"

#include <Poco/Data/Statement.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "certctl/build_info.h"
#include "core/domain/timestamps.h"

using namespace Poco::Data::Keywords;

namespace certctl::store {

namespace {

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read migration " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::filesystem::path executableDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

}  // namespace

Migrator::Migrator(Database& db, std::filesystem::path migrationsRoot)
    : db_(db), dir_(std::move(migrationsRoot) / (db.dialect() == Dialect::Sqlite ? "sqlite"
                                                                                  : "postgres")) {}

std::vector<Migrator::File> Migrator::files() const {
  if (!std::filesystem::is_directory(dir_))
    throw std::runtime_error("migrations directory not found: " + dir_.string());
  std::vector<File> result;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() != ".sql") continue;
    std::string name = entry.path().filename().string();
    result.push_back({name.substr(0, name.find('_')), entry.path()});
  }
  std::sort(result.begin(), result.end(),
            [](const File& a, const File& b) { return a.path.filename() < b.path.filename(); });
  return result;
}

std::vector<std::string> Migrator::appliedVersions(Poco::Data::Session& session) {
  db_.executeScript(session,
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, "
                    "applied_at TEXT NOT NULL)");
  std::vector<std::string> versions;
  session << "SELECT version FROM schema_migrations", into(versions), now;
  return versions;
}

std::vector<std::string> Migrator::applyPending() {
  auto lease = db_.acquire();
  Poco::Data::Session& session = *lease;
  auto applied = appliedVersions(session);
  std::set<std::string> done(applied.begin(), applied.end());
  std::vector<std::string> appliedNow;
  for (const auto& file : files()) {
    if (done.count(file.version)) continue;
    std::string sql = readFile(file.path);
    // One transaction per file: either the whole file and its version row land, or nothing.
    std::string version = file.version;
    std::string stamp = domain::nowRfc3339();
    db_.executeScript(session, "BEGIN");
    try {
      db_.executeScript(session, sql);
      session << "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
          use(version), use(stamp), now;
      db_.executeScript(session, "COMMIT");
    } catch (const std::exception& e) {
      try {
        db_.executeScript(session, "ROLLBACK");
      } catch (...) {
      }
      throw std::runtime_error("migration " + file.path.filename().string() + " failed: " +
                               e.what());
    }
    appliedNow.push_back(file.version);
  }
  return appliedNow;
}

bool Migrator::upToDate() {
  try {
    auto lease = db_.acquire(std::chrono::seconds(2));
    std::vector<std::string> versions;
    *lease << "SELECT version FROM schema_migrations", into(versions), now;
    std::set<std::string> done(versions.begin(), versions.end());
    for (const auto& file : files())
      if (!done.count(file.version)) return false;
    return true;
  } catch (...) {
    return false;
  }
}

std::filesystem::path findMigrationsRoot(const std::string& configured) {
  if (!configured.empty()) return configured;
  auto installed = executableDir() / build::kRelMigrationsDir;
  if (std::filesystem::is_directory(installed)) return std::filesystem::weakly_canonical(installed);
  return std::filesystem::path(build::kSourceDir) / "core/store/migrations";
}

}  // namespace certctl::store
