// sdk/deploy executeDeploy: the order write -> validate -> reload -> verify,
// the SHA-256 short-circuit, and rollback (with a second reload) whenever a
// step fails. The "server" is a pair of sh scripts that log what they see.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/deployment.h"
#include "tests/support/test_database.h"

using namespace certctl::sdk::deploy;
using certctl::testing::TempDir;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void writeText(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

unsigned modeOf(const fs::path& p) {
  return static_cast<unsigned>(fs::status(p).permissions() & fs::perms::mask);
}

// A directory with cert.pem/key.pem holding "OLD ..." and a log of the
// commands run; the commands see the cert file's content at their time.
struct Fixture {
  TempDir temp;
  fs::path dir = temp.path();
  fs::path cert = dir / "cert.pem";
  fs::path key = dir / "key.pem";
  fs::path log = dir / "commands.log";

  Fixture() {
    writeText(cert, "OLD CERT");
    writeText(key, "OLD KEY");
    fs::permissions(cert, fs::perms(0644));
    fs::permissions(key, fs::perms(0600));
  }

  // A command that appends "<name>:<first line of cert.pem>" to the log and exits `rc`.
  Command step(const std::string& name, int rc = 0) const {
    return Command{{"/bin/sh", "-c",
                    "echo \"" + name + ":$(head -n1 '" + cert.string() + "')\" >> '" +
                        log.string() + "'; echo " + name + " says hello; exit " +
                        std::to_string(rc)}};
  }
  // Fails while the new certificate is in place, succeeds on the old one.
  Command failsOnNew(const std::string& name) const {
    return Command{{"/bin/sh", "-c",
                    "echo \"" + name + ":$(head -n1 '" + cert.string() + "')\" >> '" +
                        log.string() + "'; if grep -q NEW '" + cert.string() +
                        "'; then echo cannot load the new certificate; exit 1; fi"}};
  }

  DeployPlan plan() const {
    DeployPlan p;
    p.files = {{"cert_path", cert, "NEW CERT", kCertificateMode},
               {"key_path", key, "NEW KEY", kPrivateKeyMode}};
    p.validate = step("validate");
    p.reload = step("reload");
    p.commandTimeout = 10s;
    return p;
  }

  std::string commands() const { return fs::exists(log) ? readText(log) : ""; }

  void expectOldFiles() const {
    CHECK(readText(cert) == "OLD CERT");
    CHECK(readText(key) == "OLD KEY");
    CHECK(modeOf(cert) == 0644);
    CHECK(modeOf(key) == 0600);
  }
};

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

TEST_CASE("deploy: files are written, then validated with them in place, then reloaded",
          "[deploy][transaction]") {
  Fixture f;
  std::vector<std::string> progress;
  auto plan = f.plan();
  plan.log = [&](const std::string& line) { progress.push_back(line); };
  plan.verify = [&] {
    CHECK(readText(f.cert) == "NEW CERT");
    return VerifyResult{true, "served"};
  };
  DeployOutcome outcome = executeDeploy(plan);
  CHECK_FALSE(outcome.unchanged);
  CHECK(outcome.validated);
  CHECK(outcome.reloaded);
  CHECK(outcome.verified);
  CHECK_THAT(outcome.message, Contains("deployed 2 file(s)") && Contains("reloaded"));
  CHECK(readText(f.cert) == "NEW CERT");
  CHECK(readText(f.key) == "NEW KEY");
  CHECK(modeOf(f.key) == 0600);
  CHECK(f.commands() == "validate:NEW CERT\nreload:NEW CERT\n");
  CHECK(progress.size() >= 5);
}

TEST_CASE("deploy: an identical redeploy is unchanged and runs nothing", "[deploy][transaction]") {
  Fixture f;
  executeDeploy(f.plan());
  const std::string before = f.commands();
  bool verified = false;
  auto plan = f.plan();
  plan.verify = [&] {
    verified = true;
    return VerifyResult{true, ""};
  };
  DeployOutcome again = executeDeploy(plan);
  CHECK(again.unchanged);
  CHECK_FALSE(again.reloaded);
  CHECK_FALSE(verified);
  CHECK_THAT(again.message, Contains("unchanged"));
  CHECK(f.commands() == before);

  // A different key alone is a change.
  plan.files[1].content = "OTHER KEY";
  CHECK_FALSE(executeDeploy(plan).unchanged);
  // So is a wrong mode on an identical file (someone made the key readable).
  fs::permissions(f.key, fs::perms(0644));
  CHECK_FALSE(executeDeploy(plan).unchanged);
  CHECK(modeOf(f.key) == 0600);
}

TEST_CASE("deploy: a failing config test restores every file and skips the reload",
          "[deploy][transaction]") {
  Fixture f;
  auto plan = f.plan();
  plan.files.push_back({"chain_path", f.dir / "chain.pem", "NEW CHAIN", kCertificateMode});
  plan.validate = f.step("validate", 1);
  auto e = deployError([&] { executeDeploy(plan); });
  CHECK(e.kind() == FailureKind::Rejected);
  CHECK_THAT(e.what(), Contains("validate_command") && Contains("exit status 1") &&
                           Contains("validate says hello") && Contains("rolled back"));
  f.expectOldFiles();
  CHECK_FALSE(fs::exists(f.dir / "chain.pem"));
  CHECK(f.commands() == "validate:NEW CERT\n");
}

TEST_CASE("deploy: a failing reload restores the files and reloads them again",
          "[deploy][transaction]") {
  Fixture f;
  auto plan = f.plan();
  plan.reload = f.failsOnNew("reload");
  auto e = deployError([&] { executeDeploy(plan); });
  CHECK(e.kind() == FailureKind::Retryable);
  CHECK_THAT(e.what(), Contains("reload_command") && Contains("cannot load the new certificate") &&
                           Contains("rolled back") && Contains("reloaded the restored files"));
  f.expectOldFiles();
  CHECK(f.commands() == "validate:NEW CERT\nreload:NEW CERT\nreload:OLD CERT\n");
}

TEST_CASE("deploy: a failing post-deploy check restores the files and reloads them again",
          "[deploy][transaction]") {
  Fixture f;
  auto plan = f.plan();
  plan.verify = [] { return VerifyResult{false, "127.0.0.1:8443 presents serial 01"}; };
  auto e = deployError([&] { executeDeploy(plan); });
  CHECK(e.kind() == FailureKind::Retryable);
  CHECK_THAT(e.what(), Contains("post-deploy verification failed") &&
                           Contains("presents serial 01") && Contains("rolled back"));
  f.expectOldFiles();
  CHECK(f.commands() == "validate:NEW CERT\nreload:NEW CERT\nreload:OLD CERT\n");

  // A verifier that throws counts as a failed check.
  plan.verify = []() -> VerifyResult { throw std::runtime_error("connection refused"); };
  auto thrown = deployError([&] { executeDeploy(plan); });
  CHECK_THAT(thrown.what(), Contains("connection refused"));
  f.expectOldFiles();
}

TEST_CASE("deploy: a reload that also fails after the rollback is reported",
          "[deploy][transaction]") {
  Fixture f;
  auto plan = f.plan();
  plan.reload = f.step("reload", 2);
  auto e = deployError([&] { executeDeploy(plan); });
  CHECK_THAT(e.what(), Contains("reloading the restored files failed too"));
  f.expectOldFiles();
}

TEST_CASE("deploy: a command that times out fails the step", "[deploy][transaction]") {
  Fixture f;
  auto plan = f.plan();
  plan.validate = Command{{"sleep", "30"}};
  plan.commandTimeout = 300ms;
  auto e = deployError([&] { executeDeploy(plan); });
  CHECK(e.kind() == FailureKind::Rejected);
  CHECK_THAT(e.what(), Contains("timed out"));
  f.expectOldFiles();
}

TEST_CASE("deploy: problems found before writing leave everything untouched",
          "[deploy][transaction]") {
  Fixture f;
  SECTION("a command that does not exist") {
    auto plan = f.plan();
    plan.reload = Command{{"certctl-no-such-reload-tool"}};
    auto e = deployError([&] { executeDeploy(plan); });
    CHECK(e.kind() == FailureKind::InvalidConfig);
    CHECK_THAT(e.what(), Contains("reload_command"));
  }
  SECTION("a directory that does not exist") {
    auto plan = f.plan();
    plan.files[1].path = f.dir / "missing" / "key.pem";
    auto e = deployError([&] { executeDeploy(plan); });
    CHECK(e.kind() == FailureKind::InvalidConfig);
    CHECK_THAT(e.what(), Contains("key_path") && Contains("does not exist"));
  }
  SECTION("two files on one path") {
    auto plan = f.plan();
    plan.files[1].path = f.cert;
    auto e = deployError([&] { executeDeploy(plan); });
    CHECK(e.kind() == FailureKind::InvalidConfig);
    CHECK_THAT(e.what(), Contains("key_path"));
  }
  SECTION("a path that is a directory") {
    auto plan = f.plan();
    fs::create_directory(f.dir / "sub");
    plan.files[1].path = f.dir / "sub";
    auto e = deployError([&] { executeDeploy(plan); });
    CHECK(e.kind() == FailureKind::InvalidConfig);
  }
  f.expectOldFiles();
  CHECK(f.commands().empty());
}

TEST_CASE("deploy: a symlinked path is followed, the link stays", "[deploy][transaction]") {
  Fixture f;
  fs::create_directory(f.dir / "live");
  writeText(f.dir / "live" / "cert.pem", "OLD CERT");
  fs::remove(f.cert);
  fs::create_symlink(f.dir / "live" / "cert.pem", f.cert);
  executeDeploy(f.plan());
  CHECK(fs::is_symlink(f.cert));
  CHECK(readText(f.dir / "live" / "cert.pem") == "NEW CERT");
}

TEST_CASE("deploy: no validate or reload command means those steps are skipped",
          "[deploy][transaction]") {
  Fixture f;
  auto plan = f.plan();
  plan.validate.reset();
  plan.reload.reset();
  auto outcome = executeDeploy(plan);
  CHECK_FALSE(outcome.validated);
  CHECK_FALSE(outcome.reloaded);
  CHECK(readText(f.cert) == "NEW CERT");
  CHECK(f.commands().empty());
}

TEST_CASE("deploy: two deployments into one directory take turns", "[deploy][transaction]") {
  Fixture f;
  // Each reload records its start and end; overlapping runs would interleave.
  auto plan = f.plan();
  plan.validate.reset();
  plan.reload = Command{
      {"/bin/sh", "-c",
       "echo start >> '" + f.log.string() + "'; sleep 0.3; echo end >> '" + f.log.string() + "'"}};
  auto other = plan;
  other.files[0].content = "OTHER CERT";
  std::thread t([&] { executeDeploy(other); });
  executeDeploy(plan);
  t.join();
  CHECK(f.commands() == "start\nend\nstart\nend\n");
}
