#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sdk/deploy/atomic_file.h"
#include "sdk/deploy/command.h"

namespace certctl::sdk::deploy {

// One file a deployment writes. `field` is the config field that named the
// path ("cert_path"), used in messages.
struct PlannedFile {
  std::string field;
  std::filesystem::path path;
  std::string content;
  std::filesystem::perms mode = kCertificateMode;
};

// The outcome of a post-deploy check of the live endpoint.
struct VerifyResult {
  bool ok = false;
  std::string message;
};

// Everything one deployment does, in order:
//  1. resolve the commands (before anything is touched);
//  2. lock the directories; if every file already holds exactly the new
//     content (SHA-256) with the right mode: done, "unchanged", no reload;
//  3. replace the files atomically, backing up each one;
//  4. run `validate` (the server's config test);
//  5. run `reload`;
//  6. run `verify` (e.g. a TLS handshake that must present the new certificate).
// If 3-6 fail, every file is restored; if the server had been reloaded (5 or
// 6 failed), it is reloaded again so it serves the restored files.
struct DeployPlan {
  std::vector<PlannedFile> files;
  FileOwnership ownership;
  std::optional<Command> validate;  // nullopt: no config test
  std::optional<Command> reload;    // nullopt: the server notices new files itself
  std::chrono::milliseconds commandTimeout{std::chrono::seconds(60)};
  std::function<VerifyResult()> verify;  // empty: no post-deploy check
  // Progress lines ("validate_command: nginx -t: ok"); may be empty.
  std::function<void(const std::string&)> log;
};

struct DeployOutcome {
  bool unchanged = false;  // identical material was already in place: nothing done
  bool validated = false;
  bool reloaded = false;
  bool verified = false;
  std::string verifyMessage;
  std::string message;  // one line for the deploy result
};

// Runs the plan. Throws DeployError:
//  InvalidConfig  a command cannot be resolved, a directory does not exist,
//                 two fields name the same file (nothing was touched);
//  Rejected       the validate command failed (files restored);
//  Retryable      writing, reload or verify failed (files restored, server
//                 reloaded again), or another deployment holds the lock;
//  Internal       a file could not be restored: the message lists which.
// Every message after files were touched says what was restored, and a
// failed command's message carries its output.
DeployOutcome executeDeploy(const DeployPlan& plan);

// The field names of DeployPlan commands in messages.
inline constexpr const char* kValidateField = "validate_command";
inline constexpr const char* kReloadField = "reload_command";

}  // namespace certctl::sdk::deploy
