#include "sdk/deploy/deployment.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <set>

#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/file_transaction.h"

namespace certctl::sdk::deploy {

namespace fs = std::filesystem;

namespace {

// Output quoted in an error message: trimmed, and short enough for a job
// record (the command's own limit is far larger).
std::string excerpt(const CommandResult& r) {
  constexpr std::size_t kMax = 4000;
  std::string text = r.output;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  bool cut = r.outputTruncated;
  if (text.size() > kMax) {
    text = text.substr(text.size() - kMax);
    cut = true;
  }
  if (text.empty()) return "(no output)";
  return (cut ? "[...] " : "") + text;
}

std::string joinPaths(const std::vector<fs::path>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p.string();
  return out;
}

// A symlinked target path (e.g. into a live/ directory) is followed, so the
// link stays and the file it points to is replaced.
fs::path resolveTarget(const fs::path& path) {
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(path, ec))) {
    fs::path resolved = fs::weakly_canonical(path, ec);
    if (!ec) return resolved;
  }
  return path;
}

class Runner {
 public:
  explicit Runner(const DeployPlan& plan) : plan_(plan) {}

  void log(const std::string& line) const {
    if (plan_.log) plan_.log(line);
  }

  CommandResult run(const Command& command, const char* field) const {
    CommandResult r = runCommand(command, field, plan_.commandTimeout);
    log(std::string(field) + ": " + command.display() + ": " + (r.ok() ? "ok" : r.describe()));
    return r;
  }

  // Restores the files and, when the server was reloaded with the new ones,
  // reloads it again. Returns the sentence for the error message; throws
  // DeployError(Internal) when a file could not be restored.
  std::string rollback(FileTransaction& tx, bool reloadAgain, const std::string& failure) const {
    const auto paths = tx.replaced();
    const auto report = tx.rollback();
    auto join = [](const std::vector<std::string>& lines) {
      std::string out;
      for (const auto& l : lines) out += (out.empty() ? "" : "; ") + l;
      return out;
    };
    // A file that cannot go back is worse than a failed deploy: say so first.
    if (!report.failures.empty())
      throw DeployError(FailureKind::Internal, failure +
                                                   "; ROLLBACK FAILED, the files may be "
                                                   "inconsistent: " +
                                                   join(report.failures));
    std::string text = failure + "; rolled back " + joinPaths(paths);
    if (!report.warnings.empty()) text += " (" + join(report.warnings) + ")";
    if (reloadAgain && plan_.reload) {
      try {
        CommandResult r = run(*plan_.reload, kReloadField);
        text += r.ok() ? "; reloaded the restored files"
                       : "; reloading the restored files failed too (" + r.describe() +
                             "): " + excerpt(r);
      } catch (const std::exception& e) {
        text += std::string("; reloading the restored files failed too: ") + e.what();
      }
    }
    log(text);
    return text;
  }

 private:
  const DeployPlan& plan_;
};

}  // namespace

DeployOutcome executeDeploy(const DeployPlan& plan) {
  Runner runner(plan);
  if (plan.files.empty()) throw DeployError(FailureKind::Internal, "nothing to deploy");

  // 1. Commands and paths are checked before anything is touched.
  if (plan.validate) resolveExecutable(*plan.validate, kValidateField);
  if (plan.reload) resolveExecutable(*plan.reload, kReloadField);
  // The paths as written (symlinks followed); the contents stay in the plan
  // (no copies of key material).
  std::vector<fs::path> paths;
  std::vector<std::pair<std::string, fs::path>> dirs;
  std::set<fs::path> seen;
  for (const auto& f : plan.files) {
    if (!f.path.is_absolute())
      throw DeployError::invalidConfig(f.field, "must be an absolute path");
    fs::path path = resolveTarget(f.path);
    if (!seen.insert(path).second)
      throw DeployError::invalidConfig(f.field, path.string() +
                                                    " is also the path of another file of this "
                                                    "deployment");
    dirs.emplace_back(f.field, path.parent_path());
    paths.push_back(std::move(path));
  }

  // 2. One deployment at a time into these directories.
  DirectoryLocks locks(dirs, plan.commandTimeout);

  DeployOutcome outcome;
  bool identical = true;
  for (std::size_t i = 0; i < plan.files.size(); ++i) {
    const PlannedFile& f = plan.files[i];
    std::optional<FileSnapshot> current;
    try {
      current = readFileSnapshot(paths[i]);
    } catch (const fs::filesystem_error& e) {
      throw DeployError::invalidConfig(f.field, e.what());
    }
    const bool same = current && current->content == f.content &&
                      current->mode == (f.mode & fs::perms::mask) &&
                      (!plan.ownership.uid || current->uid == *plan.ownership.uid) &&
                      (!plan.ownership.gid || current->gid == *plan.ownership.gid);
    if (current && !current->content.empty())
      OPENSSL_cleanse(current->content.data(), current->content.size());
    // No early exit: every path is checked (a directory, a socket) before
    // anything is written.
    identical = identical && same;
  }
  if (identical) {
    outcome.unchanged = true;
    outcome.message = "unchanged: the same certificate, chain and key are already deployed";
    runner.log(outcome.message);
    return outcome;
  }

  // 3. Replace the files.
  FileTransaction tx(plan.ownership);
  for (std::size_t i = 0; i < plan.files.size(); ++i) {
    const PlannedFile& f = plan.files[i];
    try {
      tx.replace(paths[i], f.content, f.mode);
      runner.log(f.field + ": wrote " + paths[i].string());
    } catch (const std::exception& e) {
      throw DeployError(FailureKind::Retryable,
                        runner.rollback(tx, false, f.field + ": cannot write: " + e.what()));
    }
  }

  // 4. The server's config test, with the new files in place.
  if (plan.validate) {
    CommandResult r;
    try {
      r = runner.run(*plan.validate, kValidateField);
    } catch (const DeployError& e) {
      throw DeployError(e.kind(), runner.rollback(tx, false, e.what()));
    }
    if (!r.ok())
      throw DeployError(
          FailureKind::Rejected,
          runner.rollback(tx, false,
                          std::string(kValidateField) + " " + plan.validate->display() +
                              " failed (" + r.describe() + "): " + excerpt(r)));
    outcome.validated = true;
  }

  // 5. Reload.
  if (plan.reload) {
    CommandResult r;
    try {
      r = runner.run(*plan.reload, kReloadField);
    } catch (const DeployError& e) {
      throw DeployError(FailureKind::Retryable, runner.rollback(tx, true, e.what()));
    }
    if (!r.ok())
      throw DeployError(FailureKind::Retryable,
                        runner.rollback(tx, true,
                                        std::string(kReloadField) + " " + plan.reload->display() +
                                            " failed (" + r.describe() + "): " + excerpt(r)));
    outcome.reloaded = true;
  }

  // 6. The live endpoint must present what was deployed.
  if (plan.verify) {
    VerifyResult v;
    try {
      v = plan.verify();
    } catch (const std::exception& e) {
      v = VerifyResult{false, e.what()};
    }
    if (!v.ok)
      throw DeployError(FailureKind::Retryable,
                        runner.rollback(tx, true, "post-deploy verification failed: " + v.message));
    outcome.verified = true;
    outcome.verifyMessage = v.message;
    runner.log("verify: " + v.message);
  }

  tx.commit();
  outcome.message = "deployed " + std::to_string(plan.files.size()) + " file(s)";
  if (outcome.validated) outcome.message += ", config test passed";
  if (outcome.reloaded) outcome.message += ", reloaded";
  if (outcome.verified) outcome.message += ", " + outcome.verifyMessage;
  return outcome;
}

}  // namespace certctl::sdk::deploy
