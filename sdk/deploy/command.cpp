#include "sdk/deploy/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string_view>
#include <thread>

#include "sdk/deploy/deploy_error.h"

extern char** environ;

namespace certctl::sdk::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& why) {
  throw DeployError::invalidConfig(field, why);
}

// Characters a command string may hold to be split without a shell: no
// quoting, expansion, redirection, globbing or command separators.
bool safeInUnquotedCommand(unsigned char c) {
  static constexpr std::string_view kPunctuation = "-_./:=,+@% \t";
  return std::isalnum(c) || kPunctuation.find(static_cast<char>(c)) != std::string_view::npos;
}

std::vector<std::string> splitOnBlanks(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

bool executableFile(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Appends to the bounded output buffer, keeping the most recent bytes.
void appendBounded(CommandResult& result, const char* data, std::size_t n) {
  result.output.append(data, n);
  if (result.output.size() > kMaxCommandOutput) {
    result.output.erase(0, result.output.size() - kMaxCommandOutput);
    result.outputTruncated = true;
  }
}

}  // namespace

std::string Command::display() const {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    out += arg;
  }
  return out;
}

void checkCommand(const Command& command, const std::string& field) {
  if (command.argv.empty()) invalid(field, "the command is empty");
  if (command.argv.size() > kMaxCommandArgs)
    invalid(field, "more than " + std::to_string(kMaxCommandArgs) + " arguments");
  std::size_t total = 0;
  for (std::size_t i = 0; i < command.argv.size(); ++i) {
    const auto& arg = command.argv[i];
    if (arg.find('\0') != std::string::npos)
      invalid(field, "argument " + std::to_string(i) + " contains a NUL byte");
    if (arg.size() > kMaxCommandArgBytes)
      invalid(field, "argument " + std::to_string(i) + " is longer than " +
                         std::to_string(kMaxCommandArgBytes) + " bytes");
    total += arg.size() + 1;
  }
  if (total > kMaxCommandTotalBytes)
    invalid(field, "the arguments add up to more than " + std::to_string(kMaxCommandTotalBytes) +
                       " bytes");
  const auto& program = command.argv.front();
  if (program.empty()) invalid(field, "the program (first argument) is empty");
  if (program.find('/') != std::string::npos && program.front() != '/')
    invalid(field, "the program '" + program +
                       "' must be an absolute path or a name looked up in PATH, not a relative "
                       "path");
  if (program.front() == '/' && fs::path(program).filename().empty())
    invalid(field, "the program '" + program + "' names a directory");
}

std::optional<Command> parseCommand(const json& value, const std::string& field) {
  if (value.is_null()) return std::nullopt;
  Command command;
  if (value.is_array()) {
    if (value.empty()) return std::nullopt;
    if (value.size() > kMaxCommandArgs)
      invalid(field, "more than " + std::to_string(kMaxCommandArgs) + " arguments");
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string())
        invalid(field, "argument " + std::to_string(i) + " must be a string");
      command.argv.push_back(value[i].get<std::string>());
    }
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxCommandTotalBytes)
      invalid(field, "longer than " + std::to_string(kMaxCommandTotalBytes) + " bytes");
    auto bad = std::find_if(text.begin(), text.end(), [](char c) {
      return !safeInUnquotedCommand(static_cast<unsigned char>(c));
    });
    if (bad != text.end()) {
      std::string shown = static_cast<unsigned char>(*bad) < 0x20 || *bad == 0x7f
                              ? "a control character"
                              : std::string("'") + *bad + "'";
      invalid(field,
              "the command string contains " + shown +
                  ", which only a shell would interpret; commands never run through a shell: "
                  "give it as a JSON array of arguments, e.g. [\"/usr/sbin/nginx\", \"-s\", "
                  "\"reload\"]");
    }
    command.argv = splitOnBlanks(text);
    if (command.argv.empty()) return std::nullopt;
  } else {
    invalid(field, "must be a JSON array of arguments (or a plain command string)");
  }
  checkCommand(command, field);
  return command;
}

fs::path resolveExecutable(const Command& command, const std::string& field) {
  checkCommand(command, field);
  const std::string& program = command.argv.front();
  if (program.front() == '/') {
    if (!executableFile(program)) invalid(field, "'" + program + "' is not an executable file");
    return program;
  }
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream in(path);
    std::string dir;
    while (std::getline(in, dir, ':')) {
      // An empty or relative PATH entry means the current directory: not for
      // commands run on behalf of a target config.
      if (!dir.empty() && dir.front() == '/') dirs.push_back(dir);
    }
  }
  for (const char* dir :
       {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"})
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.emplace_back(dir);
  for (const auto& dir : dirs) {
    fs::path candidate = fs::path(dir) / program;
    if (executableFile(candidate)) return candidate;
  }
  invalid(field, "'" + program + "' was not found in PATH or the system directories");
}

std::string CommandResult::describe() const {
  if (timedOut) return "timed out and was killed";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit status " + std::to_string(exitCode);
}

CommandResult runCommand(const Command& command, const std::string& field,
                         std::chrono::milliseconds timeout) {
  const fs::path executable = resolveExecutable(command, field);

  int pipeFds[2] = {-1, -1};
  if (::pipe2(pipeFds, O_CLOEXEC) != 0)
    throw DeployError(FailureKind::Retryable, field + ": pipe: " + std::strerror(errno));
  int readFd = pipeFds[0];
  int writeFd = pipeFds[1];

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, writeFd, 1);
  posix_spawn_file_actions_adddup2(&actions, writeFd, 2);

  // Its own process group (so the timeout kills what it started too), an
  // empty signal mask and default dispositions whatever the host set.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = command.argv;
  std::vector<char*> argp;
  argp.reserve(args.size() + 1);
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, executable.c_str(), &actions, &attr, argp.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  closeFd(writeFd);
  if (rc != 0) {
    closeFd(readFd);
    throw DeployError(FailureKind::Retryable,
                      field + ": cannot start " + executable.string() + ": " + std::strerror(rc));
  }

  CommandResult result;
  ::fcntl(readFd, F_SETFL, ::fcntl(readFd, F_GETFL) | O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool exited = false;
  bool statusKnown = true;
  bool eof = false;
  char buffer[8192];
  while (!exited) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      result.timedOut = true;
      exited = true;
      break;
    }
    if (!eof) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      pollfd p{readFd, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(std::clamp<long long>(left, 1, 50)));
      if (n > 0) {
        ssize_t got = ::read(readFd, buffer, sizeof buffer);
        if (got > 0) {
          appendBounded(result, buffer, static_cast<std::size_t>(got));
        } else if (got == 0) {
          eof = true;
        }
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      exited = true;
    } else if (w < 0 && errno == ECHILD) {
      // The host reaps children itself (SIGCHLD ignored): the status is lost.
      exited = true;
      statusKnown = false;
    }
  }
  // What the command wrote before it exited is in the pipe; a grandchild it
  // left running may keep the pipe open, so read only what is there now.
  for (;;) {
    ssize_t got = ::read(readFd, buffer, sizeof buffer);
    if (got <= 0) break;
    appendBounded(result, buffer, static_cast<std::size_t>(got));
  }
  closeFd(readFd);

  if (!result.timedOut && statusKnown) {
    if (WIFEXITED(status)) {
      result.exitCode = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result.signal = WTERMSIG(status);
    }
  }
  return result;
}

}  // namespace certctl::sdk::deploy
