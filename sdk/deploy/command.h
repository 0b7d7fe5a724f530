#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace certctl::sdk::deploy {

// A command a deployment runs (a config test, a reload): an argv list that
// is executed directly, never through a shell, so no value in a target
// config can inject shell syntax.
struct Command {
  std::vector<std::string> argv;

  bool operator==(const Command&) const = default;
  // For messages: the arguments joined by spaces (not meant to be re-parsed).
  std::string display() const;
};

// The limits every command is checked against.
inline constexpr std::size_t kMaxCommandArgs = 256;
inline constexpr std::size_t kMaxCommandArgBytes = 4096;
inline constexpr std::size_t kMaxCommandTotalBytes = 65536;

// Checks argv without touching the file system: not empty, argv[0] an
// absolute path or a bare name (no relative paths such as ./x), no NUL byte,
// within the limits above. Throws DeployError(InvalidConfig) naming `field`.
void checkCommand(const Command& command, const std::string& field);

// A command from a config value:
//  - a JSON array of strings: the argv, used as is;
//  - a string: split on blanks, accepted only when it holds nothing a shell
//    would interpret (quotes, $, `, |, ;, &, <, >, (, ), \, globs, ~, #, ...),
//    so "nginx -s reload" works and "kill $(cat pid)" is refused;
//  - null, absent, "" or []: no command (std::nullopt).
// Throws DeployError(InvalidConfig) naming `field`.
std::optional<Command> parseCommand(const nlohmann::json& value, const std::string& field);

// The executable argv[0] names: an absolute path as is, a bare name looked
// up in PATH and then in the standard system directories (/usr/local/sbin,
// /usr/local/bin, /usr/sbin, /usr/bin, /sbin, /bin: an agent's PATH often
// lacks the sbin ones where nginx and friends live). It must be a regular
// file we may execute. Throws DeployError(InvalidConfig) naming `field`.
std::filesystem::path resolveExecutable(const Command& command, const std::string& field);

struct CommandResult {
  int exitCode = -1;      // the exit status, or -1 when killed by a signal or the timeout
  int signal = 0;         // the signal that ended it, if any
  bool timedOut = false;  // killed (with its process group) at the timeout
  std::string output;     // stdout and stderr interleaved, at most kMaxCommandOutput bytes
  bool outputTruncated = false;

  bool ok() const { return exitCode == 0 && !timedOut; }
  // "exit status 1", "killed by signal 9", "timed out after 5 s".
  std::string describe() const;
};

// Output beyond this is dropped from the start (the end usually says why).
inline constexpr std::size_t kMaxCommandOutput = 64 * 1024;

// Runs the command: the executable from resolveExecutable, stdin from
// /dev/null, stdout and stderr captured, in a process group of its own that
// is killed (SIGKILL) when `timeout` passes. Returns once the command has
// exited; output a daemonizing grandchild writes later is not waited for.
// Throws DeployError(InvalidConfig) when it cannot be resolved and
// DeployError(Retryable) when it cannot be started.
CommandResult runCommand(const Command& command, const std::string& field,
                         std::chrono::milliseconds timeout);

}  // namespace certctl::sdk::deploy
