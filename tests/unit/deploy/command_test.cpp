// sdk/deploy commands: argv parsing and validation (never a shell), PATH
// lookup, running with captured output and a timeout.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "sdk/deploy/command.h"
#include "sdk/deploy/deploy_error.h"
#include "tests/support/test_database.h"

using namespace certctl::sdk::deploy;
using Catch::Matchers::Contains;
using certctl::testing::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The DeployError `fn` throws (it must throw one).
template <class F>
DeployError deployError(F&& fn) {
  try {
    fn();
  } catch (const DeployError& e) {
    return e;
  }
  FAIL("no DeployError was thrown");
  return DeployError(FailureKind::Internal, "unreachable");
}

}  // namespace

TEST_CASE("deploy commands: a JSON array is the argv, used as is", "[deploy][command]") {
  auto c = parseCommand(json::array({"/usr/sbin/nginx", "-s", "reload", "a b", "$(id)"}),
                        "reload_command");
  REQUIRE(c);
  CHECK(c->argv == std::vector<std::string>{"/usr/sbin/nginx", "-s", "reload", "a b", "$(id)"});
}

TEST_CASE("deploy commands: a plain string is split on blanks", "[deploy][command]") {
  auto c = parseCommand("systemctl  reload\tnginx", "reload_command");
  REQUIRE(c);
  CHECK(c->argv == std::vector<std::string>{"systemctl", "reload", "nginx"});
  auto h = parseCommand("haproxy -c -f /etc/haproxy/haproxy.cfg", "validate_command");
  REQUIRE(h);
  CHECK(h->argv.size() == 4);
  CHECK(parseCommand("docker exec nginx nginx -s reload", "reload_command")->argv.size() == 6);
}

TEST_CASE("deploy commands: strings with shell syntax are refused, naming the field",
          "[deploy][command]") {
  for (const char* text : {"nginx -s reload; rm -rf /", "kill -HUP $(cat /run/nginx.pid)",
                           "nginx -t && nginx -s reload", "echo `id`", "cat /etc/passwd | nc x 1",
                           "nginx -c '/etc/nginx/my conf'", "nginx -c \"/x\"", "ls *", "cd ~",
                           "echo a > /tmp/x", "echo \\n", "nginx\n-s reload", "a # comment"}) {
    INFO(text);
    auto e = deployError([&] { parseCommand(text, "reload_command"); });
    CHECK(e.kind() == FailureKind::InvalidConfig);
    CHECK_THAT(e.what(), Contains("reload_command") && Contains("JSON array"));
  }
}

TEST_CASE("deploy commands: empty means no command", "[deploy][command]") {
  CHECK_FALSE(parseCommand(json(), "validate_command"));
  CHECK_FALSE(parseCommand(json::array(), "validate_command"));
  CHECK_FALSE(parseCommand("", "validate_command"));
  CHECK_FALSE(parseCommand("   ", "validate_command"));
}

TEST_CASE("deploy commands: malformed argv is refused", "[deploy][command]") {
  auto expectInvalid = [](const json& value, const std::string& fragment) {
    INFO(value.dump());
    auto e = deployError([&] { parseCommand(value, "validate_command"); });
    CHECK(e.kind() == FailureKind::InvalidConfig);
    CHECK_THAT(e.what(), Contains("validate_command") && Contains(fragment));
  };
  expectInvalid(json::array({"nginx", 5}), "must be a string");
  expectInvalid(json(42), "JSON array");
  expectInvalid(json::object(), "JSON array");
  expectInvalid(json::array({std::string("ngi\0nx", 6)}), "NUL");
  expectInvalid(json::array({"nginx", std::string("-\0t", 3)}), "NUL");
  expectInvalid(json::array({"./nginx", "-t"}), "relative path");
  expectInvalid(json::array({"sbin/nginx"}), "relative path");
  expectInvalid(json::array({""}), "empty");
  expectInvalid(json::array({"/usr/sbin/"}), "directory");
  expectInvalid(json::array({"nginx", std::string(kMaxCommandArgBytes + 1, 'x')}), "longer than");
  json many = json::array();
  for (std::size_t i = 0; i <= kMaxCommandArgs; ++i) many.push_back("x");
  expectInvalid(many, "more than");
  json big = json::array({"nginx"});
  for (int i = 0; i < 20; ++i) big.push_back(std::string(4000, 'y'));
  expectInvalid(big, "add up to");
}

TEST_CASE("deploy commands: the program is an absolute executable or found in PATH",
          "[deploy][command]") {
  CHECK(resolveExecutable(Command{{"sh", "-c", "true"}}, "reload_command").is_absolute());
  CHECK(resolveExecutable(Command{{"/bin/sh"}}, "reload_command") == "/bin/sh");
  auto missing = deployError(
      [] { resolveExecutable(Command{{"certctl-no-such-program-here"}}, "reload_command"); });
  CHECK(missing.kind() == FailureKind::InvalidConfig);
  CHECK_THAT(missing.what(), Contains("reload_command") && Contains("not found"));
  TempDir dir;
  const auto plain = dir.path() / "not-a-program";
  std::ofstream(plain) << "#!/bin/sh\n";
  std::filesystem::permissions(plain, std::filesystem::perms(0644));
  auto notExec =
      deployError([&] { resolveExecutable(Command{{plain.string()}}, "validate_command"); });
  CHECK_THAT(notExec.what(), Contains("validate_command") && Contains("not an executable"));
  CHECK_THROWS_AS(resolveExecutable(Command{{"/no/such/file"}}, "reload_command"), DeployError);
}

TEST_CASE("deploy commands: output and exit status are captured, arguments are not interpreted",
          "[deploy][command]") {
  auto r = runCommand(Command{{"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}},
                      "validate_command", 5s);
  CHECK(r.exitCode == 3);
  CHECK_FALSE(r.ok());
  CHECK_THAT(r.output, Contains("out") && Contains("err"));
  CHECK(r.describe() == "exit status 3");

  auto literal = runCommand(Command{{"echo", "$(id)", ";", "|", "*"}}, "reload_command", 5s);
  CHECK(literal.ok());
  CHECK(literal.output == "$(id) ; | *\n");

  // stdin is /dev/null: a command waiting for input ends at once.
  auto cat = runCommand(Command{{"cat"}}, "reload_command", 5s);
  CHECK(cat.ok());
  CHECK(cat.output.empty());
}

TEST_CASE("deploy commands: a command that runs too long is killed with its children",
          "[deploy][command]") {
  auto start = std::chrono::steady_clock::now();
  auto r = runCommand(Command{{"/bin/sh", "-c", "sleep 30 & sleep 30"}}, "reload_command", 300ms);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.timedOut);
  CHECK_FALSE(r.ok());
  CHECK(r.describe() == "timed out and was killed");
  CHECK(took < 5s);
}

TEST_CASE("deploy commands: a daemon the command leaves behind does not hold the call",
          "[deploy][command]") {
  auto start = std::chrono::steady_clock::now();
  // The background child keeps the output pipe open after the shell exits.
  auto r = runCommand(Command{{"/bin/sh", "-c", "sleep 3 & echo started"}}, "reload_command", 10s);
  CHECK(r.ok());
  CHECK_THAT(r.output, Contains("started"));
  CHECK(std::chrono::steady_clock::now() - start < 2500ms);
}

TEST_CASE("deploy commands: output is bounded, keeping the end", "[deploy][command]") {
  auto r =
      runCommand(Command{{"/bin/sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a; echo TAIL"}},
                 "validate_command", 10s);
  CHECK(r.ok());
  CHECK(r.outputTruncated);
  CHECK(r.output.size() <= kMaxCommandOutput);
  CHECK_THAT(r.output, Contains("TAIL"));
}

TEST_CASE("deploy commands: a signal is reported", "[deploy][command]") {
  auto r = runCommand(Command{{"/bin/sh", "-c", "kill -TERM $$"}}, "reload_command", 5s);
  CHECK(r.signal == 15);
  CHECK(r.exitCode == -1);
  CHECK(r.describe() == "killed by signal 15");
}
