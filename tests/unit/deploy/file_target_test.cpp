// sdk/deploy file targets: config parsing (errors name the field), the
// request's certificate material, and which bytes go to which file.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "sdk/deploy/certificate_material.h"
#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/file_target.h"
#include "sdk/deploy/tls_probe.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/support/process.h"

using namespace certctl::sdk::deploy;
namespace pki = certctl::sdk::pki;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

FileTargetSpec separateSpec(ChainPlacement placement) {
  FileTargetSpec s;
  s.typeName = "Test";
  s.layout = FileLayout::SeparateFiles;
  s.chainPlacement = placement;
  s.defaultValidate = {"nginx", "-t"};
  s.defaultReload = {"systemctl", "reload", "nginx"};
  return s;
}

FileTargetSpec combinedSpec() {
  FileTargetSpec s;
  s.typeName = "Combined";
  s.layout = FileLayout::CombinedPem;
  s.defaultReload = {"systemctl", "reload", "haproxy"};
  return s;
}

// Parses `config`, which must be refused; returns the message.
std::string refusal(const FileTargetSpec& spec, const json& config) {
  try {
    FileTargetConfig::parse(spec, config);
  } catch (const DeployError& e) {
    CHECK(e.kind() == FailureKind::InvalidConfig);
    return e.what();
  }
  FAIL("accepted " << config.dump());
  return "";
}

struct Pki {
  pki::PrivateKey caKey = pki::PrivateKey::generateEcP256();
  pki::Certificate ca =
      pki::CertificateBuilder().commonName("Deploy Test CA").ca(true).validFor(24h).selfSign(caKey);
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate leaf = pki::CertificateBuilder()
                              .commonName("www.example.com")
                              .dnsName("www.example.com")
                              .validFor(24h)
                              .signWith(ca, caKey, key);

  json request() const {
    return {{"certificate_id", "mc-test"},
            {"cert_pem", leaf.toPem()},
            {"chain_pem", ca.toPem()},
            {"key_pem", key.toPkcs8Pem()}};
  }
};

const json kSeparate = {{"cert_path", "/etc/x/cert.pem"}, {"key_path", "/etc/x/key.pem"}};

}  // namespace

TEST_CASE("file targets: the seed's config is accepted with its defaults", "[deploy][config]") {
  auto spec = separateSpec(ChainPlacement::AlwaysWithCertificate);
  auto c = FileTargetConfig::parse(spec, {{"cert_path", "/etc/nginx/certs/cert.pem"},
                                          {"chain_path", "/etc/nginx/certs/chain.pem"},
                                          {"key_path", "/etc/nginx/certs/key.pem"},
                                          {"reload_command", "systemctl reload nginx"},
                                          {"validate_command", "nginx -t"}});
  CHECK(c.certPath == "/etc/nginx/certs/cert.pem");
  CHECK(c.chainPath == std::filesystem::path("/etc/nginx/certs/chain.pem"));
  CHECK(c.validate->argv == std::vector<std::string>{"nginx", "-t"});
  CHECK(c.reload->argv == std::vector<std::string>{"systemctl", "reload", "nginx"});
  CHECK(c.warnings.empty());
  CHECK_FALSE(c.verify);

  auto defaults = FileTargetConfig::parse(spec, kSeparate);
  CHECK(defaults.validate->argv == spec.defaultValidate);
  CHECK(defaults.reload->argv == spec.defaultReload);
  CHECK(defaults.commandTimeout == 60s);
  CHECK_FALSE(defaults.chainPath);

  // [] turns a default step off.
  json off = kSeparate;
  off["validate_command"] = json::array();
  CHECK_FALSE(FileTargetConfig::parse(spec, off).validate);

  auto haproxy = FileTargetConfig::parse(combinedSpec(), {{"pem_path", "/etc/haproxy/site.pem"}});
  CHECK(haproxy.pemPath == "/etc/haproxy/site.pem");
  CHECK_FALSE(haproxy.validate);
}

TEST_CASE("file targets: bad configs are refused naming the field", "[deploy][config]") {
  auto spec = separateSpec(ChainPlacement::SeparateWhenChainPathSet);
  auto with = [](json base, const std::string& key, json value) {
    base[key] = std::move(value);
    return base;
  };
  CHECK_THAT(refusal(spec, {{"key_path", "/k.pem"}}), StartsWith("cert_path: is required"));
  CHECK_THAT(refusal(spec, {{"cert_path", "/c.pem"}}), StartsWith("key_path: is required"));
  CHECK_THAT(refusal(spec, with(kSeparate, "cert_path", "certs/cert.pem")),
             StartsWith("cert_path: must be an absolute path"));
  CHECK_THAT(refusal(spec, with(kSeparate, "key_path", "/etc/x/")), StartsWith("key_path"));
  CHECK_THAT(refusal(spec, with(kSeparate, "key_path", "/etc/x/../shadow")),
             StartsWith("key_path"));
  CHECK_THAT(refusal(spec, with(kSeparate, "key_path", 7)),
             StartsWith("key_path: must be a string"));
  CHECK_THAT(refusal(spec, with(kSeparate, "key_path", "/etc/x/cert.pem")),
             StartsWith("key_path: must differ"));
  CHECK_THAT(refusal(spec, with(kSeparate, "chain_path", "/etc/x/key.pem")),
             StartsWith("chain_path"));
  CHECK_THAT(refusal(spec, with(kSeparate, "reload_command", "nginx -s reload; rm -rf /")),
             StartsWith("reload_command") && Contains("JSON array"));
  CHECK_THAT(refusal(spec, with(kSeparate, "validate_command", json::array({"./nginx"}))),
             StartsWith("validate_command"));
  CHECK_THAT(refusal(spec, with(kSeparate, "command_timeout_seconds", 0)),
             StartsWith("command_timeout_seconds"));
  CHECK_THAT(refusal(spec, with(kSeparate, "owner", "a b")), StartsWith("owner"));
  CHECK_THAT(refusal(spec, with(kSeparate, "verify", {{"host", "127.0.0.1"}})),
             StartsWith("verify.port: is required"));
  CHECK_THAT(refusal(spec, with(kSeparate, "verify", {{"port", 443}})),
             StartsWith("verify.host: is required"));
  CHECK_THAT(refusal(spec, with(kSeparate, "verify", {{"host", "a;b"}, {"port", 443}})),
             StartsWith("verify.host"));
  CHECK_THAT(refusal(spec, with(kSeparate, "verify", {{"host", "h"}, {"port", 70000}})),
             StartsWith("verify.port"));
  CHECK_THAT(refusal(spec, with(kSeparate, "verify", "h:443")),
             StartsWith("verify: must be an object"));
  CHECK_THAT(refusal(spec, with(kSeparate, "verify",
                                {{"host", "h"}, {"port", 443}, {"starttls", "pop3"}})),
             StartsWith("verify.starttls"));
  CHECK_THAT(refusal(spec, with(kSeparate, "post_deploy_verify", {{"endpoint", "no-port"}})),
             StartsWith("post_deploy_verify.endpoint"));
  json both = with(kSeparate, "verify", {{"host", "h"}, {"port", 1}});
  both["post_deploy_verify"] = {{"endpoint", "h:1"}};
  CHECK_THAT(refusal(spec, both), StartsWith("verify: give either"));
  CHECK_THAT(refusal(combinedSpec(), kSeparate), StartsWith("pem_path: is required"));
  CHECK_THAT(refusal(spec, json::array()), StartsWith("config"));
}

TEST_CASE("file targets: unknown fields are warnings, not errors", "[deploy][config]") {
  json config = kSeparate;
  config["cert_pth"] = "/typo";
  config["host"] = {{"filled", "by the host"}};
  auto c = FileTargetConfig::parse(separateSpec(ChainPlacement::AlwaysWithCertificate), config);
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Contains("cert_pth"));
}

TEST_CASE("file targets: both forms of the post-deploy check", "[deploy][config]") {
  auto spec = separateSpec(ChainPlacement::AlwaysWithCertificate);
  json config = kSeparate;
  config["verify"] = {{"host", "www.example.com"}, {"port", 8443}, {"timeout_seconds", 2.5}};
  auto v = FileTargetConfig::parse(spec, config).verify;
  REQUIRE(v);
  CHECK(v->host == "www.example.com");
  CHECK(v->port == 8443);
  CHECK(v->sni == "www.example.com");  // the host name by default
  CHECK(v->timeout == 2500ms);

  config.erase("verify");
  config["post_deploy_verify"] = {{"enabled", true},
                                  {"endpoint", "[::1]:993"},
                                  {"timeout", "15s"},
                                  {"sni", "mail.example.com"},
                                  {"starttls", "imap"}};
  v = FileTargetConfig::parse(spec, config).verify;
  REQUIRE(v);
  CHECK(v->host == "::1");
  CHECK(v->port == 993);
  CHECK(v->sni == "mail.example.com");
  CHECK(v->timeout == 15s);
  CHECK(v->startTls == StartTls::Imap);

  config["post_deploy_verify"] = {{"enabled", false}, {"endpoint", "127.0.0.1:25"}};
  CHECK_FALSE(FileTargetConfig::parse(spec, config).verify);
  config["post_deploy_verify"] = {{"endpoint", "127.0.0.1:25"}, {"timeout", 3}};
  v = FileTargetConfig::parse(spec, config).verify;
  REQUIRE(v);
  CHECK(v->sni.empty());  // no SNI for an IP literal
  CHECK(v->timeout == 3s);
}

TEST_CASE("file targets: the request's material is checked before anything is written",
          "[deploy][material]") {
  Pki p;
  auto m = CertificateMaterial::fromRequest(p.request());
  CHECK(m.serial == p.leaf.serialHex());
  CHECK(m.fingerprintSha256 == p.leaf.sha256FingerprintHex());
  CHECK(m.certPem == p.leaf.toPem());
  CHECK(m.chainPem == p.ca.toPem());
  CHECK_THAT(m.keyPem, StartsWith("-----BEGIN PRIVATE KEY-----"));

  auto rejected = [](const json& request, const std::string& fragment) {
    INFO(fragment);
    try {
      CertificateMaterial::fromRequest(request);
      FAIL("accepted");
    } catch (const DeployError& e) {
      CHECK(e.kind() == FailureKind::Rejected);
      CHECK_THAT(e.what(), Contains(fragment));
    }
  };
  json r = p.request();
  r["key_pem"] = pki::PrivateKey::generateEcP256().toPkcs8Pem();
  rejected(r, "does not belong to the certificate");
  r = p.request();
  r.erase("key_pem");
  rejected(r, "key_pem: the private key is missing");
  r = p.request();
  r["key_pem"] = "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n";
  rejected(r, "key_pem: not an unencrypted PEM private key");
  r = p.request();
  r["cert_pem"] = "garbage";
  rejected(r, "cert_pem");
  r = p.request();
  r["chain_pem"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  rejected(r, "chain_pem");
  r = p.request();
  r.erase("cert_pem");
  rejected(r, "cert_pem: the certificate is missing");

  // A chain sent inside cert_pem is split off.
  r = p.request();
  r["cert_pem"] = p.leaf.toPem() + p.ca.toPem();
  r["chain_pem"] = "";
  auto joined = CertificateMaterial::fromRequest(r);
  CHECK(joined.certPem == p.leaf.toPem());
  CHECK(joined.chainPem == p.ca.toPem());
}

TEST_CASE("file targets: which bytes go to which file, with which mode", "[deploy][material]") {
  Pki p;
  auto m = CertificateMaterial::fromRequest(p.request());
  json config = kSeparate;

  SECTION("nginx: the certificate file always carries the chain") {
    auto spec = separateSpec(ChainPlacement::AlwaysWithCertificate);
    auto files = planFiles(spec, FileTargetConfig::parse(spec, config), m);
    REQUIRE(files.size() == 2);
    CHECK(files[0].field == "cert_path");
    CHECK(files[0].content == m.certPem + m.chainPem);
    CHECK(files[0].mode == kCertificateMode);
    CHECK(files[1].field == "key_path");
    CHECK(files[1].content == m.keyPem);
    CHECK(files[1].mode == kPrivateKeyMode);
    config["chain_path"] = "/etc/x/chain.pem";
    files = planFiles(spec, FileTargetConfig::parse(spec, config), m);
    REQUIRE(files.size() == 3);
    CHECK(files[0].content == m.certPem + m.chainPem);
    CHECK(files[1].field == "chain_path");
    CHECK(files[1].content == m.chainPem);
  }
  SECTION("apache: a separate chain file when chain_path is set, else appended") {
    auto spec = separateSpec(ChainPlacement::SeparateWhenChainPathSet);
    auto files = planFiles(spec, FileTargetConfig::parse(spec, config), m);
    CHECK(files[0].content == m.certPem + m.chainPem);
    config["chain_path"] = "/etc/x/chain.pem";
    files = planFiles(spec, FileTargetConfig::parse(spec, config), m);
    REQUIRE(files.size() == 3);
    CHECK(files[0].content == m.certPem);
    CHECK(files[1].content == m.chainPem);
    CHECK(files[1].mode == kCertificateMode);
  }
  SECTION("haproxy: one file, certificate then chain then key, 0600") {
    auto spec = combinedSpec();
    auto files =
        planFiles(spec, FileTargetConfig::parse(spec, {{"pem_path", "/etc/h/site.pem"}}), m);
    REQUIRE(files.size() == 1);
    CHECK(files[0].field == "pem_path");
    CHECK(files[0].content == m.certPem + m.chainPem + m.keyPem);
    CHECK(files[0].mode == kPrivateKeyMode);
  }
}

TEST_CASE("TLS probe: serials compare canonically; endpoints print like URLs", "[deploy][probe]") {
  CHECK(normalizeSerial("00:ab:CD") == "ABCD");
  CHECK(normalizeSerial("0ABCD") == normalizeSerial("abcd"));
  CHECK(normalizeSerial("00") == "0");
  CHECK(endpointString("127.0.0.1", 443) == "127.0.0.1:443");
  CHECK(endpointString("::1", 993) == "[::1]:993");
  CHECK(isIpLiteral("::1"));
  CHECK(isIpLiteral("10.0.0.1"));
  CHECK_FALSE(isIpLiteral("localhost"));
}

TEST_CASE("TLS probe: a closed port fails quickly with a clear message", "[deploy][probe]") {
  const int port = certctl::testing::freeLoopbackPort();
  auto start = std::chrono::steady_clock::now();
  try {
    probeTls({"127.0.0.1", port, "", 2000ms, StartTls::None});
    FAIL("probed a closed port");
  } catch (const TlsProbeError& e) {
    CHECK_THAT(e.what(), Contains("cannot connect to 127.0.0.1:" + std::to_string(port)));
  }
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  auto v = verifyServedCertificate({"127.0.0.1", port, "", 500ms, StartTls::None}, "00");
  CHECK_FALSE(v.ok);
  CHECK_THAT(v.message, Contains("cannot connect"));
}

TEST_CASE("file targets: a directory and two names (Caddy, Traefik)", "[deploy][config]") {
  FileTargetSpec spec;
  spec.typeName = "Dir";
  spec.layout = FileLayout::DirectoryFiles;
  spec.defaultCertFile = "site.crt";
  spec.defaultKeyFile = "site.key";
  spec.mode = "file";
  spec.modeHint = "; no API";
  auto c = FileTargetConfig::parse(spec, {{"cert_dir", "/etc/caddy/certs/"}, {"mode", "file"}});
  CHECK(c.certPath == "/etc/caddy/certs/site.crt");
  CHECK(c.keyPath == "/etc/caddy/certs/site.key");
  CHECK(c.warnings.empty());
  c = FileTargetConfig::parse(
      spec, {{"cert_dir", "/srv/tls"}, {"cert_file", "a.pem"}, {"key_file", "a.key"}});
  CHECK(c.certPath == "/srv/tls/a.pem");

  CHECK_THAT(refusal(spec, json::object()), StartsWith("cert_dir: is required"));
  CHECK_THAT(refusal(spec, {{"cert_dir", "certs"}}), StartsWith("cert_dir: must be an absolute"));
  CHECK_THAT(refusal(spec, {{"cert_dir", "/srv"}, {"cert_file", "../x"}}), StartsWith("cert_file"));
  CHECK_THAT(refusal(spec, {{"cert_dir", "/srv"}, {"key_file", "site.crt"}}),
             StartsWith("key_file: must differ"));
  CHECK_THAT(refusal(spec, {{"cert_dir", "/srv"}, {"mode", "api"}}),
             StartsWith("mode: must be \"file\"") && Contains("no API"));

  Pki p;
  auto m = CertificateMaterial::fromRequest(p.request());
  auto files = planFiles(spec, FileTargetConfig::parse(spec, {{"cert_dir", "/srv"}}), m);
  REQUIRE(files.size() == 2);
  CHECK(files[0].field == "cert_file");
  CHECK(files[0].content == m.certPem + m.chainPem);
  CHECK(files[1].field == "key_file");
  CHECK(files[1].mode == kPrivateKeyMode);
}

TEST_CASE("file targets: named directory fields, a chain file and companion files",
          "[deploy][config]") {
  FileTargetSpec spec;
  spec.typeName = "Watched";
  spec.layout = FileLayout::DirectoryFiles;
  spec.certFileField = "cert_filename";
  spec.keyFileField = "key_filename";
  spec.chainFileField = "chain_filename";
  spec.defaultCertFile = "cert.pem";
  spec.defaultKeyFile = "key.pem";
  spec.extraFields = {"index"};
  spec.parseCompanions = [](const json& config, FileTargetConfig& parsed) {
    if (!config.contains("index")) return;
    parsed.companionFiles.push_back(
        {"index", parsed.certPath.parent_path() / config["index"].get<std::string>(),
         "names " + parsed.certPath.string(), kCertificateMode});
  };
  auto c = FileTargetConfig::parse(spec, {{"cert_dir", "/srv"}, {"chain_filename", "chain.pem"}});
  CHECK(c.certPath == "/srv/cert.pem");
  REQUIRE(c.chainPath);
  CHECK(*c.chainPath == "/srv/chain.pem");
  CHECK(c.warnings.empty());
  CHECK_FALSE(
      FileTargetConfig::parse(spec, {{"cert_dir", "/srv"}, {"chain_filename", ""}}).chainPath);
  // The generic names are not this spec's: reported as unknown.
  c = FileTargetConfig::parse(spec, {{"cert_dir", "/srv"}, {"cert_file", "x.pem"}});
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Contains("cert_file"));

  CHECK_THAT(refusal(spec, {{"cert_dir", "/srv"}, {"key_filename", "cert.pem"}}),
             StartsWith("key_filename: must differ from cert_filename"));
  CHECK_THAT(refusal(spec, {{"cert_dir", "/srv"}, {"chain_filename", "key.pem"}}),
             StartsWith("chain_filename: must differ"));
  CHECK_THAT(refusal(spec, {{"cert_dir", "/srv"}, {"chain_filename", "a/b"}}),
             StartsWith("chain_filename"));
  CHECK_THAT(refusal(spec, {{"cert_dir", "/srv"}, {"index", "key.pem"}}),
             StartsWith("index: /srv/key.pem is also the path"));

  Pki p;
  auto m = CertificateMaterial::fromRequest(p.request());
  auto files =
      planFiles(spec,
                FileTargetConfig::parse(
                    spec, {{"cert_dir", "/srv"}, {"chain_filename", "ca.pem"}, {"index", "i"}}),
                m);
  REQUIRE(files.size() == 4);
  CHECK(files[0].field == "cert_filename");
  CHECK(files[0].content == m.certPem);  // the chain has its own file
  CHECK(files[1].field == "chain_filename");
  CHECK(files[1].content == m.chainPem);
  CHECK(files[2].field == "key_filename");
  CHECK(files[2].mode == kPrivateKeyMode);
  // Companion files come last: a watcher sees the certificate files in place.
  CHECK(files[3].field == "index");
  CHECK(files[3].path == "/srv/i");
  CHECK(files[3].content == "names /srv/cert.pem");
}
