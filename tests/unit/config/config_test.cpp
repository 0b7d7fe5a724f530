#include "core/config/config.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>

using certctl::config::Config;
using certctl::config::ConfigError;
using certctl::config::configHelpText;
using certctl::config::environmentMap;
using certctl::config::loadConfig;
using certctl::config::readConfigFile;
using Map = std::map<std::string, std::string>;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

namespace {

// A scratch directory removed at scope exit, so tests can write real files.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("certctl-config-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  fs::path write(const std::string& name, const std::string& content) const {
    const fs::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Loads with one variable set and returns the variable named by the error
// ("" when nothing was thrown), so every check is about *which* setting failed.
std::string failingVariable(const Map& env, const Map& file = {}) {
  try {
    loadConfig(env, file);
  } catch (const ConfigError& e) {
    return e.variable;
  }
  return "";
}

}  // namespace

TEST_CASE("ConfigError names the variable in what()", "[config]") {
  const ConfigError e("CERTCTL_SERVER_PORT", "must be an integer");
  CHECK(e.variable == "CERTCTL_SERVER_PORT");
  CHECK(std::string(e.what()) == "CERTCTL_SERVER_PORT: must be an integer");
}

TEST_CASE("defaults with no configuration", "[config]") {
  const Config c = loadConfig({});
  CHECK(c.serverHost == "127.0.0.1");
  CHECK(c.serverPort == 8443);
  CHECK(c.dataDir == "/var/lib/certctl");
  CHECK(c.databaseUrl == "sqlite:///var/lib/certctl/certctl.db");
  CHECK(c.sqlitePath() == "/var/lib/certctl/certctl.db");
  CHECK_FALSE(c.isPostgres());
  CHECK(c.databaseMaxConns == 25);
  CHECK(c.migrationsPath.empty());
  CHECK(c.logLevel == "info");
  CHECK(c.logFormat == "json");
  CHECK(c.authType == "api-key");
  CHECK(c.authSecrets.empty());
  CHECK(c.rateLimitEnabled);
  CHECK(c.rateLimitRps == 50.0);
  CHECK(c.rateLimitBurst == 100);
  CHECK(c.corsOrigins.empty());
  CHECK(c.keygenMode == "agent");
  CHECK(c.schedulerRenewalCheckInterval == milliseconds(3600000));
  CHECK(c.schedulerJobProcessorInterval == milliseconds(30000));
  CHECK(c.schedulerAgentHealthCheckInterval == milliseconds(120000));
  CHECK(c.schedulerNotificationProcessInterval == milliseconds(60000));
  CHECK(c.schedulerRetryInterval == milliseconds(300000));
  CHECK(c.jobTimeoutInterval == milliseconds(600000));
  CHECK(c.crlGenerationInterval == milliseconds(3600000));
  CHECK(c.notificationRetryInterval == milliseconds(300000));
  CHECK(c.maxBodyBytes == 1048576);
  CHECK_FALSE(c.insecureHttp);
  CHECK(c.tlsCertPath.empty());
  CHECK(c.tlsKeyPath.empty());
  CHECK(c.caCertPath.empty());
  CHECK(c.caKeyPath.empty());
  CHECK(c.pluginDir.empty());
  CHECK_FALSE(c.demo);
}

TEST_CASE("every variable can be set", "[config]") {
  const Map env = {
      {"CERTCTL_SERVER_HOST", "0.0.0.0"},
      {"CERTCTL_SERVER_PORT", "9443"},
      {"CERTCTL_DATA_DIR", "/srv/certctl"},
      {"CERTCTL_DATABASE_URL", "postgres://certctl:pw@db.internal:5432/certctl?sslmode=require"},
      {"CERTCTL_DATABASE_MAX_CONNS", "50"},
      {"CERTCTL_DATABASE_MIGRATIONS_PATH", "/opt/migrations"},
      {"CERTCTL_LOG_LEVEL", "DEBUG"},
      {"CERTCTL_LOG_FORMAT", "text"},
      {"CERTCTL_AUTH_TYPE", "none"},
      {"CERTCTL_AUTH_SECRET", "0123456789abcdef"},
      {"CERTCTL_RATE_LIMIT_ENABLED", "no"},
      {"CERTCTL_RATE_LIMIT_RPS", "12.5"},
      {"CERTCTL_RATE_LIMIT_BURST", "7"},
      {"CERTCTL_CORS_ORIGINS", "https://ui.example.com"},
      {"CERTCTL_KEYGEN_MODE", "server"},
      {"CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL", "2h"},
      {"CERTCTL_SCHEDULER_JOB_PROCESSOR_INTERVAL", "10s"},
      {"CERTCTL_SCHEDULER_AGENT_HEALTH_CHECK_INTERVAL", "5m"},
      {"CERTCTL_SCHEDULER_NOTIFICATION_PROCESS_INTERVAL", "90"},
      {"CERTCTL_SCHEDULER_RETRY_INTERVAL", "1m30s"},
      {"CERTCTL_JOB_TIMEOUT_INTERVAL", "1.5h"},
      {"CERTCTL_CRL_GENERATION_INTERVAL", "30m"},
      {"CERTCTL_NOTIFICATION_RETRY_INTERVAL", "500ms"},
      {"CERTCTL_MAX_BODY_BYTES", "2048"},
      {"CERTCTL_INSECURE_HTTP", "TRUE"},
      {"CERTCTL_CA_CERT_PATH", "/etc/certctl/ca.pem"},
      {"CERTCTL_CA_KEY_PATH", "/etc/certctl/ca.key"},
      {"CERTCTL_PLUGIN_DIR", "/opt/plugins"},
      {"CERTCTL_DEMO", "1"},
  };
  const Config c = loadConfig(env);
  CHECK(c.serverHost == "0.0.0.0");
  CHECK(c.serverPort == 9443);
  CHECK(c.dataDir == "/srv/certctl");
  CHECK(c.databaseUrl == "postgres://certctl:pw@db.internal:5432/certctl?sslmode=require");
  CHECK(c.isPostgres());
  CHECK(c.sqlitePath().empty());
  CHECK(c.databaseMaxConns == 50);
  CHECK(c.migrationsPath == "/opt/migrations");
  CHECK(c.logLevel == "debug");  // enumerations are stored in lower case
  CHECK(c.logFormat == "text");
  CHECK(c.authType == "none");
  CHECK(c.authSecrets == std::vector<std::string>{"0123456789abcdef"});
  CHECK_FALSE(c.rateLimitEnabled);
  CHECK(c.rateLimitRps == 12.5);
  CHECK(c.rateLimitBurst == 7);
  CHECK(c.corsOrigins == std::vector<std::string>{"https://ui.example.com"});
  CHECK(c.keygenMode == "server");
  CHECK(c.schedulerRenewalCheckInterval == milliseconds(7200000));
  CHECK(c.schedulerJobProcessorInterval == milliseconds(10000));
  CHECK(c.schedulerAgentHealthCheckInterval == milliseconds(300000));
  CHECK(c.schedulerNotificationProcessInterval == milliseconds(90000));
  CHECK(c.schedulerRetryInterval == milliseconds(90000));
  CHECK(c.jobTimeoutInterval == milliseconds(5400000));
  CHECK(c.crlGenerationInterval == milliseconds(1800000));
  CHECK(c.notificationRetryInterval == milliseconds(500));
  CHECK(c.maxBodyBytes == 2048);
  CHECK(c.insecureHttp);
  CHECK(c.caCertPath == "/etc/certctl/ca.pem");
  CHECK(c.caKeyPath == "/etc/certctl/ca.key");
  CHECK(c.pluginDir == "/opt/plugins");
  CHECK(c.demo);
}

TEST_CASE("the environment overrides the file key by key", "[config]") {
  const Map file = {{"CERTCTL_SERVER_PORT", "7000"},
                    {"CERTCTL_LOG_LEVEL", "warn"},
                    {"CERTCTL_DATA_DIR", "/from/file"}};
  const Map env = {{"CERTCTL_SERVER_PORT", "9000"}};
  const Config c = loadConfig(env, file);
  CHECK(c.serverPort == 9000);  // env wins
  CHECK(c.logLevel == "warn");  // file value kept where env is silent
  CHECK(c.dataDir == "/from/file");
  CHECK(c.databaseUrl == "sqlite:///from/file/certctl.db");
}

TEST_CASE("a bad file value is ignored when the environment overrides it", "[config]") {
  const Config c = loadConfig({{"CERTCTL_SERVER_PORT", "9000"}}, {{"CERTCTL_SERVER_PORT", "abc"}});
  CHECK(c.serverPort == 9000);
}

TEST_CASE("only CERTCTL_ keys are read", "[config]") {
  const Map env = {{"SERVER_PORT", "1"}, {"PORT", "abc"}, {"CERTCTL_UNKNOWN_THING", "x"}};
  const Config c = loadConfig(env, {{"PATH", "/bin"}, {"HOME", "/root"}});
  CHECK(c.serverPort == 8443);
}

TEST_CASE("unknown CERTCTL_ keys in the file are errors, in env they are not", "[config]") {
  CHECK_NOTHROW(loadConfig({{"CERTCTL_SERVR_PORT", "1"}}));
  CHECK(failingVariable({}, {{"CERTCTL_SERVR_PORT", "9000"}}) == "CERTCTL_SERVR_PORT");
  CHECK_THROWS_WITH(loadConfig({}, {{"CERTCTL_SERVR_PORT", "9000"}}),
                    Catch::Contains("did you mean CERTCTL_SERVER_PORT?"));
  // A lower-case spelling is a typo too, not a foreign key to skip.
  CHECK(failingVariable({}, {{"certctl_server_port", "9000"}}) == "certctl_server_port");
}

TEST_CASE("each bad value names its variable", "[config]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"CERTCTL_SERVER_HOST", ""},
      {"CERTCTL_SERVER_HOST", "bad host"},
      {"CERTCTL_SERVER_PORT", "abc"},
      {"CERTCTL_SERVER_PORT", "0"},
      {"CERTCTL_SERVER_PORT", "65536"},
      {"CERTCTL_SERVER_PORT", "12abc"},
      {"CERTCTL_SERVER_PORT", "-1"},
      {"CERTCTL_SERVER_PORT", ""},
      {"CERTCTL_SERVER_PORT", "99999999999999999999"},
      {"CERTCTL_DATA_DIR", ""},
      {"CERTCTL_DATABASE_URL", "mysql://localhost/certctl"},
      {"CERTCTL_DATABASE_URL", "/var/lib/certctl.db"},
      {"CERTCTL_DATABASE_URL", "sqlite://"},
      {"CERTCTL_DATABASE_URL", "postgres://"},
      {"CERTCTL_DATABASE_URL", "postgres://db:notaport/certctl"},
      {"CERTCTL_DATABASE_URL", "postgres://db host/certctl"},
      {"CERTCTL_DATABASE_MAX_CONNS", "0"},
      {"CERTCTL_DATABASE_MAX_CONNS", "1001"},
      {"CERTCTL_DATABASE_MAX_CONNS", "2.5"},
      {"CERTCTL_LOG_LEVEL", "verbose"},
      {"CERTCTL_LOG_FORMAT", "xml"},
      {"CERTCTL_AUTH_TYPE", "basic"},
      {"CERTCTL_AUTH_TYPE", "jwt"},
      {"CERTCTL_AUTH_SECRET", "short"},
      {"CERTCTL_AUTH_SECRET", "0123456789abcdef,short"},
      {"CERTCTL_RATE_LIMIT_ENABLED", "maybe"},
      {"CERTCTL_RATE_LIMIT_ENABLED", ""},
      {"CERTCTL_RATE_LIMIT_RPS", "0"},
      {"CERTCTL_RATE_LIMIT_RPS", "-3"},
      {"CERTCTL_RATE_LIMIT_RPS", "fast"},
      {"CERTCTL_RATE_LIMIT_RPS", "inf"},
      {"CERTCTL_RATE_LIMIT_RPS", "nan"},
      {"CERTCTL_RATE_LIMIT_RPS", "5rps"},
      {"CERTCTL_RATE_LIMIT_BURST", "0"},
      {"CERTCTL_RATE_LIMIT_BURST", "ten"},
      {"CERTCTL_CORS_ORIGINS", "example.com"},
      {"CERTCTL_CORS_ORIGINS", "ftp://example.com"},
      {"CERTCTL_CORS_ORIGINS", "https://example.com/"},
      {"CERTCTL_CORS_ORIGINS", "https://example.com/app"},
      {"CERTCTL_CORS_ORIGINS", "https://"},
      {"CERTCTL_CORS_ORIGINS", "https://example.com:0"},
      {"CERTCTL_CORS_ORIGINS", "https://ok.example.com,http://bad.example.com:99999"},
      {"CERTCTL_KEYGEN_MODE", "hsm"},
      {"CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL", "soon"},
      {"CERTCTL_SCHEDULER_JOB_PROCESSOR_INTERVAL", "0"},
      {"CERTCTL_SCHEDULER_AGENT_HEALTH_CHECK_INTERVAL", "-2m"},
      {"CERTCTL_SCHEDULER_NOTIFICATION_PROCESS_INTERVAL", "1d"},
      {"CERTCTL_SCHEDULER_RETRY_INTERVAL", ""},
      {"CERTCTL_JOB_TIMEOUT_INTERVAL", "10 m"},
      {"CERTCTL_CRL_GENERATION_INTERVAL", "1x"},
      {"CERTCTL_NOTIFICATION_RETRY_INTERVAL", "0s"},
      {"CERTCTL_MAX_BODY_BYTES", "1023"},
      {"CERTCTL_MAX_BODY_BYTES", "67108865"},
      {"CERTCTL_MAX_BODY_BYTES", "1MB"},
      {"CERTCTL_INSECURE_HTTP", "sure"},
      {"CERTCTL_DEMO", "2"},
  };
  for (const auto& [name, value] : cases) {
    INFO(name << "=\"" << value << "\"");
    CHECK(failingVariable({{name, value}}) == name);
    // The same rule applies to values from the file.
    CHECK(failingVariable({}, {{name, value}}) == name);
  }
}

TEST_CASE("error messages carry the variable and the value", "[config]") {
  CHECK_THROWS_WITH(loadConfig({{"CERTCTL_SERVER_PORT", "abc"}}),
                    "CERTCTL_SERVER_PORT: must be an integer 1-65535 (got \"abc\")");
  CHECK_THROWS_WITH(loadConfig({{"CERTCTL_AUTH_TYPE", "jwt"}}),
                    Catch::Contains("CERTCTL_AUTH_TYPE") && Catch::Contains("not supported yet"));
  CHECK_THROWS_WITH(loadConfig({{"CERTCTL_LOG_LEVEL", "loud"}}),
                    Catch::Contains("debug|info|warn|error"));
  // A pasted blob is cut short rather than flooding the log.
  const std::string blob(5000, 'z');
  try {
    loadConfig({{"CERTCTL_LOG_LEVEL", blob}});
    FAIL("no ConfigError thrown");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).size() < 200);
  }
}

TEST_CASE("secrets and database passwords are not echoed in errors", "[config]") {
  CHECK_THROWS_WITH(loadConfig({{"CERTCTL_AUTH_SECRET", "0123456789abcdef, tooShortKey"}}),
                    !Catch::Contains("tooShortKey") && Catch::Contains("key 2 of 2"));
  CHECK_THROWS_WITH(loadConfig({{"CERTCTL_DATABASE_URL", "postgres://u:hunter2@db:bad/x"}}),
                    !Catch::Contains("hunter2") && Catch::Contains("u:***@db:bad"));
}

TEST_CASE("CERTCTL_API_KEYS_NAMED: names, keys and the admin flag", "[config]") {
  const Config c = loadConfig(
      {{"CERTCTL_API_KEYS_NAMED", " ci_bot-1:0123456789abcdef , ops:fedcba9876543210:admin,"}});
  REQUIRE(c.namedApiKeys.size() == 2);
  CHECK(c.namedApiKeys[0].name == "ci_bot-1");
  CHECK(c.namedApiKeys[0].key == "0123456789abcdef");
  CHECK_FALSE(c.namedApiKeys[0].admin);
  CHECK(c.namedApiKeys[1].name == "ops");
  CHECK(c.namedApiKeys[1].admin);
  for (const char* bad : {"nokey", "a:b:c:d", ":0123456789abcdef", "bad name:0123456789abcdef",
                          "x:0123456789abcdef:Admin", "x:short"})
    CHECK_THROWS_AS(loadConfig({{"CERTCTL_API_KEYS_NAMED", bad}}), ConfigError);
  CHECK_THROWS_WITH(loadConfig({{"CERTCTL_API_KEYS_NAMED", "x:secretButShort"}}),
                    !Catch::Contains("secretButShort") && Catch::Contains("entry 1 of 1"));
}

TEST_CASE("comma-separated lists are trimmed and empties dropped", "[config]") {
  const Config c = loadConfig({
      {"CERTCTL_AUTH_SECRET", " first-key-0123456789 ,, second-key-0123456789 ,"},
      {"CERTCTL_CORS_ORIGINS",
       "https://a.example.com, http://localhost:3000 ,*,HTTPS://B.Example.COM"},
  });
  CHECK(c.authSecrets == std::vector<std::string>{"first-key-0123456789", "second-key-0123456789"});
  CHECK(c.corsOrigins == std::vector<std::string>{"https://a.example.com", "http://localhost:3000",
                                                  "*", "https://b.example.com"});
  CHECK(loadConfig({{"CERTCTL_CORS_ORIGINS", "http://[::1]:8080"}}).corsOrigins ==
        std::vector<std::string>{"http://[::1]:8080"});
  CHECK(loadConfig({{"CERTCTL_AUTH_SECRET", " , "}}).authSecrets.empty());
  CHECK(loadConfig({{"CERTCTL_CORS_ORIGINS", ""}}).corsOrigins.empty());
}

TEST_CASE("booleans accept true/false, 1/0 and yes/no", "[config]") {
  for (const char* yes : {"true", "1", "yes", "Yes", "TRUE"}) {
    CHECK(loadConfig({{"CERTCTL_DEMO", yes}}).demo);
  }
  for (const char* no : {"false", "0", "no", "NO", "False"}) {
    CHECK_FALSE(loadConfig({{"CERTCTL_RATE_LIMIT_ENABLED", no}}).rateLimitEnabled);
  }
}

TEST_CASE("database URL forms", "[config]") {
  SECTION("the SQLite default follows the data dir") {
    CHECK(loadConfig({{"CERTCTL_DATA_DIR", "/tmp/cc"}}).databaseUrl ==
          "sqlite:///tmp/cc/certctl.db");
    CHECK(loadConfig({{"CERTCTL_DATA_DIR", "/tmp/cc/"}}).sqlitePath() == "/tmp/cc/certctl.db");
    CHECK(loadConfig({{"CERTCTL_DATA_DIR", "data"}}).sqlitePath() == "data/certctl.db");
  }
  SECTION("an empty URL means the default") {
    CHECK(loadConfig({{"CERTCTL_DATABASE_URL", ""}}).databaseUrl ==
          "sqlite:///var/lib/certctl/certctl.db");
  }
  SECTION("an explicit SQLite URL is kept") {
    const Config c = loadConfig({{"CERTCTL_DATABASE_URL", "sqlite://./dev.db"}});
    CHECK(c.sqlitePath() == "./dev.db");
    CHECK_FALSE(c.isPostgres());
  }
  SECTION("PostgreSQL URLs") {
    for (const char* url : {"postgres://localhost/certctl", "postgresql://u@db:5432/certctl",
                            "postgres:///certctl", "postgres://u:p@[::1]:5432/db",
                            "postgresql://h1:5432,h2:5433/db?target_session_attrs=read-write"}) {
      INFO(url);
      const Config c = loadConfig({{"CERTCTL_DATABASE_URL", url}});
      CHECK(c.isPostgres());
      CHECK(c.sqlitePath().empty());
      CHECK(c.databaseUrl == url);
    }
  }
}

TEST_CASE("TLS files: both or neither, and they must exist", "[config]") {
  TempDir dir;
  const std::string cert = dir.write("server.pem", "cert").string();
  const std::string key = dir.write("server.key", "key").string();

  const Config c = loadConfig({{"CERTCTL_TLS_CERT_PATH", cert}, {"CERTCTL_TLS_KEY_PATH", key}});
  CHECK(c.tlsCertPath == cert);
  CHECK(c.tlsKeyPath == key);

  CHECK(failingVariable({{"CERTCTL_TLS_CERT_PATH", cert}}) == "CERTCTL_TLS_KEY_PATH");
  CHECK(failingVariable({{"CERTCTL_TLS_KEY_PATH", key}}) == "CERTCTL_TLS_CERT_PATH");
  const std::string missing = (dir.path() / "missing.pem").string();
  CHECK(failingVariable({{"CERTCTL_TLS_CERT_PATH", missing}, {"CERTCTL_TLS_KEY_PATH", key}}) ==
        "CERTCTL_TLS_CERT_PATH");
  CHECK(failingVariable({{"CERTCTL_TLS_CERT_PATH", cert},
                         {"CERTCTL_TLS_KEY_PATH", dir.path().string()}}) == "CERTCTL_TLS_KEY_PATH");
}

TEST_CASE("CA files: both or neither", "[config]") {
  CHECK(failingVariable({{"CERTCTL_CA_CERT_PATH", "/etc/ca.pem"}}) == "CERTCTL_CA_KEY_PATH");
  CHECK(failingVariable({{"CERTCTL_CA_KEY_PATH", "/etc/ca.key"}}) == "CERTCTL_CA_CERT_PATH");
}

TEST_CASE("readConfigFile parses comments, quotes and export", "[config][file]") {
  TempDir dir;
  const fs::path file = dir.write("certctl.conf",
                                  "# certctl settings\n"
                                  "\n"
                                  "CERTCTL_SERVER_PORT=9443\n"
                                  "  CERTCTL_LOG_LEVEL = debug  \n"
                                  "export CERTCTL_DATA_DIR=\"/srv/certctl data\"\n"
                                  "CERTCTL_AUTH_SECRET='abc#def=0123456789'\n"
                                  "   # indented comment\n"
                                  "CERTCTL_CORS_ORIGINS=\r\n"
                                  "CERTCTL_PLUGIN_DIR=/opt/p#1\n"
                                  "OTHER_TOOL=x");
  const Map values = readConfigFile(file);
  CHECK(values == Map{{"CERTCTL_SERVER_PORT", "9443"},
                      {"CERTCTL_LOG_LEVEL", "debug"},
                      {"CERTCTL_DATA_DIR", "/srv/certctl data"},
                      {"CERTCTL_AUTH_SECRET", "abc#def=0123456789"},
                      {"CERTCTL_CORS_ORIGINS", ""},
                      {"CERTCTL_PLUGIN_DIR", "/opt/p#1"},
                      {"OTHER_TOOL", "x"}});

  const Config c = loadConfig({}, values);
  CHECK(c.serverPort == 9443);
  CHECK(c.logLevel == "debug");
  CHECK(c.sqlitePath() == "/srv/certctl data/certctl.db");
}

TEST_CASE("readConfigFile reports the file and line of a bad line", "[config][file]") {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"CERTCTL_SERVER_PORT=1\nthis is not a setting\n", "line 2"},
      {"# ok\n\n=value\n", "line 3"},
      {"CERTCTL_SERVER PORT=1\n", "line 1"},
      {"CERTCTL_DATA_DIR=\"/srv\n", "line 1: unterminated quote"},
      {"CERTCTL_DATA_DIR='/srv' trailing\n", "line 1"},
      {"CERTCTL_SERVER_PORT=1\nCERTCTL_LOG_LEVEL=info\nCERTCTL_SERVER_PORT=2\n",
       "line 3: CERTCTL_SERVER_PORT is already set on line 1"},
  };
  for (const auto& [content, where] : cases) {
    INFO(content);
    const fs::path file = dir.write("bad.conf", content);
    try {
      readConfigFile(file);
      FAIL("no ConfigError thrown");
    } catch (const ConfigError& e) {
      CHECK(e.variable == file.string());
      CHECK_THAT(e.what(), Catch::Contains(where));
    }
  }
}

TEST_CASE("readConfigFile on a missing file names the path", "[config][file]") {
  TempDir dir;
  const fs::path missing = dir.path() / "nope.conf";
  try {
    readConfigFile(missing);
    FAIL("no ConfigError thrown");
  } catch (const ConfigError& e) {
    CHECK(e.variable == missing.string());
  }
}

TEST_CASE("environmentMap returns only CERTCTL_ variables", "[config]") {
  ::setenv("CERTCTL_CONFIG_TEST_VALUE", "a=b", 1);
  ::setenv("NOT_CERTCTL_CONFIG_TEST", "x", 1);
  const Map env = environmentMap();
  ::unsetenv("CERTCTL_CONFIG_TEST_VALUE");
  ::unsetenv("NOT_CERTCTL_CONFIG_TEST");
  CHECK(env.at("CERTCTL_CONFIG_TEST_VALUE") == "a=b");
  CHECK(env.count("NOT_CERTCTL_CONFIG_TEST") == 0);
  for (const auto& [key, value] : env) CHECK(key.rfind("CERTCTL_", 0) == 0);
}

TEST_CASE("help text lists every variable with its default", "[config]") {
  const std::string help = configHelpText();
  for (const char* name : {"CERTCTL_SERVER_HOST",
                           "CERTCTL_SERVER_PORT",
                           "CERTCTL_DATA_DIR",
                           "CERTCTL_DATABASE_URL",
                           "CERTCTL_DATABASE_MAX_CONNS",
                           "CERTCTL_DATABASE_MIGRATIONS_PATH",
                           "CERTCTL_LOG_LEVEL",
                           "CERTCTL_LOG_FORMAT",
                           "CERTCTL_AUTH_TYPE",
                           "CERTCTL_AUTH_SECRET",
                           "CERTCTL_RATE_LIMIT_ENABLED",
                           "CERTCTL_RATE_LIMIT_RPS",
                           "CERTCTL_RATE_LIMIT_BURST",
                           "CERTCTL_CORS_ORIGINS",
                           "CERTCTL_KEYGEN_MODE",
                           "CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL",
                           "CERTCTL_SCHEDULER_JOB_PROCESSOR_INTERVAL",
                           "CERTCTL_SCHEDULER_AGENT_HEALTH_CHECK_INTERVAL",
                           "CERTCTL_SCHEDULER_NOTIFICATION_PROCESS_INTERVAL",
                           "CERTCTL_SCHEDULER_RETRY_INTERVAL",
                           "CERTCTL_JOB_TIMEOUT_INTERVAL",
                           "CERTCTL_CRL_GENERATION_INTERVAL",
                           "CERTCTL_NOTIFICATION_RETRY_INTERVAL",
                           "CERTCTL_MAX_BODY_BYTES",
                           "CERTCTL_INSECURE_HTTP",
                           "CERTCTL_TLS_CERT_PATH",
                           "CERTCTL_TLS_KEY_PATH",
                           "CERTCTL_CA_CERT_PATH",
                           "CERTCTL_CA_KEY_PATH",
                           "CERTCTL_PLUGIN_DIR",
                           "CERTCTL_DEMO"}) {
    INFO(name);
    CHECK_THAT(help, Catch::Contains(std::string("\n  ") + name + " "));
    // Every variable listed in --help is a key the file loader knows: a bad
    // value may be refused, but never as an unknown setting.
    try {
      loadConfig({}, {{name, "x"}});
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), !Catch::Contains("unknown setting"));
    }
  }
  CHECK_THAT(help, Catch::Contains("8443"));
  CHECK_THAT(help, Catch::Contains("1048576"));
}
