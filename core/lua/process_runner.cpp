#include "core/lua/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sdk/deploy/command.h"

namespace certctl::lua {

namespace {

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string("exec: pipe: ") + std::strerror(errno));
  }
  ~Pipe() {
    closeEnd(0);
    closeEnd(1);
  }
  void closeEnd(int i) {
    if (fds[i] >= 0) ::close(fds[i]);
    fds[i] = -1;
  }
};

pid_t spawn(const ProcessSpec& spec, Pipe& in, Pipe& out, Pipe& err) {
  sdk::deploy::Command command{spec.argv};
  std::string executable;
  try {
    executable = sdk::deploy::resolveExecutable(command, "argv").string();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("exec: ") + e.what());
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fds[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fds[1], 2);
  // Own process group (the timeout kills what it started too), default
  // signal handling whatever the server set.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  std::vector<std::string> envStrings;
  for (const auto& [name, value] : spec.env) envStrings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : envStrings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, executable.c_str(), &actions, &attr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    throw std::runtime_error("exec: cannot start " + executable + ": " + std::strerror(rc));
  return pid;
}

void readInto(int& fd, std::string& sink, std::size_t cap, bool& truncated) {
  char buffer[16384];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    ::close(fd);
    fd = -1;
    return;
  }
  std::size_t room = cap > sink.size() ? cap - sink.size() : 0;
  sink.append(buffer, std::min<std::size_t>(room, static_cast<std::size_t>(n)));
  if (static_cast<std::size_t>(n) > room) truncated = true;
}

}  // namespace

ProcessResult runProcess(const ProcessSpec& spec) {
  Pipe in, out, err;
  const pid_t pid = spawn(spec, in, out, err);
  in.closeEnd(0);
  out.closeEnd(1);
  err.closeEnd(1);
  ::fcntl(in.fds[1], F_SETFL, O_NONBLOCK);
  if (spec.stdinData.empty()) in.closeEnd(1);

  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  std::size_t written = 0;
  int outFd = out.fds[0], errFd = err.fds[0];
  out.fds[0] = err.fds[0] = -1;  // closed by readInto or below
  while (outFd >= 0 || errFd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timedOut = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    pollfd fds[3] = {{outFd, POLLIN, 0}, {errFd, POLLIN, 0}, {in.fds[1], POLLOUT, 0}};
    int rc = ::poll(fds, 3, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (rc < 0 && errno != EINTR) break;
    if (rc <= 0) continue;
    if (fds[0].revents != 0)
      readInto(outFd, result.stdoutData, spec.maxOutputBytes, result.outputTruncated);
    if (fds[1].revents != 0)
      readInto(errFd, result.stderrData, spec.maxOutputBytes, result.outputTruncated);
    if (fds[2].revents & (POLLERR | POLLHUP)) {
      in.closeEnd(1);
    } else if (fds[2].revents & POLLOUT) {
      ssize_t n =
          ::write(in.fds[1], spec.stdinData.data() + written, spec.stdinData.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) in.closeEnd(1);
      if (written == spec.stdinData.size()) in.closeEnd(1);
    }
  }
  if (outFd >= 0) ::close(outFd);
  if (errFd >= 0) ::close(errFd);
  in.closeEnd(1);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && !result.timedOut) result.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace certctl::lua
