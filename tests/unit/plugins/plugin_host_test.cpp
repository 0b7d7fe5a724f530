// The plugin host against real plugin libraries (tests/abi): every refusal
// rule, the good plugins of each kind, and plugins that misbehave at call
// time. The libraries are copied into a temp dir per test, as an operator
// would drop them into CERTCTL_PLUGIN_DIR.
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "certctl/build_info.h"
#include "core/http/router.h"
#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"
#include "core/plugins/plugin_routes.h"
#include "tests/support/log_capture.h"
#include "tests/support/plugin_call_error.h"
#include "tests/support/test_database.h"

using namespace certctl;
using namespace certctl::plugins;
using certctl::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

using certctl::testing::callError;

using certctl::testing::LogCapture;

namespace {

// A plugin directory holding copies of the given built plugins.
struct PluginDir {
  TempDir temp;

  PluginDir(std::initializer_list<const char*> built) {
    for (const char* file : built) add(file);
  }
  fs::path add(const fs::path& built, const fs::path& subdir = {}) {
    fs::create_directories(temp.path() / subdir);
    auto target = temp.path() / subdir / built.filename();
    fs::copy_file(built, target, fs::copy_options::overwrite_existing);
    return target;
  }
  fs::path path(const char* built) const { return temp.path() / fs::path(built).filename(); }
  PluginHostOptions options() const {
    PluginHostOptions o;
    o.searchDirs = {temp.path()};
    return o;
  }
};

std::string refusalOf(const PluginHost& host, const fs::path& file) {
  for (const auto& r : host.refused())
    if (fs::path(r.path).filename() == file.filename()) return r.reason;
  return "(not refused)";
}

// Collects what the host (and plugins through it) log while alive.
}  // namespace

TEST_CASE("every broken plugin is refused with its reason; the host keeps going",
          "[plugins][host]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_NO_ENTRY,
                CERTCTL_ABI_PLUGIN_MAJOR2,
                CERTCTL_ABI_PLUGIN_V2_ONLY,
                CERTCTL_ABI_PLUGIN_MIN_MINOR99,
                CERTCTL_ABI_PLUGIN_SHORT_DESCRIPTOR,
                CERTCTL_ABI_PLUGIN_SHORT_VTABLE,
                CERTCTL_ABI_PLUGIN_MISSING_CALLBACK,
                CERTCTL_ABI_PLUGIN_DUP_A,
                CERTCTL_ABI_PLUGIN_DUP_B,
                CERTCTL_ABI_PLUGIN_ENTRY_NULL,
                CERTCTL_ABI_PLUGIN_INIT_FAILS,
                CERTCTL_ABI_PLUGIN_BAD_SCHEMA,
                CERTCTL_ABI_PLUGIN_BAD_TYPE,
                CERTCTL_ABI_PLUGIN_BAD_KIND,
                CERTCTL_ABI_PLUGIN_ECHO_ISSUER};
  { std::ofstream(dir.temp.path() / "garbage.so") << "not an ELF file"; }
  LogCapture logs;
  PluginHost host(dir.options());
  CHECK(host.scan() == 2);  // dup_a and the echo issuer

  auto reason = [&](const char* built) { return refusalOf(host, built); };
  using Catch::Matchers::Contains;
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_NO_ENTRY), Contains("no entry symbol certctl_plugin_v1"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_MAJOR2),
             Contains("descriptor declares plugin ABI major 2; this host implements ABI 1.1"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_V2_ONLY),
             Contains("built for plugin ABI major 2 (exports certctl_plugin_v2)"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_MIN_MINOR99),
             Contains("needs host plugin ABI 1.99 or newer; this host implements ABI 1.1"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_SHORT_DESCRIPTOR),
             Contains("descriptor struct_size 8 is smaller than the v1.0 minimum of 84"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_SHORT_VTABLE),
             Contains("issuer vtable_size 40 is smaller than the v1.0 minimum of 56"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_MISSING_CALLBACK),
             Contains("vtable lacks required callback 'issue'"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_DUP_B),
             Contains("duplicate type name: issuer 'test-dup' is already loaded from") &&
                 Contains(dir.path(CERTCTL_ABI_PLUGIN_DUP_A).filename().string()));
  CHECK(reason(CERTCTL_ABI_PLUGIN_DUP_A) == "(not refused)");
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_ENTRY_NULL),
             Contains("returned no descriptor: this plugin only runs on Tuesdays"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_INIT_FAILS),
             Contains("module_init failed (INVALID_CONFIG)") &&
                 Contains("license file /etc/example/license not found"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_BAD_SCHEMA), Contains("config_schema is not a JSON object"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_BAD_TYPE), Contains("type name 'bad type!' is invalid"));
  CHECK_THAT(reason(CERTCTL_ABI_PLUGIN_BAD_KIND), Contains("unknown plugin kind 7"));
  CHECK_THAT(refusalOf(host, "garbage.so"), Contains("cannot load:"));
  CHECK(host.refused().size() == 14);

  // Listed for the API, and each refusal logged with its reason.
  auto list = host.listPlugins();
  REQUIRE(list["loaded"].size() == 2);
  REQUIRE(list["refused"].size() == 14);
  for (const auto& r : list["refused"]) {
    CHECK(fs::path(r["path"].get<std::string>()).is_absolute());
    CHECK_FALSE(r["reason"].get<std::string>().empty());
  }
  auto logText = logs.text();
  CHECK_THAT(logText, Contains("plugin refused") && Contains("unknown plugin kind 7"));

  // The survivors work.
  CHECK(host.has(PluginKind::Issuer, "test-dup"));
  CHECK(host.createIssuer("test-dup", json::object())->issue({{"x", 1}})["raw_c"] == true);
  CHECK(host.createIssuer("test-echo", json::object())->issue({})["prefix"] == "echo");
  // A refused type does not exist as far as callers are concerned.
  CHECK_FALSE(host.has(PluginKind::Issuer, "test-minor99"));
  CHECK_THROWS_AS(host.createIssuer("test-minor99", json::object()), domain::ApiError);
}

TEST_CASE("the SDK echo issuer works end to end", "[plugins][host][sdk]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_ECHO_ISSUER};
  PluginHost host(dir.options());
  REQUIRE(host.scan() == 1);
  REQUIRE(host.refused().empty());

  auto listed = host.listPlugins()["loaded"].at(0);
  CHECK(listed["kind"] == "issuer");
  CHECK(listed["type"] == "test-echo");
  CHECK(listed["version"] == "1.2.3");
  CHECK_THAT(listed["build"].get<std::string>(), Catch::Matchers::Contains("certctl-sdk"));
  CHECK(listed["config_schema"]["properties"]["prefix"]["type"] == "string");
  CHECK(fs::path(listed["path"].get<std::string>()).filename() ==
        fs::path(CERTCTL_ABI_PLUGIN_ECHO_ISSUER).filename());
  CHECK(listed["abi"] == "1.1");
  CHECK(listed["operations"] ==
        json({"issue", "renew", "revoke", "get_ca_chain", "test_connection"}));

  CHECK(host.validateConfig(PluginKind::Issuer, "test-echo", {{"prefix", "p"}}) == json::object());
  auto invalid = callError([&] {
    host.validateConfig(PluginKind::Issuer, "test-echo", {{"prefix", 5}});
  });
  CHECK(invalid.status() == CERTCTL_INVALID_CONFIG);
  CHECK(invalid.kind() == domain::ErrorKind::BadRequest);
  CHECK(invalid.code() == "plugin_invalid_config");
  CHECK_THAT(invalid.what(), Catch::Matchers::Contains("prefix must be a string"));
  auto refusedConfig = callError([&] { host.createIssuer("test-echo", {{"refuse", true}}); });
  CHECK(refusedConfig.status() == CERTCTL_INVALID_CONFIG);
  CHECK_THROWS_AS(host.createIssuer("no-such-type", json::object()), domain::ApiError);
  CHECK_THROWS_AS(host.createTarget("test-echo", json::object()), domain::ApiError);

  auto issuer = host.createIssuer("test-echo", {{"prefix", "p"}});
  json request = {
      {"common_name", "a.example"}, {"sans", {"a.example", "b.example"}}, {"count", 41}};
  auto issued = issuer->issue(request);
  CHECK(issued["serial"] == "p-a.example");
  CHECK(issued["echo"] == request);
  CHECK(issued["count"] == 42);
  CHECK(issued["host_version"] == build::kVersion);
  CHECK(issuer->renew(request)["renewed"] == true);
  CHECK(issuer->revoke({{"serial", "0a1b"}}) == json{{"revoked", "0a1b"}});
  CHECK(issuer->getCaChain()["chain_pem"] == "p-chain");
  CHECK(issuer->supports("get_ca_chain"));
  CHECK_FALSE(issuer->supports("generate_crl"));
  auto unsupported = callError([&] { issuer->generateCrl({{"revoked", json::array()}}); });
  CHECK(unsupported.status() == CERTCTL_UNSUPPORTED);
  CHECK(unsupported.code() == "plugin_unsupported");

  // A request the plugin cannot use is REJECTED, not a crash.
  auto badRequest = callError([&] { issuer->issue({{"count", "forty-one"}}); });
  CHECK(badRequest.status() == CERTCTL_REJECTED);
  CHECK_THAT(badRequest.what(), Catch::Matchers::Contains("invalid request"));

  // Instances are per config and are destroyed with their C++ owner.
  CHECK(issuer->testConnection()["live_instances"] == 1);
  {
    auto second = host.createIssuer("test-echo", {{"prefix", "q"}});
    CHECK(second->issue({{"common_name", "c"}})["serial"] == "q-c");
    CHECK(issuer->testConnection()["live_instances"] == 2);
  }
  CHECK(issuer->testConnection()["live_instances"] == 1);
}

TEST_CASE("instances keep their library loaded after the host is gone", "[plugins][host]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_ECHO_ISSUER};
  LogCapture logs;
  auto host = std::make_unique<PluginHost>(dir.options());
  REQUIRE(host->scan() == 1);
  CHECK_THAT(logs.text(), Catch::Matchers::Contains("test-echo module init"));
  auto issuer = host->createIssuer("test-echo", json::object());
  host.reset();
  CHECK_THAT(logs.text(), !Catch::Matchers::Contains("test-echo module teardown"));
  CHECK(issuer->issue({{"common_name", "still-here"}})["serial"] == "echo-still-here");
  issuer.reset();
  CHECK_THAT(logs.text(), Catch::Matchers::Contains("test-echo module teardown"));
}

TEST_CASE("host services reach the plugin, and their failures come back as statuses",
          "[plugins][host][sdk]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_ECHO_ISSUER};
  auto options = dir.options();
  options.services.readSecret = [](const json& request) -> json {
    if (request.at("name") == "db") return {{"value", "s3cret"}};
    throw HostServiceError(CERTCTL_REJECTED,
                           "no such secret: " + request.at("name").get<std::string>());
  };
  options.services.lookupCertificateBySerial = [](const json& request) -> json {
    return {{"found", true}, {"certificate", {{"serial", request.at("serial")}}}};
  };
  LogCapture logs;
  PluginHost host(options);
  REQUIRE(host.scan() == 1);
  auto issuer = host.createIssuer("test-echo", json::object());

  CHECK(issuer->issue({{"secret", "db"}})["secret"] == "s3cret");
  auto missing = callError([&] { issuer->issue({{"secret", "nope"}}); });
  CHECK(missing.status() == CERTCTL_REJECTED);
  CHECK_THAT(missing.what(), Catch::Matchers::Contains("read_secret: no such secret: nope"));
  CHECK(issuer->issue({{"lookup", "0a"}})["lookup"]["certificate"]["serial"] == "0a");

  // A host without services: the plugin is told, and says so. (A copy of the
  // file: the same file is one library per process, see the next test.)
  PluginDir other{};
  fs::copy_file(CERTCTL_ABI_PLUGIN_ECHO_ISSUER, other.temp.path() / "echo-copy.so");
  PluginHost bare(other.options());
  REQUIRE(bare.scan() == 1);
  auto noServices = bare.createIssuer("test-echo", json::object());
  auto unsupported = callError([&] { noServices->issue({{"secret", "db"}}); });
  CHECK(unsupported.status() == CERTCTL_UNSUPPORTED);
  CHECK_THAT(unsupported.what(), Catch::Matchers::Contains("no read_secret service"));
  // ... while the first host's plugin still has its own services.
  CHECK(issuer->issue({{"secret", "db"}})["secret"] == "s3cret");

  // Plugin log lines go to the host log, attributed to the plugin.
  issuer->issue({{"log", "hello from the plugin"}});
  CHECK_THAT(logs.text(), Catch::Matchers::Contains("hello from the plugin") &&
                              Catch::Matchers::Contains("issuer 'test-echo'"));
}

TEST_CASE("one library is loaded once per process, whatever the path", "[plugins][host]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_ECHO_ISSUER};
  fs::create_hard_link(dir.path(CERTCTL_ABI_PLUGIN_ECHO_ISSUER), dir.temp.path() / "z-link.so");
  LogCapture logs;
  auto host = std::make_unique<PluginHost>(dir.options());
  CHECK(host->scan() == 1);
  CHECK_THAT(refusalOf(*host, "z-link.so"),
             Catch::Matchers::Contains("the same library is already loaded from") &&
                 Catch::Matchers::Contains("abi_echo_issuer.so"));
  // A second host in the same process gets the same answer, and the first is unharmed.
  PluginHost second(dir.options());
  CHECK(second.scan() == 0);
  CHECK(second.refused().size() == 2);
  CHECK(host->createIssuer("test-echo", json::object())->issue({})["prefix"] == "echo");
  // Once the first owner is gone, the library can be loaded again.
  host.reset();
  PluginHost third(dir.options());
  CHECK(third.scan() == 1);
}

TEST_CASE("malformed JSON and error statuses surface as clean errors", "[plugins][host]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_MALFORMED_JSON, CERTCTL_ABI_PLUGIN_ERROR_STATUS};
  LogCapture logs;
  PluginHost host(dir.options());
  REQUIRE(host.scan() == 2);

  auto malformed = host.createIssuer("test-malformed", json::object());
  auto truncated = callError([&] { malformed->issue({}); });
  CHECK(truncated.status() == CERTCTL_INTERNAL);
  CHECK(truncated.kind() == domain::ErrorKind::Unavailable);
  CHECK(truncated.code() == "plugin_error");
  CHECK_THAT(truncated.what(), Catch::Matchers::Contains("issuer 'test-malformed' issue") &&
                                   Catch::Matchers::Contains("malformed JSON"));
  CHECK_THAT(callError([&] { malformed->renew({}); }).what(),
             Catch::Matchers::Contains("a JSON array instead of an object"));
  CHECK_THAT(callError([&] { malformed->revoke({}); }).what(),
             Catch::Matchers::Contains("malformed JSON"));  // invalid UTF-8

  auto failing = host.createIssuer("test-error-status", json::object());
  auto rejected = callError([&] { failing->issue({}); });
  CHECK(rejected.status() == CERTCTL_REJECTED);
  CHECK(rejected.kind() == domain::ErrorKind::BadRequest);
  CHECK(rejected.code() == "plugin_rejected");
  CHECK_THAT(rejected.what(), Catch::Matchers::Contains("CSR rejected: RSA key of 1024 bits"));
  auto silent = callError([&] { failing->renew({}); });
  CHECK(silent.status() == CERTCTL_RETRYABLE);
  CHECK(silent.retryable());
  CHECK(silent.code() == "plugin_retryable");
  CHECK_THAT(silent.what(), Catch::Matchers::Contains("no detail given by the plugin"));
  CHECK_THAT(logs.text(), Catch::Matchers::Contains("plugin bug") &&
                              Catch::Matchers::Contains("without an error message"));
  auto unknown = callError([&] { failing->revoke({}); });
  CHECK(unknown.status() == CERTCTL_INTERNAL);
  CHECK_THAT(unknown.what(), Catch::Matchers::Contains("unknown status 42: what is status 42?"));

  // Nothing of that harmed the host or the instances.
  CHECK(host.loaded().size() == 2);
  CHECK_THROWS_AS(failing->issue({}), PluginCallError);
}

TEST_CASE("exceptions thrown inside an SDK plugin never cross the boundary",
          "[plugins][host][sdk]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_THROWING_ISSUER};
  PluginHost host(dir.options());
  REQUIRE(host.scan() == 1);

  auto invalid = callError([&] {
    host.validateConfig(PluginKind::Issuer, "test-throws", {{"throw_in_create", true}});
  });
  CHECK(invalid.status() == CERTCTL_INTERNAL);
  CHECK_THAT(invalid.what(), Catch::Matchers::Contains("boom in the constructor"));
  CHECK(callError([&] {
          host.createIssuer("test-throws", {{"throw_in_create", true}});
        }).status() == CERTCTL_INTERNAL);

  auto issuer = host.createIssuer("test-throws", json::object());
  auto thrown = callError([&] { issuer->issue({}); });
  CHECK(thrown.status() == CERTCTL_INTERNAL);
  CHECK_THAT(thrown.what(), Catch::Matchers::Contains("boom from issue"));
  CHECK_THAT(callError([&] { issuer->renew({}); }).what(),
             Catch::Matchers::Contains("unknown exception in plugin"));
  auto typeError = callError([&] { issuer->revoke({{"serial", "not-a-number"}}); });
  CHECK(typeError.status() == CERTCTL_REJECTED);
  CHECK_THAT(typeError.what(), Catch::Matchers::Contains("invalid request"));
  auto retry = callError([&] { issuer->getCaChain(); });
  CHECK(retry.status() == CERTCTL_RETRYABLE);
  CHECK_THAT(retry.what(), Catch::Matchers::Contains("CA is restarting, try again"));
  CHECK_THAT(callError([&] { issuer->testConnection(); }).what(),
             Catch::Matchers::Contains("not a JSON object"));
  // Still alive and answering.
  CHECK_THAT(callError([&] { issuer->issue({}); }).what(),
             Catch::Matchers::Contains("boom from issue"));
}

TEST_CASE("a plain C plugin, and one built against a newer minor, load and work",
          "[plugins][host]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_C_ISSUER, CERTCTL_ABI_PLUGIN_FUTURE_MINOR};
  PluginHost host(dir.options());
  REQUIRE(host.scan() == 2);
  auto c = host.createIssuer("test-c-issuer", json::object());
  CHECK(c->issue({{"a", 1}}) == json{{"raw_c", true}, {"request", {{"a", 1}}}});
  CHECK(c->revoke({{"serial", "01"}}) == json::object());  // wrote nothing: {}

  auto future = host.createIssuer("test-future", json::object());
  CHECK(future->issue({{"b", 2}})["request"]["b"] == 2);
  CHECK(future->info().abiMinor == 5);
  CHECK(host.listPlugins()["loaded"][1]["abi"] == "1.5");
  CHECK(callError([&] { future->getOrderStatus({}); }).status() == CERTCTL_UNSUPPORTED);
}

TEST_CASE("targets, notifiers and discovery plugins through the SDK macros",
          "[plugins][host][sdk]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_ECHO_TARGET, CERTCTL_ABI_PLUGIN_ECHO_NOTIFIER,
                CERTCTL_ABI_PLUGIN_ECHO_DISCOVERY};
  PluginHost host(dir.options());
  REQUIRE(host.scan() == 3);

  auto target = host.createTarget("test-target", {{"address", "10.0.0.1:443"}});
  auto deployed = target->deploy({{"certificate_id", "mc-1"}});
  CHECK(deployed["target_address"] == "10.0.0.1:443");
  CHECK(deployed["deployment_id"] == "d-mc-1");
  CHECK(callError([&] { target->validateDeployment({}); }).status() == CERTCTL_UNSUPPORTED);

  auto notifier = host.createNotifier("test-notifier", json::object());
  CHECK(notifier->info().singleThreaded());
  CHECK(notifier->send({{"subject", "expiring"}})["message_id"] == "m-1");
  CHECK(callError([&] { notifier->send({}); }).status() == CERTCTL_REJECTED);

  auto discovery = host.createDiscovery("test-discovery", {{"paths", {"/etc/ssl/a.pem"}}});
  CHECK(discovery->scan({})["certificates"][0]["location"] == "/etc/ssl/a.pem");

  auto listing = host.listPlugins();
  std::set<std::string> kinds;
  for (const auto& p : listing["loaded"]) kinds.insert(p["kind"]);
  CHECK(kinds == std::set<std::string>{"target", "notifier", "discovery"});
  CHECK(listing["loaded"][1]["type"] == "test-notifier");
  CHECK(listing["loaded"][1]["flags"] == json({"single_threaded"}));
  CHECK(listing["loaded"][0]["flags"] == json::array());
}

TEST_CASE("concurrent calls: free for thread-safe plugins, serialised for single-threaded ones",
          "[plugins][host]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_ECHO_ISSUER, CERTCTL_ABI_PLUGIN_ECHO_NOTIFIER};
  PluginHost host(dir.options());
  REQUIRE(host.scan() == 2);
  auto issuer = host.createIssuer("test-echo", json::object());
  auto notifier = host.createNotifier("test-notifier", json::object());
  constexpr int kThreads = 8, kCalls = 100;
  std::atomic<int> failures{0};
  std::vector<std::string> ids(kThreads * kCalls);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        auto cn = std::to_string(t) + "-" + std::to_string(i);
        if (issuer->issue({{"common_name", cn}})["serial"] != "echo-" + cn) ++failures;
        ids[t * kCalls + i] = notifier->send({{"subject", "s"}})["message_id"];
      }
    });
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  // The notifier's unsynchronised counter only stays exact because the host serialises it.
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
}

TEST_CASE("results over the host's limit are refused", "[plugins][host]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_ECHO_ISSUER};
  auto options = dir.options();
  options.maxResultBytes = 512;
  PluginHost host(options);
  REQUIRE(host.scan() == 1);
  auto issuer = host.createIssuer("test-echo", json::object());
  CHECK(issuer->issue({{"common_name", "small"}})["serial"] == "echo-small");
  auto big = callError([&] { issuer->issue({{"padding", std::string(2000, 'x')}}); });
  CHECK(big.status() == CERTCTL_INTERNAL);
  CHECK_THAT(big.what(), Catch::Matchers::Contains("exceeds the host's limit of 512 bytes"));
}

TEST_CASE("scanning: kind sub-directories, non-plugin files, files seen twice", "[plugins][host]") {
  PluginDir dir{};
  dir.add(CERTCTL_ABI_PLUGIN_ECHO_ISSUER, "issuers");
  dir.add(CERTCTL_ABI_PLUGIN_ECHO_TARGET, "targets");
  std::ofstream(dir.temp.path() / "README.txt") << "not a plugin";
  PluginHost host(dir.options());
  CHECK(host.scan() == 2);
  CHECK(host.scan() == 0);  // already seen: neither reloaded nor refused as duplicates
  CHECK(host.refused().empty());
  CHECK_FALSE(host.loadFile(dir.temp.path() / "issuers" /
                            fs::path(CERTCTL_ABI_PLUGIN_ECHO_ISSUER).filename()));

  PluginHost empty(PluginHostOptions{{dir.temp.path() / "does-not-exist"}, {}, {}, 1024});
  CHECK(empty.scan() == 0);
  CHECK(empty.listPlugins() == json{{"loaded", json::array()}, {"refused", json::array()}});

  auto dirs = PluginHost::defaultSearchDirs("/opt/plugins");
  REQUIRE(dirs.size() == 2);
  CHECK(dirs[0] == "/opt/plugins");
  CHECK_THAT(dirs[1].string(), Catch::Matchers::EndsWith("certctl/plugins"));
  CHECK(PluginHost::defaultSearchDirs("").size() == 1);
}

TEST_CASE("GET /api/v1/plugins answers the host's listing", "[plugins][api]") {
  PluginDir dir{CERTCTL_ABI_PLUGIN_ECHO_ISSUER, CERTCTL_ABI_PLUGIN_NO_ENTRY};
  LogCapture logs;  // the refusal's warning
  PluginHost host(dir.options());
  host.scan();
  http::Router router;
  registerPluginRoutes(router, host);
  auto match = router.match("GET", "/api/v1/plugins");
  REQUIRE(match.route != nullptr);
  CHECK(match.route->requiresAuth);
  http::Request request;
  auto response = match.route->handler(request);
  CHECK(response.status == 200);
  auto body = json::parse(response.body);
  CHECK(body["loaded"][0]["type"] == "test-echo");
  CHECK_THAT(body["refused"][0]["reason"].get<std::string>(),
             Catch::Matchers::Contains("no entry symbol"));
}
