#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/config/est_profile_config.h"
#include "core/config/scep_profile_config.h"

namespace certctl::config {

// Carries the offending variable separately so callers (and tests) can tell
// which setting was wrong without parsing the message; what() reads
// "VARIABLE: message".
struct ConfigError : std::runtime_error {
  std::string variable;
  ConfigError(std::string variable, const std::string& message);
};

// The server's settings after validation. Every field maps to one
// CERTCTL_* variable; the defaults are what an unconfigured server uses.
struct Config {
  std::string serverHost = "127.0.0.1";                    // CERTCTL_SERVER_HOST
  int serverPort = 8443;                                   // CERTCTL_SERVER_PORT (1..65535)
  int serverMaxThreads = 256;                              // CERTCTL_SERVER_MAX_THREADS (4..4096)
  std::chrono::milliseconds serverKeepAliveTimeout{5000};  // CERTCTL_SERVER_KEEPALIVE_TIMEOUT
  std::string dataDir = "/var/lib/certctl";                // CERTCTL_DATA_DIR
  // CERTCTL_DATABASE_URL: sqlite://PATH, postgres://..., postgresql://...;
  // loadConfig fills in "sqlite://<dataDir>/certctl.db" when unset.
  std::string databaseUrl;
  int databaseMaxConns = 25;         // CERTCTL_DATABASE_MAX_CONNS (1..1000)
  std::string migrationsPath;        // CERTCTL_DATABASE_MIGRATIONS_PATH ("" = server auto-detects)
  std::string logLevel = "info";     // CERTCTL_LOG_LEVEL: debug|info|warn|error
  std::string logFormat = "json";    // CERTCTL_LOG_FORMAT: json|text
  std::string authType = "api-key";  // CERTCTL_AUTH_TYPE: api-key|none
  std::vector<std::string> authSecrets;  // CERTCTL_AUTH_SECRET: comma-separated, for key rotation
  // CERTCTL_API_KEYS_NAMED: "name:key[:admin],...": keys with the name the
  // audit trail records and, without ":admin", the operator role.
  struct NamedApiKey {
    std::string name;
    std::string key;
    bool admin = false;
  };
  std::vector<NamedApiKey> namedApiKeys;
  bool rateLimitEnabled = true;          // CERTCTL_RATE_LIMIT_ENABLED
  double rateLimitRps = 50;              // CERTCTL_RATE_LIMIT_RPS (>0)
  int rateLimitBurst = 100;              // CERTCTL_RATE_LIMIT_BURST (>=1)
  std::vector<std::string> corsOrigins;  // CERTCTL_CORS_ORIGINS: "*" or scheme://host[:port]
  std::string keygenMode = "agent";      // CERTCTL_KEYGEN_MODE: agent|server
  std::chrono::milliseconds schedulerRenewalCheckInterval{3600000};       // 1h
  std::chrono::milliseconds schedulerJobProcessorInterval{30000};         // 30s
  std::chrono::milliseconds schedulerAgentHealthCheckInterval{120000};    // 2m
  std::chrono::milliseconds schedulerNotificationProcessInterval{60000};  // 1m
  std::chrono::milliseconds schedulerRetryInterval{300000};               // 5m
  std::chrono::milliseconds jobTimeoutInterval{600000};                   // 10m
  int jobMaxAttempts = 3;                                                 // 1..100
  std::chrono::milliseconds jobRetryBackoff{30000};                       // 30s
  std::chrono::milliseconds crlGenerationInterval{3600000};               // 1h
  std::chrono::milliseconds notificationRetryInterval{300000};            // 5m
  std::size_t maxBodyBytes = 1048576;   // CERTCTL_MAX_BODY_BYTES (1024 .. 64 MiB)
  bool insecureHttp = false;            // CERTCTL_INSECURE_HTTP: plain HTTP, development only
  std::string tlsCertPath, tlsKeyPath;  // CERTCTL_TLS_CERT_PATH / _KEY_PATH: both or neither
  std::string caCertPath, caKeyPath;    // CERTCTL_CA_CERT_PATH / _KEY_PATH: both or neither
  std::chrono::milliseconds ocspResponderRotationGrace{604800000};  // 7 days
  std::string publicUrl;                  // CERTCTL_PUBLIC_URL ("" = https://<host>:<port>)
  std::string pluginDir;                  // CERTCTL_PLUGIN_DIR
  bool demo = false;                      // CERTCTL_DEMO: seed demo data
  bool estEnabled = false;                // CERTCTL_EST_ENABLED: /.well-known/est/ routes
  std::string estIssuerId = "iss-local";  // CERTCTL_EST_ISSUER_ID
  std::string estEnrollmentPassword;      // CERTCTL_EST_ENROLLMENT_PASSWORD ("" = anonymous)
  std::string estProfileList;             // CERTCTL_EST_PROFILES: comma-separated names
  // Built from the above and CERTCTL_EST_PROFILE_<NAME>_* (docs/est.md);
  // empty unless estEnabled, one legacy profile (pathId "") without a list.
  std::vector<EstProfileConfig> estProfiles;
  // CERTCTL_ACME_*: the ACME issuer iss-acme made on start, as plugin config
  // fields ("directory_url" -> value); empty = none.
  std::map<std::string, std::string> acmeIssuer;
  bool scepEnabled = false;                // CERTCTL_SCEP_ENABLED: /scep
  std::string scepIssuerId = "iss-local";  // CERTCTL_SCEP_ISSUER_ID
  std::string scepChallengePassword;  // CERTCTL_SCEP_CHALLENGE_PASSWORD (required when enabled)
  std::string scepRaCertPath;         // CERTCTL_SCEP_RA_CERT_PATH
  std::string scepRaKeyPath;          // CERTCTL_SCEP_RA_KEY_PATH (0600)
  std::string scepProfileId;          // CERTCTL_SCEP_PROFILE_ID ("" = none)
  std::string scepProfileList;        // CERTCTL_SCEP_PROFILES: comma-separated names
  // Built from the list and CERTCTL_SCEP_PROFILE_<NAME>_*; empty = /scep alone.
  std::vector<ScepProfileConfig> scepProfiles;
  // The built-in ACME server (docs/acme-server.md).
  bool acmeServerEnabled = false;                        // CERTCTL_ACME_SERVER_ENABLED
  std::string acmeServerDefaultProfileId;                // CERTCTL_ACME_SERVER_DEFAULT_PROFILE_ID
  std::string acmeServerIssuerId = "iss-local";          // CERTCTL_ACME_SERVER_ISSUER_ID
  std::chrono::milliseconds acmeServerNonceTtl{600000};  // CERTCTL_ACME_SERVER_NONCE_TTL
  int acmeServerOrdersPerHour = 300;   // CERTCTL_ACME_SERVER_ORDERS_PER_HOUR (per account)
  int acmeServerOrdersPageSize = 100;  // CERTCTL_ACME_SERVER_ORDERS_PAGE_SIZE
  std::string acmeServerTosUrl;        // CERTCTL_ACME_SERVER_TOS_URL ("" = none)
  // Challenge validation of the `challenge` auth mode.
  std::string acmeServerDnsResolver;  // CERTCTL_ACME_SERVER_DNS_RESOLVER ("" = resolv.conf)
  int acmeServerHttp01Port = 80;      // CERTCTL_ACME_SERVER_HTTP01_PORT
  int acmeServerTlsAlpn01Port = 443;  // CERTCTL_ACME_SERVER_TLSALPN01_PORT
  std::chrono::milliseconds acmeServerValidationTimeout{10000};  // _VALIDATION_TIMEOUT
  bool acmeServerValidationAllowLoopback = false;                // _VALIDATION_ALLOW_LOOPBACK
  // Lua hooks (docs/lua.md).
  std::string luaHookDir;                       // CERTCTL_LUA_HOOK_DIR ("" = auto-detected)
  long long luaInstructionBudget = 100000000;   // CERTCTL_LUA_INSTRUCTION_BUDGET
  std::chrono::milliseconds luaTimeout{60000};  // CERTCTL_LUA_TIMEOUT (wall clock per call)
  bool luaHttpAllowLoopback = false;            // CERTCTL_LUA_HTTP_ALLOW_LOOPBACK
  std::vector<std::string> luaEnvAllow;         // CERTCTL_LUA_ENV_ALLOW: comma-separated names

  // The file path of a sqlite:// database URL, "" for any other database.
  std::string sqlitePath() const;
  bool isPostgres() const;
};

// Builds a validated Config. `fileValues` (from --config FILE) is the base and
// `env` overrides it key by key. Only CERTCTL_* keys are read. An unknown
// CERTCTL_* key in the file is an error, because a misspelt setting in a file
// the operator wrote would otherwise be silently ignored; unknown ones in the
// environment are ignored, since the environment is shared with other tools
// (the agent, the CLI). Throws ConfigError on the first invalid value.
Config loadConfig(const std::map<std::string, std::string>& env,
                  const std::map<std::string, std::string>& fileValues = {});

// Reads a --config file: KEY=VALUE lines, '#' comment lines, blank lines,
// an optional leading "export ", and values optionally wrapped in double or
// single quotes (taken literally, no escapes). Throws ConfigError whose
// variable is the file path, with the line number in the message, on an
// unreadable file, a malformed line or a key set twice.
std::map<std::string, std::string> readConfigFile(const std::filesystem::path& path);

// The CERTCTL_* variables of the process environment.
std::map<std::string, std::string> environmentMap();

// A table of every variable with its default and meaning, for --help.
std::string configHelpText();

}  // namespace certctl::config
