#include "core/config/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <string_view>
#include <system_error>

#include "core/config/duration.h"
#include "core/domain/ascii_case.h"
#include "core/protocols/acme/dns_lookup.h"

#if defined(_WIN32)
#define CERTCTL_ENVIRON _environ
#else
extern char** environ;
#define CERTCTL_ENVIRON environ
#endif

namespace certctl::config {

ConfigError::ConfigError(std::string name, const std::string& message)
    : std::runtime_error(name + ": " + message), variable(std::move(name)) {}

namespace {

constexpr std::string_view kPrefix = "CERTCTL_";
constexpr std::size_t kMaxBodyLimit = 64 * 1024 * 1024;
constexpr std::size_t kMinSecretLength = 16;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n\f\v");
  return s.substr(first, last - first + 1);
}

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         domain::asciiLower(s.substr(0, prefix.size())) == domain::asciiLower(prefix);
}

// Echoes a bad value back in error messages, bounded so a pasted blob does
// not flood the log.
std::string showValue(std::string_view value) {
  constexpr std::size_t kMaxShown = 80;
  if (value.size() > kMaxShown) return "\"" + std::string(value.substr(0, kMaxShown)) + "...\"";
  return "\"" + std::string(value) + "\"";
}

// Database URLs may carry a password; never put it into an error message.
std::string redactUrl(std::string_view url) {
  const auto schemeEnd = url.find("://");
  if (schemeEnd == std::string_view::npos) return std::string(url);
  const auto authorityStart = schemeEnd + 3;
  const auto authorityEnd = url.find_first_of("/?", authorityStart);
  const auto at = url.substr(0, authorityEnd).rfind('@');
  if (at == std::string_view::npos || at < authorityStart) return std::string(url);
  const auto colon = url.substr(0, at).find(':', authorityStart);
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::vector<std::string> splitList(std::string_view value) {
  std::vector<std::string> items;
  while (true) {
    const auto comma = value.find(',');
    const std::string_view item = trim(value.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return items;
}

template <typename T>
T parseInteger(std::string_view name, std::string_view value, T min, T max) {
  T result{};
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, result);
  if (value.empty() || ec != std::errc() || ptr != end || result < min || result > max) {
    throw ConfigError(std::string(name), "must be an integer " + std::to_string(min) + "-" +
                                             std::to_string(max) + " (got " + showValue(value) +
                                             ")");
  }
  return result;
}

double parsePositiveNumber(std::string_view name, std::string_view value) {
  double result = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, result);
  // from_chars accepts "inf" and "nan"; neither is a usable rate.
  if (value.empty() || ec != std::errc() || ptr != end || !std::isfinite(result) || result <= 0) {
    throw ConfigError(std::string(name),
                      "must be a number greater than 0 (got " + showValue(value) + ")");
  }
  return result;
}

bool parseBool(std::string_view name, std::string_view value) {
  const std::string v = domain::asciiLower(value);
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  throw ConfigError(std::string(name),
                    "must be true/false, 1/0 or yes/no (got " + showValue(value) + ")");
}

// Enumerations are matched case-insensitively and stored in lower case, so
// the rest of the server compares against one spelling.
std::string parseChoice(std::string_view name, std::string_view value,
                        std::initializer_list<std::string_view> choices) {
  const std::string v = domain::asciiLower(value);
  std::string list;
  for (std::string_view choice : choices) {
    if (v == choice) return v;
    list += (list.empty() ? "" : "|") + std::string(choice);
  }
  throw ConfigError(std::string(name),
                    "must be one of " + list + " (got " + showValue(value) + ")");
}

std::chrono::milliseconds parseDurationValue(std::string_view name, std::string_view value) {
  try {
    return parseDuration(value);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string(name), std::string(e.what()) + " (examples: 30s, 5m, 1h30m)");
  }
}

// A duration within [min, max]; `range` names the bounds for the error
// message ("1s and 5m").
std::chrono::milliseconds parseDurationBetween(std::string_view name, std::string_view value,
                                               std::chrono::milliseconds min,
                                               std::chrono::milliseconds max,
                                               std::string_view range) {
  std::chrono::milliseconds d = parseDurationValue(name, value);
  if (d < min || d > max)
    throw ConfigError(std::string(name), "must be between " + std::string(range));
  return d;
}

std::string requireNonEmpty(std::string_view name, std::string_view value) {
  if (value.empty()) throw ConfigError(std::string(name), "must not be empty");
  return std::string(value);
}

bool isHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// Checks "host[:port]" (IPv6 in brackets). Returns "" when valid, else why not.
std::string checkHostPort(std::string_view authority, bool hostRequired) {
  std::string_view host = authority;
  std::string_view port;
  bool hasPort = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return "unterminated IPv6 address";
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "unexpected text after IPv6 address";
      port = after.substr(1);
      hasPort = true;
    }
    if (host.empty()) return "empty host";
    for (char c : host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        return "invalid IPv6 address";
      }
    }
  } else {
    const auto colon = authority.find(':');
    if (colon != std::string_view::npos) {
      if (authority.find(':', colon + 1) != std::string_view::npos) {
        return "IPv6 addresses must be written in brackets";
      }
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      hasPort = true;
    }
    if (host.empty() && hostRequired) return "empty host";
    for (char c : host) {
      if (!isHostChar(c)) return "invalid character '" + std::string(1, c) + "' in host";
    }
  }
  if (hasPort) {
    int number = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || number < 1 ||
        number > 65535) {
      return "port must be 1-65535";
    }
  }
  return {};
}

std::string parseServerHost(std::string_view name, std::string_view value) {
  if (value.empty()) throw ConfigError(std::string(name), "empty host");
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '/') {
      throw ConfigError(std::string(name),
                        "must be a host name or IP address (got " + showValue(value) + ")");
    }
  }
  return std::string(value);
}

std::string parseDatabaseUrl(std::string_view name, std::string_view value) {
  if (value.empty()) return {};  // loadConfig derives the SQLite default
  const auto bad = [&](const std::string& why) {
    return ConfigError(std::string(name), why + " (got " + showValue(redactUrl(value)) + ")");
  };
  if (startsWithIgnoreCase(value, "sqlite://")) {
    if (value.size() == std::string_view("sqlite://").size()) {
      throw bad("sqlite:// needs a file path, e.g. sqlite:///var/lib/certctl/certctl.db");
    }
    return std::string(value);
  }
  std::string_view rest;
  if (startsWithIgnoreCase(value, "postgres://")) {
    rest = value.substr(std::string_view("postgres://").size());
  } else if (startsWithIgnoreCase(value, "postgresql://")) {
    rest = value.substr(std::string_view("postgresql://").size());
  } else {
    throw bad("must start with sqlite://, postgres:// or postgresql://");
  }
  // Poco::Data's PostgreSQL connector cannot quote values containing spaces.
  for (char c : rest) {
    if (std::isspace(static_cast<unsigned char>(c))) throw bad("must not contain spaces");
  }
  if (rest.empty()) throw bad("needs a host or database, e.g. postgres://certctl@db:5432/certctl");
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  // libpq allows a list of hosts for failover: "h1:5432,h2:5432".
  std::string_view hosts = authority;
  while (true) {
    const auto comma = hosts.find(',');
    const std::string why = checkHostPort(hosts.substr(0, comma), false);
    if (!why.empty()) throw bad(why);
    if (comma == std::string_view::npos) break;
    hosts.remove_prefix(comma + 1);
  }
  return std::string(value);
}

std::vector<std::string> parseSecrets(std::string_view name, std::string_view value) {
  std::vector<std::string> keys = splitList(value);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    // The key itself is never echoed: this message ends up in logs.
    if (keys[i].size() < kMinSecretLength) {
      throw ConfigError(std::string(name), "key " + std::to_string(i + 1) + " of " +
                                               std::to_string(keys.size()) + " is " +
                                               std::to_string(keys[i].size()) +
                                               " characters long; each key needs at least " +
                                               std::to_string(kMinSecretLength));
    }
  }
  return keys;
}

// "name:key[:admin]" entries. Names are what the audit trail records; a
// key appears once (two names for one key would make the actor ambiguous).
std::vector<Config::NamedApiKey> parseNamedApiKeys(std::string_view name, std::string_view value) {
  std::vector<Config::NamedApiKey> keys;
  const std::vector<std::string> entries = splitList(value);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    // Never echo an entry: it holds a key, and this message ends up in logs.
    const auto bad = [&](const std::string& why) {
      return ConfigError(std::string(name), "entry " + std::to_string(i + 1) + " of " +
                                                std::to_string(entries.size()) + ": " + why +
                                                " (expected name:key or name:key:admin)");
    };
    std::vector<std::string> parts;
    std::string_view rest = entries[i];
    for (std::size_t colon; (colon = rest.find(':')) != std::string_view::npos;) {
      parts.emplace_back(rest.substr(0, colon));
      rest.remove_prefix(colon + 1);
    }
    parts.emplace_back(rest);
    if (parts.size() < 2 || parts.size() > 3) throw bad("wrong number of ':' separated fields");
    if (parts.size() == 3 && parts[2] != "admin") throw bad("the third field can only be admin");
    const std::string& keyName = parts[0];
    if (keyName.empty() || keyName.size() > 64 ||
        !std::all_of(keyName.begin(), keyName.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; }))
      throw bad("the name must be 1-64 letters, digits, '-' or '_'");
    if (parts[1].size() < kMinSecretLength)
      throw bad("the key of " + keyName + " is shorter than " + std::to_string(kMinSecretLength) +
                " characters");
    for (const auto& k : keys)
      if (k.key == parts[1]) throw bad("the key of " + keyName + " is also the key of " + k.name);
    keys.push_back({keyName, parts[1], parts.size() == 3});
  }
  return keys;
}

std::vector<std::string> parseCorsOrigins(std::string_view name, std::string_view value) {
  std::vector<std::string> origins;
  for (const std::string& item : splitList(value)) {
    if (item == "*") {
      origins.push_back(item);
      continue;
    }
    const auto bad = [&](const std::string& why) {
      return ConfigError(std::string(name), "origin " + showValue(item) + ": " + why +
                                                " (expected scheme://host[:port] or *)");
    };
    const auto schemeEnd = item.find("://");
    if (schemeEnd == std::string::npos) throw bad("missing scheme");
    // Browsers send Origin in lower case; normalising here keeps the CORS
    // middleware's comparison a plain string match.
    const std::string origin = domain::asciiLower(item);
    const std::string_view scheme = std::string_view(origin).substr(0, schemeEnd);
    if (scheme != "http" && scheme != "https") throw bad("scheme must be http or https");
    const std::string_view authority = std::string_view(origin).substr(schemeEnd + 3);
    if (authority.find_first_of("/?#") != std::string_view::npos) {
      throw bad("an origin has no path, query or trailing slash");
    }
    if (authority.find('@') != std::string_view::npos) throw bad("an origin has no user info");
    const std::string why = checkHostPort(authority, true);
    if (!why.empty()) throw bad(why);
    origins.push_back(origin);
  }
  return origins;
}

// A CERTCTL_ACME_* value as the iss-acme config field `field` (blank = unset).
void setAcme(Config& config, const char* field, std::string_view value) {
  std::string v(trim(value));
  if (v.empty())
    config.acmeIssuer.erase(field);
  else
    config.acmeIssuer[field] = v;
}

// One row per variable: drives loading, the unknown-key check and --help.
struct Variable {
  std::string_view name;
  std::string_view defaultText;
  std::string_view meaning;
  void (*apply)(Config& config, std::string_view name, std::string_view value);
};

using std::string_view;

const Variable kVariables[] = {
    {"CERTCTL_SERVER_HOST", "127.0.0.1", "Address to listen on (0.0.0.0 for all interfaces).",
     [](Config& c, string_view n, string_view v) { c.serverHost = parseServerHost(n, v); }},
    {"CERTCTL_SERVER_PORT", "8443", "TCP port to listen on, 1-65535.",
     [](Config& c, string_view n, string_view v) { c.serverPort = parseInteger(n, v, 1, 65535); }},
    {"CERTCTL_SERVER_MAX_THREADS", "256",
     "Most connections served at once (one thread each while a keep-alive connection is open), "
     "4-4096.",
     [](Config& c, string_view n, string_view v) {
       c.serverMaxThreads = parseInteger(n, v, 4, 4096);
     }},
    {"CERTCTL_SERVER_KEEPALIVE_TIMEOUT", "5s",
     "How long an idle keep-alive connection may hold its thread, 1s-5m.",
     [](Config& c, string_view n, string_view v) {
       c.serverKeepAliveTimeout = parseDurationBetween(n, v, std::chrono::seconds(1),
                                                       std::chrono::minutes(5), "1s and 5m");
     }},
    {"CERTCTL_DATA_DIR", "/var/lib/certctl",
     "Directory for the SQLite database and the bootstrap CA and TLS files.",
     [](Config& c, string_view n, string_view v) { c.dataDir = requireNonEmpty(n, v); }},
    {"CERTCTL_DATABASE_URL", "sqlite://<data dir>/certctl.db",
     "sqlite://PATH, postgres://... or postgresql://...",
     [](Config& c, string_view n, string_view v) { c.databaseUrl = parseDatabaseUrl(n, v); }},
    {"CERTCTL_DATABASE_MAX_CONNS", "25", "Size of the database connection pool, 1-1000.",
     [](Config& c, string_view n, string_view v) {
       c.databaseMaxConns = parseInteger(n, v, 1, 1000);
     }},
    {"CERTCTL_DATABASE_MIGRATIONS_PATH", "(auto-detected)", "Directory holding the SQL migrations.",
     [](Config& c, string_view, string_view v) { c.migrationsPath = std::string(v); }},
    {"CERTCTL_LOG_LEVEL", "info", "debug, info, warn or error.",
     [](Config& c, string_view n, string_view v) {
       c.logLevel = parseChoice(n, v, {"debug", "info", "warn", "error"});
     }},
    {"CERTCTL_LOG_FORMAT", "json", "json or text.",
     [](Config& c, string_view n, string_view v) {
       c.logFormat = parseChoice(n, v, {"json", "text"});
     }},
    {"CERTCTL_AUTH_TYPE", "api-key",
     "api-key, or none to disable authentication (development only).",
     [](Config& c, string_view n, string_view v) {
       if (domain::asciiLower(v) == "jwt")
         throw ConfigError(std::string(n), "jwt is not supported yet; use api-key or none");
       c.authType = parseChoice(n, v, {"api-key", "none"});
     }},
    {"CERTCTL_AUTH_SECRET", "(none)",
     "API keys, comma-separated so old and new keys work during rotation; 16+ characters each.",
     [](Config& c, string_view n, string_view v) { c.authSecrets = parseSecrets(n, v); }},
    {"CERTCTL_API_KEYS_NAMED", "(none)",
     "Named API keys, comma-separated name:key or name:key:admin (16+ character keys without "
     "':'). The name is the audit actor; keys without :admin get the operator role, which "
     "cannot use the admin endpoints (/api/v1/admin/*, bulk revocation). Used together with "
     "CERTCTL_AUTH_SECRET, whose keys are admin.",
     [](Config& c, string_view n, string_view v) { c.namedApiKeys = parseNamedApiKeys(n, v); }},
    {"CERTCTL_RATE_LIMIT_ENABLED", "true", "Limit API requests per client (true/false).",
     [](Config& c, string_view n, string_view v) { c.rateLimitEnabled = parseBool(n, v); }},
    {"CERTCTL_RATE_LIMIT_RPS", "50",
     "Sustained requests per second allowed, > 0 (decimals allowed).",
     [](Config& c, string_view n, string_view v) { c.rateLimitRps = parsePositiveNumber(n, v); }},
    {"CERTCTL_RATE_LIMIT_BURST", "100",
     "Requests allowed in a burst above the sustained rate, >= 1.",
     [](Config& c, string_view n, string_view v) {
       c.rateLimitBurst = parseInteger(n, v, 1, 1000000);
     }},
    {"CERTCTL_CORS_ORIGINS", "(none: cross-origin denied)",
     "Comma-separated browser origins (https://host[:port]) or *.",
     [](Config& c, string_view n, string_view v) { c.corsOrigins = parseCorsOrigins(n, v); }},
    {"CERTCTL_KEYGEN_MODE", "agent", "agent (keys never leave the agent) or server (demo only).",
     [](Config& c, string_view n, string_view v) {
       c.keygenMode = parseChoice(n, v, {"agent", "server"});
     }},
    {"CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL", "1h",
     "How often to look for certificates due for renewal.",
     [](Config& c, string_view n, string_view v) {
       c.schedulerRenewalCheckInterval = parseDurationValue(n, v);
     }},
    {"CERTCTL_SCHEDULER_JOB_PROCESSOR_INTERVAL", "30s", "How often to pick up pending jobs.",
     [](Config& c, string_view n, string_view v) {
       c.schedulerJobProcessorInterval = parseDurationValue(n, v);
     }},
    {"CERTCTL_SCHEDULER_AGENT_HEALTH_CHECK_INTERVAL", "2m",
     "How often to mark silent agents offline.",
     [](Config& c, string_view n, string_view v) {
       c.schedulerAgentHealthCheckInterval = parseDurationValue(n, v);
     }},
    {"CERTCTL_SCHEDULER_NOTIFICATION_PROCESS_INTERVAL", "1m",
     "How often to send queued notifications.",
     [](Config& c, string_view n, string_view v) {
       c.schedulerNotificationProcessInterval = parseDurationValue(n, v);
     }},
    {"CERTCTL_SCHEDULER_RETRY_INTERVAL", "5m", "How often to retry failed jobs.",
     [](Config& c, string_view n, string_view v) {
       c.schedulerRetryInterval = parseDurationValue(n, v);
     }},
    {"CERTCTL_JOB_TIMEOUT_INTERVAL", "10m", "How long a job may wait or run before it is failed.",
     [](Config& c, string_view n, string_view v) {
       c.jobTimeoutInterval = parseDurationValue(n, v);
     }},
    {"CERTCTL_JOB_MAX_ATTEMPTS", "3",
     "Attempts of an issuance/renewal job before a transient failure is final, 1-100.",
     [](Config& c, string_view n, string_view v) {
       c.jobMaxAttempts = parseInteger(n, v, 1, 100);
     }},
    {"CERTCTL_JOB_RETRY_BACKOFF", "30s",
     "Delay before the first retry of a failed job; doubles per attempt, at most 1h.",
     [](Config& c, string_view n, string_view v) { c.jobRetryBackoff = parseDurationValue(n, v); }},
    {"CERTCTL_CRL_GENERATION_INTERVAL", "1h", "How often each issuer's CRL is regenerated.",
     [](Config& c, string_view n, string_view v) {
       c.crlGenerationInterval = parseDurationValue(n, v);
     }},
    {"CERTCTL_NOTIFICATION_RETRY_INTERVAL", "5m", "How often failed notifications are retried.",
     [](Config& c, string_view n, string_view v) {
       c.notificationRetryInterval = parseDurationValue(n, v);
     }},
    {"CERTCTL_MAX_BODY_BYTES", "1048576", "Largest accepted request body in bytes, 1024-67108864.",
     [](Config& c, string_view n, string_view v) {
       c.maxBodyBytes = parseInteger<std::size_t>(n, v, 1024, kMaxBodyLimit);
     }},
    {"CERTCTL_INSECURE_HTTP", "false", "Serve plain HTTP instead of HTTPS (development only).",
     [](Config& c, string_view n, string_view v) { c.insecureHttp = parseBool(n, v); }},
    {"CERTCTL_TLS_CERT_PATH", "(bootstrap cert)",
     "PEM server certificate to use instead of the generated one; needs CERTCTL_TLS_KEY_PATH.",
     [](Config& c, string_view, string_view v) { c.tlsCertPath = std::string(v); }},
    {"CERTCTL_TLS_KEY_PATH", "(bootstrap key)", "PEM private key of CERTCTL_TLS_CERT_PATH.",
     [](Config& c, string_view, string_view v) { c.tlsKeyPath = std::string(v); }},
    {"CERTCTL_CA_CERT_PATH", "(none)", "CA certificate for sub-CA mode; needs CERTCTL_CA_KEY_PATH.",
     [](Config& c, string_view, string_view v) { c.caCertPath = std::string(v); }},
    {"CERTCTL_CA_KEY_PATH", "(none)", "Private key of CERTCTL_CA_CERT_PATH.",
     [](Config& c, string_view, string_view v) { c.caKeyPath = std::string(v); }},
    {"CERTCTL_OCSP_RESPONDER_ROTATION_GRACE", "168h",
     "Local CA: renew the OCSP responder certificate this long before it expires.",
     [](Config& c, string_view n, string_view v) {
       c.ocspResponderRotationGrace = parseDurationValue(n, v);
     }},
    {"CERTCTL_PUBLIC_URL", "(https://HOST:PORT)",
     "Base URL relying parties use to reach this server; issued certificates point their "
     "CRL and OCSP URLs here.",
     [](Config& c, string_view n, string_view v) {
       std::string url(trim(v));
       while (!url.empty() && url.back() == '/') url.pop_back();
       if (!(startsWithIgnoreCase(url, "https://") || startsWithIgnoreCase(url, "http://")) ||
           url.find_first_of(" \t\"<>") != std::string::npos || url.size() < 10)
         throw ConfigError(std::string(n),
                           "must be an http:// or https:// URL (got " + showValue(v) + ")");
       c.publicUrl = url;
     }},
    {"CERTCTL_PLUGIN_DIR", "(none)",
     "Extra directory scanned for plugins before the installed ones.",
     [](Config& c, string_view, string_view v) { c.pluginDir = std::string(v); }},
    {"CERTCTL_DEMO", "false", "Seed demo data on start.",
     [](Config& c, string_view n, string_view v) { c.demo = parseBool(n, v); }},
    {"CERTCTL_EST_ENABLED", "false", "Serve EST (RFC 7030) cacerts and simpleenroll.",
     [](Config& c, string_view n, string_view v) { c.estEnabled = parseBool(n, v); }},
    {"CERTCTL_EST_ISSUER_ID", "iss-local", "The issuer that signs EST enrollments.",
     [](Config& c, string_view n, string_view v) {
       c.estIssuerId = std::string(trim(v));
       if (c.estIssuerId.empty()) throw ConfigError(std::string(n), "must not be empty");
     }},
    {"CERTCTL_EST_ENROLLMENT_PASSWORD", "(none: anonymous)",
     "Shared secret EST clients send as the HTTP Basic password of simpleenroll.",
     [](Config& c, string_view, string_view v) { c.estEnrollmentPassword = std::string(v); }},
    {"CERTCTL_EST_PROFILES", "(none: the legacy /.well-known/est/ root)",
     "Comma-separated EST profiles, each at /.well-known/est/<name>/ and configured by "
     "CERTCTL_EST_PROFILE_<NAME>_* (listed at the end).",
     [](Config& c, string_view, string_view v) { c.estProfileList = std::string(v); }},
    {"CERTCTL_ACME_DIRECTORY_URL", "(none)",
     "Creates (or updates) the ACME issuer iss-acme on start with this directory URL and the "
     "CERTCTL_ACME_* settings below.",
     [](Config& c, string_view, string_view v) { setAcme(c, "directory_url", v); }},
    {"CERTCTL_ACME_EMAIL", "(none)", "iss-acme: contact e-mail of the ACME account.",
     [](Config& c, string_view, string_view v) { setAcme(c, "email", v); }},
    {"CERTCTL_ACME_EAB_KID", "(none)", "iss-acme: External Account Binding key id.",
     [](Config& c, string_view, string_view v) { setAcme(c, "eab_kid", v); }},
    {"CERTCTL_ACME_EAB_HMAC", "(none)", "iss-acme: External Account Binding HMAC key (base64url).",
     [](Config& c, string_view, string_view v) { setAcme(c, "eab_hmac", v); }},
    {"CERTCTL_ACME_CHALLENGE_TYPE", "http-01", "iss-acme: http-01, dns-01 or dns-persist-01.",
     [](Config& c, string_view, string_view v) { setAcme(c, "challenge_type", v); }},
    {"CERTCTL_ACME_HTTP_ADDRESS", "0.0.0.0",
     "iss-acme: address the built-in http-01 responder listens on.",
     [](Config& c, string_view, string_view v) { setAcme(c, "http_address", v); }},
    {"CERTCTL_ACME_HTTP_PORT", "80", "iss-acme: port of the built-in http-01 responder.",
     [](Config& c, string_view, string_view v) { setAcme(c, "http_port", v); }},
    {"CERTCTL_ACME_DNS_PRESENT_SCRIPT", "(none)",
     "iss-acme: Lua hook (under CERTCTL_LUA_HOOK_DIR) that creates the DNS TXT record.",
     [](Config& c, string_view, string_view v) { setAcme(c, "dns_present_script", v); }},
    {"CERTCTL_ACME_DNS_CLEANUP_SCRIPT", "(none)", "iss-acme: Lua hook that removes it (dns-01).",
     [](Config& c, string_view, string_view v) { setAcme(c, "dns_cleanup_script", v); }},
    {"CERTCTL_ACME_DNS_PERSIST_ISSUER_DOMAIN", "(the CA's first)",
     "iss-acme: CA issuer domain name for the dns-persist-01 record (e.g. letsencrypt.org).",
     [](Config& c, string_view, string_view v) { setAcme(c, "dns_persist_issuer_domain", v); }},
    {"CERTCTL_ACME_PROFILE", "(CA default)", "iss-acme: ACME certificate profile to order.",
     [](Config& c, string_view, string_view v) { setAcme(c, "profile", v); }},
    {"CERTCTL_ACME_ARI_ENABLED", "false",
     "iss-acme: follow the CA's renewal information (RFC 9773) (true/false).",
     [](Config& c, string_view n, string_view v) {
       c.acmeIssuer["ari_enabled"] = parseBool(n, v) ? "true" : "false";
     }},
    {"CERTCTL_ACME_CA_BUNDLE_PATH", "(system trust)",
     "iss-acme: PEM bundle trusted for the ACME server's TLS (a private CA).",
     [](Config& c, string_view, string_view v) { setAcme(c, "ca_bundle_path", v); }},
    {"CERTCTL_SCEP_ENABLED", "false",
     "Serve SCEP (RFC 8894) at /scep; needs the challenge password and the RA pair.",
     [](Config& c, string_view n, string_view v) { c.scepEnabled = parseBool(n, v); }},
    {"CERTCTL_SCEP_ISSUER_ID", "iss-local", "The issuer that signs SCEP enrollments.",
     [](Config& c, string_view n, string_view v) {
       c.scepIssuerId = std::string(trim(v));
       if (c.scepIssuerId.empty()) throw ConfigError(std::string(n), "must not be empty");
     }},
    {"CERTCTL_SCEP_CHALLENGE_PASSWORD", "(none: SCEP refuses to start)",
     "Shared secret SCEP clients put in the CSR's challengePassword attribute.",
     [](Config& c, string_view, string_view v) { c.scepChallengePassword = std::string(v); }},
    {"CERTCTL_SCEP_RA_CERT_PATH", "(none)", "PEM certificate of the SCEP registration authority.",
     [](Config& c, string_view, string_view v) { c.scepRaCertPath = std::string(trim(v)); }},
    {"CERTCTL_SCEP_RA_KEY_PATH", "(none)", "PEM private key of the SCEP RA (mode 0600).",
     [](Config& c, string_view, string_view v) { c.scepRaKeyPath = std::string(trim(v)); }},
    {"CERTCTL_SCEP_PROFILE_ID", "(none)",
     "CertificateProfile bound to the enrollments of the legacy /scep endpoint.",
     [](Config& c, string_view, string_view v) { c.scepProfileId = std::string(trim(v)); }},
    {"CERTCTL_SCEP_PROFILES", "(none: the legacy /scep endpoint)",
     "Comma-separated SCEP profiles, each at /scep/<name> and configured by "
     "CERTCTL_SCEP_PROFILE_<NAME>_* (listed at the end).",
     [](Config& c, string_view, string_view v) { c.scepProfileList = std::string(v); }},
    {"CERTCTL_ACME_SERVER_ENABLED", "false",
     "Serve the built-in ACME server (RFC 8555 + RFC 9773 ARI) at /acme/profile/<id>/directory.",
     [](Config& c, string_view n, string_view v) { c.acmeServerEnabled = parseBool(n, v); }},
    {"CERTCTL_ACME_SERVER_DEFAULT_PROFILE_ID", "(none: /acme/directory answers 404)",
     "Certificate profile the /acme/... shorthand serves.",
     [](Config& c, string_view n, string_view v) {
       std::string id(trim(v));
       if (id.size() > 128 ||
           id.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != std::string::npos)
         throw ConfigError(std::string(n), "must be a profile id (got " + showValue(v) + ")");
       c.acmeServerDefaultProfileId = id;
     }},
    {"CERTCTL_ACME_SERVER_ISSUER_ID", "iss-local", "The issuer that signs ACME orders.",
     [](Config& c, string_view n, string_view v) {
       c.acmeServerIssuerId = std::string(trim(v));
       if (c.acmeServerIssuerId.empty()) throw ConfigError(std::string(n), "must not be empty");
     }},
    {"CERTCTL_ACME_SERVER_NONCE_TTL", "10m", "How long an ACME Replay-Nonce stays usable, 10s-24h.",
     [](Config& c, string_view n, string_view v) {
       c.acmeServerNonceTtl = parseDurationBetween(n, v, std::chrono::seconds(10),
                                                   std::chrono::hours(24), "10s and 24h");
     }},
    {"CERTCTL_ACME_SERVER_ORDERS_PER_HOUR", "300",
     "New ACME orders one account may place per hour (then 429 rateLimited), 1-1000000.",
     [](Config& c, string_view n, string_view v) {
       c.acmeServerOrdersPerHour = parseInteger(n, v, 1, 1000000);
     }},
    {"CERTCTL_ACME_SERVER_ORDERS_PAGE_SIZE", "100",
     "Orders per page of an ACME account's orders list (then Link rel=\"next\"), 1-1000.",
     [](Config& c, string_view n, string_view v) {
       c.acmeServerOrdersPageSize = parseInteger(n, v, 1, 1000);
     }},
    {"CERTCTL_ACME_SERVER_TOS_URL", "(none)",
     "Terms of service URL of the ACME directory (meta.termsOfService); clients must agree.",
     [](Config& c, string_view n, string_view v) {
       std::string url(trim(v));
       if (url.empty()) {
         c.acmeServerTosUrl.clear();
         return;
       }
       if (!(startsWithIgnoreCase(url, "https://") || startsWithIgnoreCase(url, "http://")) ||
           url.find_first_of(" \t\"<>") != std::string::npos || url.size() < 10)
         throw ConfigError(std::string(n),
                           "must be an http:// or https:// URL (got " + showValue(v) + ")");
       c.acmeServerTosUrl = url;
     }},
    {"CERTCTL_ACME_SERVER_DNS_RESOLVER", "(none: /etc/resolv.conf)",
     "IPv4 DNS server (IP or IP:PORT) the challenge validators ask for A/AAAA and dns-01 TXT "
     "records: an internal resolver for a private PKI.",
     [](Config& c, string_view n, string_view v) {
       c.acmeServerDnsResolver = std::string(trim(v));
       if (c.acmeServerDnsResolver.empty()) return;
       try {
         protocols::acme::DnsServer::parse(c.acmeServerDnsResolver);
       } catch (const std::invalid_argument& e) {
         throw ConfigError(std::string(n), e.what());
       }
     }},
    {"CERTCTL_ACME_SERVER_HTTP01_PORT", "80",
     "Port the http-01 validator connects to (RFC 8555 requires 80; change only for tests or a "
     "port-mapped lab).",
     [](Config& c, string_view n, string_view v) {
       c.acmeServerHttp01Port = parseInteger(n, v, 1, 65535);
     }},
    {"CERTCTL_ACME_SERVER_TLSALPN01_PORT", "443",
     "Port the tls-alpn-01 validator connects to (RFC 8737 requires 443).",
     [](Config& c, string_view n, string_view v) {
       c.acmeServerTlsAlpn01Port = parseInteger(n, v, 1, 65535);
     }},
    {"CERTCTL_ACME_SERVER_VALIDATION_TIMEOUT", "10s",
     "Time limit of one challenge validation connection or DNS lookup, 1s-60s.",
     [](Config& c, string_view n, string_view v) {
       c.acmeServerValidationTimeout = parseDurationBetween(n, v, std::chrono::seconds(1),
                                                            std::chrono::seconds(60), "1s and 60s");
     }},
    {"CERTCTL_ACME_SERVER_VALIDATION_ALLOW_LOOPBACK", "false",
     "Let challenge validation connect to loopback addresses (tests, single-host labs). "
     "Link-local and metadata addresses are always refused.",
     [](Config& c, string_view n, string_view v) {
       c.acmeServerValidationAllowLoopback = parseBool(n, v);
     }},
    {"CERTCTL_LUA_HOOK_DIR", "(share/certctl/lua)",
     "Directory Lua hooks (DNS, CA scripts, policy rules) are loaded from, by relative name.",
     [](Config& c, string_view, string_view v) { c.luaHookDir = std::string(v); }},
    {"CERTCTL_LUA_INSTRUCTION_BUDGET", "100000000",
     "Lua VM instructions one hook call may run, 1000-10000000000.",
     [](Config& c, string_view n, string_view v) {
       c.luaInstructionBudget = parseInteger<long long>(n, v, 1000, 10000000000LL);
     }},
    {"CERTCTL_LUA_TIMEOUT", "60s", "Wall-clock budget of one hook call, 100ms-1h.",
     [](Config& c, string_view n, string_view v) {
       c.luaTimeout = parseDurationBetween(n, v, std::chrono::milliseconds(100),
                                           std::chrono::hours(1), "100ms and 1h");
     }},
    {"CERTCTL_LUA_HTTP_ALLOW_LOOPBACK", "false",
     "Let certctl.http reach loopback addresses (metadata and link-local stay refused).",
     [](Config& c, string_view n, string_view v) { c.luaHttpAllowLoopback = parseBool(n, v); }},
    {"CERTCTL_LUA_ENV_ALLOW", "(none)",
     "Comma-separated environment variables certctl.env may read (CERTCTL_DNS_* always).",
     [](Config& c, string_view, string_view v) { c.luaEnvAllow = splitList(v); }},
};

const Variable* findVariable(std::string_view name) {
  for (const Variable& v : kVariables) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

[[noreturn]] void throwUnknownKey(const std::string& key) {
  const std::string upper = domain::asciiUpper(key);
  std::string_view best;
  std::size_t bestDistance = 4;  // beyond this a suggestion is more noise than help
  for (const Variable& v : kVariables) {
    const std::size_t d = editDistance(upper, v.name);
    if (d < bestDistance) {
      bestDistance = d;
      best = v.name;
    }
  }
  std::string message = "unknown setting in the config file";
  if (!best.empty()) message += " (did you mean " + std::string(best) + "?)";
  throw ConfigError(key, message);
}

void requirePair(const std::string& firstValue, std::string_view firstName,
                 const std::string& secondValue, std::string_view secondName) {
  if (!firstValue.empty() && secondValue.empty()) {
    throw ConfigError(std::string(secondName),
                      "must be set together with " + std::string(firstName));
  }
  if (firstValue.empty() && !secondValue.empty()) {
    throw ConfigError(std::string(firstName),
                      "must be set together with " + std::string(secondName));
  }
}

void requireFile(const std::string& path, std::string_view name) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw ConfigError(std::string(name), "no such file: " + showValue(path));
  }
}

}  // namespace

std::string Config::sqlitePath() const {
  constexpr std::string_view kScheme = "sqlite://";
  if (!startsWithIgnoreCase(databaseUrl, kScheme)) return {};
  return databaseUrl.substr(kScheme.size());
}

bool Config::isPostgres() const {
  return startsWithIgnoreCase(databaseUrl, "postgres://") ||
         startsWithIgnoreCase(databaseUrl, "postgresql://");
}

Config loadConfig(const std::map<std::string, std::string>& env,
                  const std::map<std::string, std::string>& fileValues) {
  // Typos first: a misspelt key often explains a "wrong" value elsewhere.
  // The prefix is compared case-insensitively so "certctl_server_port" is
  // reported rather than silently skipped.
  for (const auto& [key, value] : fileValues) {
    if (startsWithIgnoreCase(key, kPrefix) && findVariable(key) == nullptr &&
        !startsWithIgnoreCase(key, kEstProfileVariablePrefix) &&
        !startsWithIgnoreCase(key, kScepProfileVariablePrefix))
      throwUnknownKey(key);
  }

  Config config;
  for (const Variable& variable : kVariables) {
    const std::string name(variable.name);
    auto found = env.find(name);
    if (found == env.end()) {
      found = fileValues.find(name);
      if (found == fileValues.end()) continue;
    }
    variable.apply(config, variable.name, trim(found->second));
  }

  // The per-profile EST family is open-ended, so it is matched by prefix
  // here rather than row by row; buildEstProfiles refuses what it does not know.
  std::map<std::string, std::string> estFamily;
  for (const auto* source : {&fileValues, &env})
    for (const auto& [key, value] : *source)
      if (startsWithIgnoreCase(key, kEstProfileVariablePrefix))
        estFamily[domain::asciiUpper(key)] = value;
  std::map<std::string, std::string> scepFamily;
  for (const auto* source : {&fileValues, &env})
    for (const auto& [key, value] : *source)
      if (startsWithIgnoreCase(key, kScepProfileVariablePrefix) && findVariable(key) == nullptr)
        scepFamily[domain::asciiUpper(key)] = value;
  config.scepProfiles = buildScepProfiles(config.scepEnabled, config.scepProfileList, scepFamily);
  config.estProfiles = buildEstProfiles(config.estEnabled, config.estProfileList, estFamily,
                                        config.estIssuerId, config.estEnrollmentPassword);

  if (config.databaseUrl.empty()) {
    config.databaseUrl =
        "sqlite://" + (std::filesystem::path(config.dataDir) / "certctl.db").string();
  }
  requirePair(config.tlsCertPath, "CERTCTL_TLS_CERT_PATH", config.tlsKeyPath,
              "CERTCTL_TLS_KEY_PATH");
  if (!config.tlsCertPath.empty()) {
    requireFile(config.tlsCertPath, "CERTCTL_TLS_CERT_PATH");
    requireFile(config.tlsKeyPath, "CERTCTL_TLS_KEY_PATH");
  }
  requirePair(config.caCertPath, "CERTCTL_CA_CERT_PATH", config.caKeyPath, "CERTCTL_CA_KEY_PATH");
  return config;
}

std::map<std::string, std::string> readConfigFile(const std::filesystem::path& path) {
  const std::string fileName = path.string();
  std::ifstream in(path);
  if (!in) throw ConfigError(fileName, std::string("cannot open: ") + std::strerror(errno));

  std::map<std::string, std::string> values;
  std::map<std::string, int> firstLine;
  std::string raw;
  int lineNumber = 0;
  while (std::getline(in, raw)) {
    ++lineNumber;
    const auto bad = [&](const std::string& why) {
      return ConfigError(fileName, "line " + std::to_string(lineNumber) + ": " + why);
    };
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, 7) == "export " || line.substr(0, 7) == "export\t") {
      line = trim(line.substr(7));
    }

    const auto equals = line.find('=');
    if (equals == std::string_view::npos) throw bad("expected KEY=VALUE");
    const std::string_view key = trim(line.substr(0, equals));
    const bool keyOk = !key.empty() && !std::isdigit(static_cast<unsigned char>(key.front())) &&
                       std::all_of(key.begin(), key.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                       });
    if (!keyOk) throw bad("invalid key " + showValue(key) + " (letters, digits and _ only)");

    std::string_view value = trim(line.substr(equals + 1));
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      const char quote = value.front();
      const auto close = value.find(quote, 1);
      if (close == std::string_view::npos) throw bad("unterminated quote");
      if (!trim(value.substr(close + 1)).empty()) throw bad("unexpected text after closing quote");
      value = value.substr(1, close - 1);
    }

    const std::string keyString(key);
    if (const auto seen = firstLine.find(keyString); seen != firstLine.end()) {
      throw bad(keyString + " is already set on line " + std::to_string(seen->second));
    }
    firstLine[keyString] = lineNumber;
    values[keyString] = std::string(value);
  }
  if (in.bad()) throw ConfigError(fileName, "read error");
  return values;
}

std::map<std::string, std::string> environmentMap() {
  std::map<std::string, std::string> values;
  for (char** entry = CERTCTL_ENVIRON; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view key = text.substr(0, equals);
    if (key.substr(0, kPrefix.size()) != kPrefix) continue;
    values.emplace(key, text.substr(equals + 1));
  }
  return values;
}

std::string configHelpText() {
  // Name and default on one line, the meaning indented below: a three-column
  // table of 47-character names would not fit a terminal.
  std::size_t nameWidth = 0;
  for (const Variable& v : kVariables) nameWidth = std::max(nameWidth, v.name.size());
  std::string text =
      "Configuration (environment variables; the same KEY=VALUE lines may go in a --config "
      "file,\nand the environment wins over the file):\n\n";
  text += "  " + std::string("VARIABLE") + std::string(nameWidth - 8 + 2, ' ') + "DEFAULT\n";
  for (const Variable& v : kVariables) {
    text += "  " + std::string(v.name) + std::string(nameWidth - v.name.size() + 2, ' ') +
            std::string(v.defaultText) + "\n";
    text += "      " + std::string(v.meaning) + "\n";
  }
  text += "\nPer EST profile (<NAME> = a CERTCTL_EST_PROFILES name, upper-cased, '-' as '_'):\n";
  text += estProfileVariablesHelp();
  text += "\nPer SCEP profile (<NAME> = a CERTCTL_SCEP_PROFILES name, upper-cased, '-' as '_'):\n";
  text += scepProfileVariablesHelp();
  text +=
      "\nDurations: 90s, 5m, 1h30m, 1.5h, 500ms (a bare number is seconds). "
      "Lists are comma-separated.\n";
  return text;
}

}  // namespace certctl::config
