// The ACME issuer plugin (plugins/issuers/acme) against a real Pebble on
// loopback: the built .so loaded through the plugin host as the server
// loads it, issuing with http-01 (its built-in responder) and dns-01 (the
// host's run_lua_hook service, faked here to set challtestsrv TXT records;
// dns-persist-01 through its dns-01 fallback, as Pebble does not offer it),
// renewing, revoking (checked at Pebble's management API) and External
// Account Binding against a Pebble that requires it.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/csr_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/integration_acme/pebble.h"
#include "tests/support/log_capture.h"
#include "tests/support/plugin_call_error.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

using namespace certctl;
using namespace certctl::plugins;
using Catch::Matchers::Contains;
using certctl::testing::callError;
using certctl::testing::TempDir;
using certctl::testing::acme::Pebble;
using certctl::testing::acme::PebbleOptions;
using nlohmann::json;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;

using certctl::testing::LogCapture;

namespace {

// 32 bytes, base64url: the MAC key Pebble holds for kid "kid-1".
constexpr const char* kEabKey = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
constexpr const char* kWrongEabKey =
    "AAAAZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";

std::string csrPem(const std::vector<std::string>& names) {
  pki::CsrBuilder builder;
  builder.commonName(names.front());
  for (const auto& name : names) builder.subjectAltName(name);
  return builder.sign(pki::PrivateKey::generateEcP256()).toPem();
}

json issueRequest(const std::vector<std::string>& names) {
  return {{"common_name", names.front()}, {"sans", names}, {"csr_pem", csrPem(names)}};
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The issued chain verifies up to Pebble's root with openssl.
void requireChainsToPebbleRoot(const Pebble& pebble, const json& result, const fs::path& dir) {
  std::ofstream(dir / "root.pem") << pebble.rootPem();
  std::ofstream(dir / "chain.pem") << result["chain_pem"].get<std::string>();
  std::ofstream(dir / "leaf.pem") << result["cert_pem"].get<std::string>();
  auto r = certctl::testing::runProcess(
      {"openssl", "verify", "-CAfile", (dir / "root.pem").string(), "-untrusted",
       (dir / "chain.pem").string(), (dir / "leaf.pem").string()});
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
}

struct AcmeFixture {
  TempDir temp;
  PluginHost host;
  std::mutex hookMutex;
  std::vector<json> hookCalls;
  std::unique_ptr<Pebble> pebble;

  explicit AcmeFixture(PebbleOptions options = {}) : host(hostOptions(this)) {
    REQUIRE(host.loadFile(CERTCTL_ACME_PLUGIN));
    pebble = std::make_unique<Pebble>(temp.path() / "pebble", std::move(options));
  }

  static PluginHostOptions hostOptions(AcmeFixture* self) {
    PluginHostOptions options;
    options.services.runLuaHook = [self](const json& request) { return self->runHook(request); };
    return options;
  }

  // The fake run_lua_hook: what a DNS provider hook would do, at challtestsrv.
  json runHook(const json& request) {
    std::lock_guard lock(hookMutex);
    hookCalls.push_back(request);
    const auto& args = request.at("args");
    const std::string fqdn = args.at("CERTCTL_DNS_FQDN");
    if (request.at("function") == "present") {
      pebble->setTxt(fqdn, args.at("CERTCTL_DNS_VALUE"));
    } else {
      pebble->clearTxt(fqdn);
    }
    return {{"result", true}};
  }

  fs::path stateDir() const { return temp.path() / "state" / "iss-acme"; }

  json config(json extra = json::object()) const {
    json c = {{"directory_url", pebble->directoryUrl()},
              {"email", "admin@example.com"},
              {"challenge_type", "http-01"},
              {"http_address", "127.0.0.1"},
              {"http_port", pebble->httpPort()},
              {"ca_bundle_path", pebble->caBundle().string()},
              {"poll_timeout_seconds", 60},
              {"host", {{"issuer_id", "iss-acme"}, {"state_dir", stateDir().string()}}}};
    for (auto& [k, v] : extra.items()) c[k] = v;
    return c;
  }
  std::unique_ptr<IssuerPlugin> create(const json& config) const {
    return host.createIssuer("ACME", config);
  }
};

}  // namespace

TEST_CASE("ACME/Pebble: http-01 issue, renew and revoke through the plugin host",
          "[acme][pebble]") {
  AcmeFixture f;
  auto issuer = f.create(f.config({{"ari_enabled", true}}));

  const json first = issuer->issue(issueRequest({"www.example.test", "api.example.test"}));
  const auto cert = pki::Certificate::fromPem(first["cert_pem"].get<std::string>());
  CHECK(cert.dnsNames() == std::vector<std::string>{"www.example.test", "api.example.test"});
  CHECK(first["serial"] == lower(cert.serialHex()));
  CHECK(first["order_id"].get<std::string>().rfind("https://127.0.0.1:", 0) == 0);
  CHECK(first["not_after"].get<std::string>().size() == 20);
  requireChainsToPebbleRoot(*f.pebble, first, f.temp.path());
  // Pebble has no renewalInfo: ARI falls back to the renewal threshold.
  CHECK(first["renewal_info"]["source"] == "threshold");

  // The account key persists, private to the service user.
  const fs::path keyFile = f.stateDir() / "account_key.pem";
  REQUIRE(fs::exists(keyFile));
  CHECK((fs::status(keyFile).permissions() & fs::perms::mask) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  const std::string accountKey = readFile(keyFile);

  // Renewal is a new order: a new certificate, the same account key.
  const json renewed = issuer->renew(issueRequest({"www.example.test", "api.example.test"}));
  CHECK(renewed["serial"] != first["serial"]);
  CHECK(readFile(keyFile) == accountKey);
  CHECK(f.pebble->certStatus(renewed["serial"])["Status"] == "Valid");

  // A second instance of the same issuer (a server restart) reuses the key
  // and revokes by serial alone, from the certificate kept in the state dir.
  issuer.reset();
  auto again = f.create(f.config());
  again->revoke({{"serial", first["serial"]}, {"reason", "keyCompromise"}});
  const json status = f.pebble->certStatus(first["serial"]);
  INFO(status.dump());
  CHECK(status["Status"] == "Revoked");
  CHECK(status["Reason"] == 1);
  CHECK(f.pebble->certStatus(renewed["serial"])["Status"] == "Valid");
  CHECK(readFile(keyFile) == accountKey);

  // Revoking twice: Pebble's alreadyRevoked is a clear refusal.
  auto twice = callError([&] { again->revoke({{"serial", first["serial"]}}); });
  CHECK(twice.status() == CERTCTL_REJECTED);
  CHECK_THAT(twice.what(), Contains("alreadyRevoked"));
  // A serial this issuer never issued.
  auto unknown = callError([&] { again->revoke({{"serial", "0abc"}}); });
  CHECK(unknown.status() == CERTCTL_REJECTED);
  CHECK_THAT(unknown.what(), Contains("no certificate issued through this ACME issuer"));
}

TEST_CASE("ACME/Pebble: http-01 validation failure is reported with Pebble's reason",
          "[acme][pebble]") {
  AcmeFixture f;
  // The responder listens elsewhere than where Pebble connects.
  auto issuer = f.create(f.config({{"http_port", certctl::testing::freeLoopbackPort()}}));
  auto error = callError([&] { issuer->issue(issueRequest({"nobody.example.test"})); });
  CHECK(error.status() == CERTCTL_REJECTED);
  CHECK_THAT(error.what(), Contains("http-01 validation of nobody.example.test failed"));
  CHECK_THAT(error.what(), Contains("connection"));
}

TEST_CASE("ACME/Pebble: dns-01 through the host's run_lua_hook service, wildcard included",
          "[acme][pebble]") {
  AcmeFixture f;
  auto issuer = f.create(f.config({{"challenge_type", "dns-01"},
                                   {"dns_present_script", "dns/test.lua"},
                                   {"dns_cleanup_script", "dns/test-cleanup.lua"},
                                   // Pebble 2.4 lists no profiles: sent without one.
                                   {"profile", "shortlived"}}));
  const json result = issuer->issue(issueRequest({"*.dns.example.test", "dns.example.test"}));
  const auto cert = pki::Certificate::fromPem(result["cert_pem"].get<std::string>());
  CHECK(cert.dnsNames() == std::vector<std::string>{"*.dns.example.test", "dns.example.test"});
  requireChainsToPebbleRoot(*f.pebble, result, f.temp.path());

  std::lock_guard lock(f.hookMutex);
  // Two authorizations (the wildcard and the bare name), each presented and cleaned up.
  REQUIRE(f.hookCalls.size() == 4);
  int presents = 0;
  for (const auto& call : f.hookCalls) {
    const auto& args = call["args"];
    CHECK(args["CERTCTL_DNS_DOMAIN"] == "dns.example.test");
    CHECK(args["CERTCTL_DNS_FQDN"] == "_acme-challenge.dns.example.test");
    CHECK(args["CERTCTL_DNS_VALUE"].get<std::string>().size() == 43);  // base64url SHA-256
    CHECK(!args["CERTCTL_DNS_TOKEN"].get<std::string>().empty());
    if (call["function"] == "present") {
      ++presents;
      CHECK(call["hook"] == "dns/test.lua");
    } else {
      CHECK(call["function"] == "cleanup");
      CHECK(call["hook"] == "dns/test-cleanup.lua");
    }
  }
  CHECK(presents == 2);
}

TEST_CASE("ACME/Pebble: dns-persist-01 falls back to dns-01 when the CA does not offer it",
          "[acme][pebble][dns-persist-01]") {
  AcmeFixture f;
  LogCapture logs(4096);
  auto issuer = f.create(f.config({{"challenge_type", "dns-persist-01"},
                                   {"dns_present_script", "dns/test.lua"},
                                   {"dns_cleanup_script", "dns/test-cleanup.lua"}}));
  // Pebble 2.4 offers http-01, dns-01 and tls-alpn-01 only.
  const json result =
      issuer->issue(issueRequest({"*.persist.example.test", "persist.example.test"}));
  const auto cert = pki::Certificate::fromPem(result["cert_pem"].get<std::string>());
  CHECK(cert.dnsNames() ==
        std::vector<std::string>{"*.persist.example.test", "persist.example.test"});
  requireChainsToPebbleRoot(*f.pebble, result, f.temp.path());

  // One warning for the order, though both authorizations fell back.
  const std::string text = logs.text();
  const std::string warning = "the CA does not offer dns-persist-01: validating with dns-01";
  const auto first = text.find(warning);
  CHECK(first != std::string::npos);
  CHECK(text.find(warning, first + 1) == std::string::npos);

  std::lock_guard lock(f.hookMutex);
  // dns-01 records: presented through the same hooks and cleaned up.
  REQUIRE(f.hookCalls.size() == 4);
  int presents = 0;
  for (const auto& call : f.hookCalls) {
    CHECK(call["args"]["CERTCTL_DNS_FQDN"] == "_acme-challenge.persist.example.test");
    CHECK(!call["args"]["CERTCTL_DNS_TOKEN"].get<std::string>().empty());
    if (call["function"] == "present") {
      ++presents;
      CHECK(call["hook"] == "dns/test.lua");
    } else {
      CHECK(call["hook"] == "dns/test-cleanup.lua");
    }
  }
  CHECK(presents == 2);
}

TEST_CASE("ACME/Pebble: badNonce refusals are retried (Pebble refusing 25% of good nonces)",
          "[acme][pebble]") {
  AcmeFixture f(PebbleOptions{{}, 25});
  LogCapture logs(4096);
  auto issuer = f.create(f.config());
  for (int i = 0; i < 2; ++i) {
    const json result =
        issuer->issue(issueRequest({"nonce" + std::to_string(i) + ".example.test"}));
    CHECK(!result["cert_pem"].get<std::string>().empty());
  }
  // Pebble did refuse some: the retries were exercised, not skipped.
  CHECK_THAT(logs.text(), Contains("badNonce, retrying with a fresh nonce"));
}

TEST_CASE("ACME/Pebble: External Account Binding when Pebble requires it", "[acme][pebble]") {
  AcmeFixture f(PebbleOptions{{{"kid-1", kEabKey}}});

  SECTION("the right key registers and issues") {
    auto issuer = f.create(f.config({{"eab_kid", "kid-1"}, {"eab_hmac", kEabKey}}));
    CHECK_THAT(issuer->testConnection()["message"].get<std::string>(),
               Contains("requires External Account Binding (configured)"));
    const json result = issuer->issue(issueRequest({"eab.example.test"}));
    CHECK(!result["cert_pem"].get<std::string>().empty());
  }
  SECTION("a wrong MAC key is refused with Pebble's reason") {
    auto issuer = f.create(f.config({{"eab_kid", "kid-1"}, {"eab_hmac", kWrongEabKey}}));
    auto error = callError([&] { issuer->issue(issueRequest({"eab.example.test"})); });
    INFO(error.what());
    CHECK(error.status() != CERTCTL_OK);
    CHECK(error.status() != CERTCTL_RETRYABLE);
    CHECK_THAT(error.what(), Contains("sign-me-up"));
    CHECK_THAT(error.what(), Contains("HTTP 4"));
    CHECK_THAT(error.what(), !Contains(kWrongEabKey));
  }
  SECTION("no EAB at all is refused as a configuration problem") {
    auto issuer = f.create(f.config());
    auto error = callError([&] { issuer->issue(issueRequest({"eab.example.test"})); });
    INFO(error.what());
    CHECK(error.status() == CERTCTL_INVALID_CONFIG);
    CHECK_THAT(error.what(), Contains("externalAccountRequired"));
  }
}
