#include "tests/integration_targets/target_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "sdk/deploy/tls_probe.h"
#include "sdk/pki/certificate_builder.h"
#include "tests/support/process.h"

namespace certctl::testing::targets {

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

void writeText(const fs::path& p, const std::string& text, fs::perms mode = fs::perms(0644)) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  fs::permissions(p, mode);
}

std::string pluginFile(ServerKind kind) {
  switch (kind) {
    case ServerKind::Nginx:
      return CERTCTL_NGINX_TARGET_PLUGIN;
    case ServerKind::Apache:
      return CERTCTL_APACHE_TARGET_PLUGIN;
    case ServerKind::Haproxy:
      return CERTCTL_HAPROXY_TARGET_PLUGIN;
    case ServerKind::Postfix:
      return CERTCTL_POSTFIX_TARGET_PLUGIN;
    case ServerKind::Dovecot:
      return CERTCTL_DOVECOT_TARGET_PLUGIN;
    case ServerKind::Caddy:
      return CERTCTL_CADDY_TARGET_PLUGIN;
  }
  return "";
}

}  // namespace

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// ---------------------------------------------------------------------------

TestCa::TestCa()
    : key_(pki::PrivateKey::generateEcP256()),
      cert_(pki::CertificateBuilder()
                .commonName("certctl target test CA")
                .ca(true, 0)
                .validFor(std::chrono::hours(24))
                .selfSign(key_)) {}

TestCa::Leaf TestCa::issue(const std::string& commonName) const {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate cert = pki::CertificateBuilder()
                              .commonName(commonName)
                              .dnsName("localhost")
                              .ipAddress("127.0.0.1")
                              .serverAuth()
                              .validFor(std::chrono::hours(24))
                              .signWith(cert_, key_, key);
  return Leaf{std::move(key), std::move(cert)};
}

json TestCa::deployRequest(const Leaf& leaf) const {
  return {{"certificate_id", "mc-" + leaf.serial()},
          {"cert_pem", leaf.cert.toPem()},
          {"chain_pem", chainPem()},
          {"key_pem", leaf.key.toPkcs8Pem()},
          {"target_config", json::object()},
          {"metadata", {{"test", "true"}}}};
}

// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------

TargetServer::TargetServer(ServerKind kind, fs::path dir, const TestCa& ca)
    : kind_(kind),
      dir_(std::move(dir)),
      port_(freeLoopbackPort()),
      otherPort_(freeLoopbackPort()),
      pluginPath_(pluginFile(kind)),
      boot_(ca.issue("boot certificate")),
      other_(ca.issue("other listener")) {
  while (otherPort_ == port_) otherPort_ = freeLoopbackPort();
  other_endpoint_ = {otherPort_, "localhost"};
  fs::create_directories(dir_ / "certs");
  fs::create_directories(dir_ / "run");
  fs::create_directories(dir_ / "logs");
  // The counting reload wrapper: an argv command like any other.
  writeText(dir_ / "reload.sh",
            "#!/bin/sh\necho reload >> '" + (dir_ / "reloads").string() + "'\nexec \"$@\"\n",
            fs::perms(0755));
  writeText(dir_ / "certs" / "other.pem", other_.cert.toPem() + ca.chainPem());
  writeText(dir_ / "certs" / "other.key", other_.key.toPkcs8Pem(), fs::perms(0600));
  writeText(dir_ / "certs" / "other.combined.pem",
            other_.cert.toPem() + ca.chainPem() + other_.key.toPkcs8Pem(), fs::perms(0600));
  // The certificate the server starts with, before the plugin deploys one.
  writeText(dir_ / "certs" / "cert.pem", boot_.cert.toPem());
  writeText(dir_ / "certs" / "chain.pem", ca.chainPem());
  writeText(dir_ / "certs" / "key.pem", boot_.key.toPkcs8Pem(), fs::perms(0600));
  writeText(dir_ / "certs" / "site.pem", boot_.cert.toPem() + boot_.key.toPkcs8Pem(),
            fs::perms(0600));
  writeText(dir_ / "certs" / "site.crt", boot_.cert.toPem());
  writeText(dir_ / "certs" / "site.key", boot_.key.toPkcs8Pem(), fs::perms(0600));
  switch (kind_) {
    case ServerKind::Nginx:
      pluginType_ = "NGINX";
      writeNginxConfig();
      break;
    case ServerKind::Apache:
      pluginType_ = "Apache";
      writeApacheConfig();
      break;
    case ServerKind::Haproxy:
      pluginType_ = "HAProxy";
      writeHaproxyConfig();
      break;
    case ServerKind::Postfix:
      pluginType_ = "Postfix";
      startTls_ = "smtp";
      writePostfixConfig();
      break;
    case ServerKind::Dovecot:
      pluginType_ = "Dovecot";
      startTls_ = "imap";
      // One listener; the other certificate is chosen by name (local_name).
      other_endpoint_ = {port_, "other.test"};
      writeDovecotConfig();
      break;
    case ServerKind::Caddy:
      pluginType_ = "Caddy";
      writeCaddyConfig();
      break;
  }
  if (extraText_.empty()) extraText_ = "# nothing\n";
  repairConfig();
}

TargetServer::~TargetServer() { stop(); }

void TargetServer::writeNginxConfig() {
  config_ = dir_ / "nginx.conf";
  extra_ = dir_ / "extra.conf";
  const std::string d = dir_.string();
  const std::string serverBlock = R"(
  server {
    listen 127.0.0.1:PORT ssl;
    server_name localhost;
    ssl_certificate CERT;
    ssl_certificate_key KEY;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "ok\n"; }
  }
)";
  auto block = [&](int port, const std::string& cert, const std::string& key) {
    std::string b = serverBlock;
    b.replace(b.find("PORT"), 4, std::to_string(port));
    b.replace(b.find("CERT"), 4, cert);
    b.replace(b.find("KEY"), 3, key);
    return b;
  };
  writeText(config_, "pid " + d +
                         "/run/nginx.pid;\n"
                         "error_log " +
                         d +
                         "/logs/error.log notice;\n"
                         "worker_processes 1;\n"
                         "events { worker_connections 64; }\n"
                         "http {\n"
                         "  access_log off;\n"
                         "  client_body_temp_path " +
                         d +
                         "/run/body;\n"
                         "  proxy_temp_path " +
                         d +
                         "/run/proxy;\n"
                         "  fastcgi_temp_path " +
                         d +
                         "/run/fastcgi;\n"
                         "  uwsgi_temp_path " +
                         d +
                         "/run/uwsgi;\n"
                         "  scgi_temp_path " +
                         d + "/run/scgi;\n" +
                         block(port_, d + "/certs/cert.pem", d + "/certs/key.pem") +
                         block(otherPort_, d + "/certs/other.pem", d + "/certs/other.key") +
                         "  include " + extra_.string() +
                         ";\n"
                         "}\n");
  const std::string errorLog = d + "/logs/startup.log";
  validate_ = {"nginx", "-t", "-q", "-c", config_.string(), "-e", errorLog};
  reload_ = {(dir_ / "reload.sh").string(),
             "nginx",
             "-c",
             config_.string(),
             "-e",
             errorLog,
             "-s",
             "reload"};
}

void TargetServer::writeApacheConfig() {
  config_ = dir_ / "httpd.conf";
  extra_ = dir_ / "extra.conf";
  const std::string d = dir_.string();
  const std::string modules = "/usr/lib/apache2/modules/";
  std::string conf = "ServerRoot " + d +
                     "\n"
                     "DefaultRuntimeDir " +
                     d +
                     "/run\n"
                     "PidFile " +
                     d +
                     "/run/httpd.pid\n"
                     "Mutex file:" +
                     d +
                     "/run default\n"
                     "ServerName localhost\n"
                     "ErrorLog " +
                     d +
                     "/logs/error.log\n"
                     "LogLevel warn\n"
                     "User www-data\nGroup www-data\n"
                     "LoadModule mpm_event_module " +
                     modules +
                     "mod_mpm_event.so\n"
                     "LoadModule authz_core_module " +
                     modules +
                     "mod_authz_core.so\n"
                     "LoadModule mime_module " +
                     modules +
                     "mod_mime.so\n"
                     "TypesConfig /etc/mime.types\n"
                     "LoadModule dir_module " +
                     modules +
                     "mod_dir.so\n"
                     "LoadModule socache_shmcb_module " +
                     modules +
                     "mod_socache_shmcb.so\n"
                     "LoadModule ssl_module " +
                     modules +
                     "mod_ssl.so\n"
                     "StartServers 1\nServerLimit 2\nThreadsPerChild 4\nMaxRequestWorkers 8\n"
                     "SSLSessionCache shmcb:" +
                     d +
                     "/run/ssl_scache(128000)\n"
                     "SSLProtocol -all +TLSv1.2 +TLSv1.3\n"
                     "DocumentRoot " +
                     d +
                     "\n"
                     "Listen 127.0.0.1:" +
                     std::to_string(port_) +
                     "\n"
                     "Listen 127.0.0.1:" +
                     std::to_string(otherPort_) +
                     "\n"
                     "<VirtualHost 127.0.0.1:" +
                     std::to_string(port_) +
                     ">\n"
                     "  SSLEngine on\n"
                     "  SSLCertificateFile " +
                     d +
                     "/certs/cert.pem\n"
                     "  SSLCertificateChainFile " +
                     d +
                     "/certs/chain.pem\n"
                     "  SSLCertificateKeyFile " +
                     d +
                     "/certs/key.pem\n"
                     "</VirtualHost>\n"
                     "<VirtualHost 127.0.0.1:" +
                     std::to_string(otherPort_) +
                     ">\n"
                     "  SSLEngine on\n"
                     "  SSLCertificateFile " +
                     d +
                     "/certs/other.pem\n"
                     "  SSLCertificateKeyFile " +
                     d +
                     "/certs/other.key\n"
                     "</VirtualHost>\n"
                     "Include " +
                     extra_.string() + "\n";
  writeText(config_, conf);
  validate_ = {"apache2", "-t", "-f", config_.string()};
  reload_ = {(dir_ / "reload.sh").string(), "apache2", "-f", config_.string(), "-k", "graceful"};
}

void TargetServer::writeHaproxyConfig() {
  config_ = dir_ / "haproxy.cfg";
  extra_ = dir_ / "extra.cfg";
  const std::string d = dir_.string();
  writeText(config_,
            "global\n"
            "  pidfile " +
                d +
                "/run/haproxy.pid\n"
                "  nbthread 1\n"
                "defaults\n"
                "  mode http\n"
                "  timeout connect 5s\n"
                "  timeout client 10s\n"
                "  timeout server 10s\n"
                "frontend managed\n"
                "  bind 127.0.0.1:" +
                std::to_string(port_) + " ssl crt " + d +
                "/certs/site.pem\n"
                "  http-request return status 200 content-type text/plain string ok\n"
                "frontend other\n"
                "  bind 127.0.0.1:" +
                std::to_string(otherPort_) + " ssl crt " + d +
                "/certs/other.combined.pem\n"
                "  http-request return status 200 content-type text/plain string ok\n");
  validate_ = {"haproxy", "-c", "-f", config_.string(), "-f", extra_.string()};
  // The reload signal goes to the master, which is our child: its pid is
  // known once started (see targetConfig()).
  reload_ = {(dir_ / "reload.sh").string(), "kill", "-USR2", "PID"};
}

void TargetServer::writePostfixConfig() {
  // Postfix has no include in main.cf: the whole file is the "extra" one.
  const fs::path confDir = dir_ / "postfix";
  fs::create_directories(confDir);
  fs::create_directories(dir_ / "queue");
  fs::create_directories(dir_ / "data");
  runProcess({"chown", "postfix", (dir_ / "data").string()});
  config_ = confDir / "main.cf";
  extra_ = config_;
  const std::string d = dir_.string();
  extraText_ =
      "compatibility_level = 3.6\n"
      "queue_directory = " +
      d +
      "/queue\n"
      "data_directory = " +
      d +
      "/data\n"
      "mail_owner = postfix\n"
      "setgid_group = postdrop\n"
      "inet_interfaces = 127.0.0.1\n"
      "inet_protocols = ipv4\n"
      "myhostname = localhost\n"
      "mydestination =\n"
      "alias_maps =\n"
      "alias_database =\n"
      "maillog_file = /dev/stdout\n"
      "smtpd_tls_cert_file = " +
      d +
      "/certs/cert.pem\n"
      "smtpd_tls_key_file = " +
      d +
      "/certs/key.pem\n"
      "smtpd_tls_security_level = may\n";
  std::string master = "127.0.0.1:" + std::to_string(port_) + " inet n - n - - smtpd\n" +
                       "127.0.0.1:" + std::to_string(otherPort_) +
                       " inet n - n - - smtpd\n"
                       "  -o smtpd_tls_cert_file=" +
                       d +
                       "/certs/other.pem\n"
                       "  -o smtpd_tls_key_file=" +
                       d + "/certs/other.key\n";
  for (const char* line : {"pickup unix n - n 60 1 pickup",
                           "cleanup unix n - n - 0 cleanup",
                           "qmgr unix n - n 300 1 qmgr",
                           "tlsmgr unix - - n 1000? 1 tlsmgr",
                           "rewrite unix - - n - - trivial-rewrite",
                           "bounce unix - - n - 0 bounce",
                           "defer unix - - n - 0 bounce",
                           "trace unix - - n - 0 bounce",
                           "verify unix - - n - 1 verify",
                           "flush unix n - n 1000? 0 flush",
                           "proxymap unix - - n - - proxymap",
                           "proxywrite unix - - n - 1 proxymap",
                           "smtp unix - - n - - smtp",
                           "relay unix - - n - - smtp",
                           "showq unix n - n - - showq",
                           "error unix - - n - - error",
                           "retry unix - - n - - error",
                           "discard unix - - n - - discard",
                           "local unix - n n - - local",
                           "virtual unix - n n - - virtual",
                           "lmtp unix - - n - - lmtp",
                           "anvil unix - - n - 1 anvil",
                           "scache unix - - n - 1 scache",
                           "postlog unix-dgram n - n - 1 postlogd"})
    master += std::string(line) + "\n";
  writeText(confDir / "master.cf", master);
  validate_ = {"postfix", "-c", confDir.string(), "check"};
  reload_ = {(dir_ / "reload.sh").string(), "postfix", "-c", confDir.string(), "reload"};
}

void TargetServer::writeDovecotConfig() {
  config_ = dir_ / "dovecot.conf";
  extra_ = dir_ / "extra.conf";
  const std::string d = dir_.string();
  fs::create_directories(dir_ / "state");
  fs::create_directories(dir_ / "home");
  writeText(config_, "base_dir = " + d +
                         "/run\n"
                         "state_dir = " +
                         d +
                         "/state\n"
                         "log_path = /dev/stderr\n"
                         "protocols = imap\n"
                         "listen = 127.0.0.1\n"
                         "ssl = yes\n"
                         "ssl_cert = <" +
                         d +
                         "/certs/cert.pem\n"
                         "ssl_key = <" +
                         d +
                         "/certs/key.pem\n"
                         "local_name other.test {\n"
                         "  ssl_cert = <" +
                         d +
                         "/certs/other.pem\n"
                         "  ssl_key = <" +
                         d +
                         "/certs/other.key\n"
                         "}\n"
                         "default_internal_user = dovecot\n"
                         "default_login_user = dovenull\n"
                         "passdb {\n  driver = static\n  args = nopassword=y\n}\n"
                         "userdb {\n  driver = static\n  args = uid=nobody gid=nogroup home=" +
                         d +
                         "/home\n}\n"
                         "service imap-login {\n"
                         "  inet_listener imap {\n    address = 127.0.0.1\n    port = " +
                         std::to_string(port_) +
                         "\n  }\n"
                         "  inet_listener imaps {\n    port = 0\n  }\n"
                         "}\n"
                         "service anvil {\n  chroot =\n}\n"
                         "!include_try " +
                         extra_.string() + "\n");
  validate_ = {"doveconf", "-c", config_.string(), "-n"};
  reload_ = {(dir_ / "reload.sh").string(), "doveadm", "-c", config_.string(), "reload"};
}

std::map<std::string, std::string> TargetServer::caddyEnvironment() const {
  // Caddy keeps state under HOME / XDG_*: this test's dir, not the user's.
  const std::string home = (dir_ / "home").string();
  return {{"HOME", home}, {"XDG_CONFIG_HOME", home + "/config"}, {"XDG_DATA_HOME", home + "/data"}};
}

void TargetServer::writeCaddyConfig() {
  config_ = dir_ / "Caddyfile";
  extra_ = dir_ / "extra.caddy";
  adminPort_ = freeLoopbackPort();
  fs::create_directories(dir_ / "home");
  const std::string d = dir_.string();
  auto site = [&](int port, const std::string& cert, const std::string& key) {
    return "https://localhost:" + std::to_string(port) + " {\n\tbind 127.0.0.1\n\ttls " + cert +
           " " + key + "\n\trespond \"ok\"\n}\n";
  };
  writeText(config_, "{\n\tadmin 127.0.0.1:" + std::to_string(adminPort_) +
                         "\n\tauto_https off\n\tstorage file_system " + d + "/storage\n}\n" +
                         site(port_, d + "/certs/site.crt", d + "/certs/site.key") +
                         site(otherPort_, d + "/certs/other.pem", d + "/certs/other.key") +
                         "import " + extra_.string() + "\n");
  // The plugin's commands run with the test's environment: `env` gives
  // caddy its own (still an argv, no shell).
  std::vector<std::string> env = {"env"};
  for (const auto& [k, v] : caddyEnvironment()) env.push_back(k + "=" + v);
  validate_ = env;
  for (const char* a : {"caddy", "validate", "--adapter", "caddyfile", "--config"})
    validate_.push_back(a);
  validate_.push_back(config_.string());
  reload_ = {(dir_ / "reload.sh").string()};
  reload_.insert(reload_.end(), env.begin(), env.end());
  for (const char* a : {"caddy", "reload", "--adapter", "caddyfile", "--force", "--config"})
    reload_.push_back(a);
  reload_.push_back(config_.string());
  reload_.push_back("--address");
  reload_.push_back("127.0.0.1:" + std::to_string(adminPort_));
}

std::vector<std::string> TargetServer::startCommand() const {
  switch (kind_) {
    case ServerKind::Nginx:
      return {
          "nginx", "-c",         config_.string(), "-e", (dir_ / "logs" / "startup.log").string(),
          "-g",    "daemon off;"};
    case ServerKind::Apache:
      return {"apache2", "-f", config_.string(), "-DFOREGROUND"};
    case ServerKind::Haproxy:
      return {"haproxy", "-W", "-db", "-f", config_.string(), "-f", extra_.string()};
    case ServerKind::Postfix:
      return {"postfix", "-c", config_.parent_path().string(), "start-fg"};
    case ServerKind::Dovecot:
      return {"dovecot", "-c", config_.string(), "-F"};
    case ServerKind::Caddy:
      return {"caddy", "run", "--adapter", "caddyfile", "--config", config_.string()};
  }
  return {};
}

sdk::deploy::StartTls TargetServer::startTls() const {
  if (startTls_ == "smtp") return sdk::deploy::StartTls::Smtp;
  if (startTls_ == "imap") return sdk::deploy::StartTls::Imap;
  return sdk::deploy::StartTls::None;
}

void TargetServer::start() {
  process_ = std::make_unique<BackgroundProcess>(
      startCommand(), dir_ / "logs" / "server.out",
      kind_ == ServerKind::Caddy ? caddyEnvironment() : std::map<std::string, std::string>{});
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running())
      throw std::runtime_error(pluginType_ + " server exited at start:\n" + log());
    try {
      auto r = sdk::deploy::probeTls({"127.0.0.1", port_, "localhost", 2s, startTls()});
      if (r.serial == boot_.serial()) {
        // The other listener is up as well once the first answers (one config).
        sdk::deploy::probeTls(
            {"127.0.0.1", other_endpoint_.port, other_endpoint_.sni, 2s, startTls()});
        return;
      }
      last = "serving serial " + r.serial;
    } catch (const std::exception& e) {
      last = e.what();
    }
    std::this_thread::sleep_for(50ms);
  }
  throw std::runtime_error(pluginType_ + " server did not come up (" + last + "):\n" + log());
}

void TargetServer::stop() {
  if (!process_) return;
  // The Postfix master starts a session of its own (setsid): it is outside
  // the process group of our child and is stopped by Postfix's own command,
  // which finds it through the pid file of this instance.
  if (kind_ == ServerKind::Postfix && process_->running())
    runProcess({"postfix", "-c", config_.parent_path().string(), "stop"}, {},
               std::chrono::seconds(20));
  process_->stop();
  process_.reset();
}

std::vector<fs::path> TargetServer::managedFiles() const {
  if (kind_ == ServerKind::Haproxy) return {dir_ / "certs" / "site.pem"};
  if (kind_ == ServerKind::Caddy) return {dir_ / "certs" / "site.crt", dir_ / "certs" / "site.key"};
  if (kind_ == ServerKind::Apache)
    return {dir_ / "certs" / "cert.pem", dir_ / "certs" / "chain.pem", dir_ / "certs" / "key.pem"};
  return {dir_ / "certs" / "cert.pem", dir_ / "certs" / "key.pem"};
}

json TargetServer::targetConfig() const {
  json config;
  const std::string certs = (dir_ / "certs").string();
  if (kind_ == ServerKind::Haproxy) {
    config["pem_path"] = certs + "/site.pem";
  } else if (kind_ == ServerKind::Caddy) {
    config["mode"] = "file";
    config["cert_dir"] = certs;  // cert_file / key_file: the defaults site.crt, site.key
  } else {
    config["cert_path"] = certs + "/cert.pem";
    config["key_path"] = certs + "/key.pem";
    // Apache reads the chain from its own file; the others get it in cert_path.
    if (kind_ == ServerKind::Apache) config["chain_path"] = certs + "/chain.pem";
  }
  if (kind_ == ServerKind::Postfix) config["mode"] = "postfix";
  config["validate_command"] = validate_;
  std::vector<std::string> reload = reload_;
  if (kind_ == ServerKind::Haproxy && process_) reload.back() = std::to_string(process_->pid());
  config["reload_command"] = reload;
  config["command_timeout_seconds"] = 30;
  return config;
}

json TargetServer::targetConfig(const Endpoint& verify, double timeoutSeconds) const {
  json config = targetConfig();
  if (startTls_.empty()) {
    config["verify"] = {{"host", "127.0.0.1"},
                        {"port", verify.port},
                        {"sni", verify.sni},
                        {"timeout_seconds", timeoutSeconds}};
  } else {
    // The original product's form, with STARTTLS.
    config["post_deploy_verify"] = {
        {"enabled", true},
        {"endpoint", "127.0.0.1:" + std::to_string(verify.port)},
        {"sni", verify.sni},
        {"timeout", std::to_string(static_cast<int>(timeoutSeconds * 1000)) + "ms"},
        {"starttls", startTls_}};
  }
  return config;
}

int TargetServer::reloadCount() const {
  std::ifstream in(dir_ / "reloads");
  int n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

void TargetServer::breakConfig() {
  switch (kind_) {
    case ServerKind::Nginx:
      writeText(extra_, "certctl_broken_directive on;\n");
      break;
    case ServerKind::Apache:
      writeText(extra_, "CertctlBrokenDirective on\n");
      break;
    case ServerKind::Haproxy:
      writeText(extra_, "frontend broken\n  certctl_broken_keyword on\n");
      break;
    case ServerKind::Postfix:
      writeText(extra_, extraText_ + "certctl broken line\n");
      break;
    case ServerKind::Dovecot:
      writeText(extra_, "certctl_broken_setting = 1\n");
      break;
    case ServerKind::Caddy:
      writeText(extra_, "https://broken.test:1 {\n\tcertctl_broken_directive\n}\n");
      break;
  }
}

void TargetServer::repairConfig() { writeText(extra_, extraText_); }

std::string TargetServer::brokenConfigMessage() const {
  switch (kind_) {
    case ServerKind::Nginx:
      return "unknown directive \"certctl_broken_directive\"";
    case ServerKind::Apache:
      return "Invalid command 'CertctlBrokenDirective'";
    case ServerKind::Haproxy:
      return "certctl_broken_keyword";
    case ServerKind::Postfix:
      // postfix check logs to maillog_file, not to its own output.
      return "exit status 1";
    case ServerKind::Dovecot:
      return "Unknown setting: certctl_broken_setting";
    case ServerKind::Caddy:
      return "unrecognized directive: certctl_broken_directive";
  }
  return "";
}

std::string TargetServer::log() const {
  std::string out;
  for (const char* name : {"server.out", "startup.log", "error.log"}) {
    fs::path p = dir_ / "logs" / name;
    if (fs::exists(p)) out += std::string("--- ") + name + "\n" + readFile(p);
  }
  return out;
}

// ---------------------------------------------------------------------------

std::string servedSerial(const Endpoint& at, const std::string& startTls) {
  std::vector<std::string> argv = {"openssl",     "s_client",
                                   "-connect",    "127.0.0.1:" + std::to_string(at.port),
                                   "-servername", at.sni};
  if (!startTls.empty()) {
    argv.push_back("-starttls");
    argv.push_back(startTls);
  }
  auto r = runProcess(argv, {}, std::chrono::seconds(10), "");
  auto begin = r.output.find("-----BEGIN CERTIFICATE-----");
  auto end = r.output.find("-----END CERTIFICATE-----");
  if (begin == std::string::npos || end == std::string::npos) return "";
  std::string pem = r.output.substr(begin, end + 25 - begin) + "\n";
  return pki::Certificate::fromPem(pem).serialHex();
}

std::string waitForSerial(const Endpoint& at, const std::string& serial,
                          std::chrono::milliseconds timeout, const std::string& startTls) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string seen;
  int streak = 0;
  for (;;) {
    seen = servedSerial(at, startTls);
    streak = seen == serial ? streak + 1 : 0;
    if (streak == 3 || std::chrono::steady_clock::now() >= deadline) return seen;
    std::this_thread::sleep_for(150ms);
  }
}

std::string TargetServer::served(const Endpoint& at) const { return servedSerial(at, startTls_); }

std::string TargetServer::waitFor(const Endpoint& at, const std::string& serial,
                                  std::chrono::milliseconds timeout) const {
  return waitForSerial(at, serial, timeout, startTls_);
}

}  // namespace certctl::testing::targets
