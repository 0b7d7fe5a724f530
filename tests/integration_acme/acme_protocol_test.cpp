// The ACME issuer's pieces that Pebble cannot exercise: config refusals,
// ARI (RFC 9773) against a loopback test responder (Pebble 2.4 has no
// renewalInfo), the JWS signatures checked with OpenSSL, the http-01
// responder and the dns-01 hook path with a fake host service.
#include <Poco/Net/HTTPServerResponse.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <mutex>
#include <regex>

#include "acme_client.h"
#include "challenges.h"
#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"
#include "http01_responder.h"
#include "jws.h"
#include "order.h"
#include "renewal_info.h"
#include "sdk/deploy/http_client.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/private_key.h"
#include "sdk/plugin/plugin_error.h"
#include "tests/integration_acme/loopback_http_server.h"
#include "tests/support/plugin_call_error.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

using namespace certctl;
using Catch::Matchers::Contains;
using certctl::testing::callError;
using certctl::testing::TempDir;
using certctl::testing::acme::LoopbackHttpServer;
using nlohmann::json;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;

namespace {

// ------------------------------------------------------------ ARI responder

// A loopback stand-in for a CA's ACME directory with renewalInfo: it
// answers /directory and /renewal-info/<certID>, the latter from `window`
// (404 when null), and records the certIDs asked for.
class AriResponder {
 public:
  std::string directoryUrl() const { return server_.base() + "/directory"; }

  std::mutex mutex;
  json answer;  // the renewalInfo body; null = 404
  std::string retryAfter;
  std::vector<std::string> asked;

 private:
  std::string respond(const std::string& uri, Poco::Net::HTTPServerResponse& response) {
    const std::string base = server_.base();
    if (uri == "/directory")
      return json{{"newNonce", base + "/nonce"},
                  {"newAccount", base + "/account"},
                  {"newOrder", base + "/order"},
                  {"renewalInfo", base + "/renewal-info/"},
                  {"meta", {{"profiles", {{"classic", "90 days"}, {"shortlived", "6 days"}}}}}}
          .dump();
    if (uri.rfind("/renewal-info/", 0) == 0) asked.push_back(uri.substr(14));
    if (uri.rfind("/renewal-info/", 0) == 0 && !answer.is_null()) {
      if (!retryAfter.empty()) response.set("Retry-After", retryAfter);
      return answer.dump();
    }
    response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
    return {};
  }

  LoopbackHttpServer server_{
      mutex, [this](const std::string& uri, auto& response) { return respond(uri, response); }};
};

// A leaf with an AKI, serial 0x87654321 (top bit set: its DER content has
// a leading 0x00, as in RFC 9773's example "AIdlQyE").
pki::Certificate testLeaf() {
  const auto caKey = pki::PrivateKey::generateEcP256();
  const auto ca = pki::CertificateBuilder()
                      .commonName("ARI test CA")
                      .ca(true)
                      .validFor(std::chrono::hours(24))
                      .selfSign(caKey);
  return pki::CertificateBuilder()
      .commonName("ari.example.test")
      .dnsName("ari.example.test")
      .serialHex("87654321")
      .validFor(std::chrono::hours(24))
      .signWith(ca, caKey, pki::PrivateKey::generateEcP256());
}

// The AKI keyIdentifier as openssl prints it, independently of the plugin.
std::string akiHexByOpenssl(const pki::Certificate& cert, const fs::path& dir) {
  std::ofstream(dir / "leaf.pem") << cert.toPem();
  auto r = certctl::testing::runProcess({"openssl", "x509", "-in", (dir / "leaf.pem").string(),
                                         "-noout", "-ext", "authorityKeyIdentifier"});
  REQUIRE(r.exitCode == 0);
  std::smatch m;
  std::string text = r.output;
  REQUIRE(std::regex_search(text, m, std::regex(R"(((?:[0-9A-F]{2}:)+[0-9A-F]{2}))")));
  std::string hex = m[1];
  hex.erase(std::remove(hex.begin(), hex.end(), ':'), hex.end());
  return hex;
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace

TEST_CASE("ACME ARI against a loopback test responder (Pebble has no ARI): certID and window",
          "[acme][ari]") {
  TempDir temp;
  AriResponder responder;
  const auto leaf = testLeaf();

  // RFC 9773 section 4.1: base64url(AKI keyIdentifier) "." base64url(serial DER content).
  const std::string certId = acme::ariCertId(leaf.toPem());
  CHECK(certId == pki::base64UrlEncode(unhex(akiHexByOpenssl(leaf, temp.path()))) + ".AIdlQyE");

  sdk::net::HttpsClient http(sdk::net::HttpsClientOptions{});
  const auto key = acme::loadOrCreateAccountKey({});
  acme::AcmeClient client(http, responder.directoryUrl(), key);

  SECTION("a suggested window is returned as the CA sent it") {
    {
      std::lock_guard lock(responder.mutex);
      responder.answer = {
          {"suggestedWindow", {{"start", "2026-12-01T00:00:00Z"}, {"end", "2026-12-03T00:00:00Z"}}},
          {"explanationURL", "https://ca.example/why"}};
      responder.retryAfter = "21600";
    }
    const json info = acme::fetchRenewalInfo(client, leaf.toPem());
    CHECK(info["source"] == "ari");
    CHECK(info["suggested_window"]["start"] == "2026-12-01T00:00:00Z");
    CHECK(info["suggested_window"]["end"] == "2026-12-03T00:00:00Z");
    CHECK(info["explanation_url"] == "https://ca.example/why");
    CHECK(info["retry_after_seconds"] == 21600);
    std::lock_guard lock(responder.mutex);
    CHECK(responder.asked == std::vector<std::string>{certId});
  }
  SECTION("404 falls back to the renewal threshold") {
    const json info = acme::fetchRenewalInfo(client, leaf.toPem());
    CHECK(info["source"] == "threshold");
    CHECK_THAT(info["reason"].get<std::string>(), Contains("no renewal information"));
  }
  SECTION("a malformed window falls back too") {
    {
      std::lock_guard lock(responder.mutex);
      responder.answer = {{"suggestedWindow", {{"start", "soon"}}}};
    }
    CHECK(acme::fetchRenewalInfo(client, leaf.toPem())["source"] == "threshold");
  }
}

TEST_CASE(
    "ACME profile: one the directory's meta.profiles does not list is refused before "
    "ordering",
    "[acme][profile]") {
  AriResponder responder;  // its directory lists the profiles classic and shortlived
  sdk::net::HttpsClient http(sdk::net::HttpsClientOptions{});
  const auto key = acme::loadOrCreateAccountKey({});
  acme::AcmeClient client(http, responder.directoryUrl(), key);
  acme::Http01Solver solver("127.0.0.1", 0);
  try {
    acme::runOrder(client, solver, {{"dns", "x.example.test"}}, "csr",
                   {"tlsserver", std::chrono::seconds(5)});
    FAIL("ordered with an unknown profile");
  } catch (const sdk::PluginError& e) {
    CHECK(e.status() == sdk::Status::InvalidConfig);
    CHECK_THAT(
        e.what(),
        Contains("profile: the CA does not offer \"tlsserver\" (it offers: classic, shortlived)"));
  }
}

TEST_CASE("ACME JWS: ES256 verifies with OpenSSL, EAB is HS256 over the account JWK",
          "[acme][jws]") {
  TempDir temp;
  const auto key = acme::loadOrCreateAccountKey(temp.path() / "state");
  CHECK((fs::status(temp.path() / "state" / "account_key.pem").permissions() & fs::perms::mask) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(acme::loadOrCreateAccountKey(temp.path() / "state").thumbprint() == key.thumbprint());

  const json jws = acme::signJws(key, {{"nonce", "n1"}, {"url", "https://ca/x"}}, {{"a", 1}});
  const json header = json::parse(pki::base64UrlDecode(jws["protected"].get<std::string>()));
  CHECK(header["alg"] == "ES256");
  CHECK(json::parse(pki::base64UrlDecode(jws["payload"].get<std::string>())) == json{{"a", 1}});
  // r||s back to DER, verified over "protected.payload" with the public key.
  const std::string raw = pki::base64UrlDecode(jws["signature"].get<std::string>());
  REQUIRE(raw.size() == 64);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int derLen = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  const std::string input =
      jws["protected"].get<std::string>() + "." + jws["payload"].get<std::string>();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  REQUIRE(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.key().get()) == 1);
  CHECK(EVP_DigestVerify(ctx, der, static_cast<size_t>(derLen),
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1);
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  // POST-as-GET signs an empty payload.
  CHECK(acme::signJws(key, {{"url", "u"}}, nullptr)["payload"] == "");

  const acme::EabCredentials eab{"kid-1", std::string(32, '\x42')};
  const json binding = acme::externalAccountBinding(eab, key.jwk(), "https://ca/new-acct");
  const json eabHeader = json::parse(pki::base64UrlDecode(binding["protected"].get<std::string>()));
  CHECK(eabHeader == json{{"alg", "HS256"}, {"kid", "kid-1"}, {"url", "https://ca/new-acct"}});
  CHECK(json::parse(pki::base64UrlDecode(binding["payload"].get<std::string>())) == key.jwk());
  const std::string macInput =
      binding["protected"].get<std::string>() + "." + binding["payload"].get<std::string>();
  unsigned char mac[32];
  unsigned int macLen = 0;
  HMAC(EVP_sha256(), eab.hmacKey.data(), 32,
       reinterpret_cast<const unsigned char*>(macInput.data()), macInput.size(), mac, &macLen);
  CHECK(binding["signature"] == pki::base64UrlEncode({reinterpret_cast<const char*>(mac), macLen}));
}

TEST_CASE("ACME http-01 responder: the key authorization for a known token, 404 otherwise",
          "[acme][http-01]") {
  acme::Http01Responder responder("127.0.0.1", 0);
  responder.add("tok_1", "tok_1.thumb");
  sdk::deploy::HttpEndpoint endpoint{"127.0.0.1", responder.port(), "", true};
  auto get = [&](const std::string& path) {
    return sdk::deploy::httpRequest(endpoint, "GET", path, "", {}, std::chrono::seconds(5));
  };
  auto ok = get("/.well-known/acme-challenge/tok_1");
  CHECK(ok.status == 200);
  CHECK(ok.body == "tok_1.thumb");
  CHECK(get("/.well-known/acme-challenge/other").status == 404);
  CHECK(get("/").status == 404);
  responder.remove("tok_1");
  CHECK(get("/.well-known/acme-challenge/tok_1").status == 404);
  // The port is taken: a clear, retryable refusal.
  try {
    acme::Http01Responder second("127.0.0.1", responder.port());
    FAIL("bound twice");
  } catch (const sdk::PluginError& e) {
    CHECK(e.status() == sdk::Status::Retryable);
    CHECK_THAT(e.what(), Contains("cannot listen on 127.0.0.1:"));
  }
}

TEST_CASE("ACME dns-01 hook path with a fake host service", "[acme][dns-01]") {
  std::vector<json> calls;
  acme::HookRunner fake = [&](const std::string& hook, const std::string& function,
                              const json& args) {
    calls.push_back({{"hook", hook}, {"function", function}, {"args", args}});
    if (function == "cleanup") throw sdk::PluginError::internal("DNS API down");
    return json{{"result", true}};
  };
  acme::Dns01Solver solver(fake, "dns/present.lua", "dns/cleanup.lua");
  acme::Challenge challenge;
  challenge.domain = "example.test";
  challenge.token = "tok";
  challenge.keyAuthorization = "tok.thumb";
  solver.present(challenge);
  solver.cleanup(challenge);  // its failure is only logged
  REQUIRE(calls.size() == 2);
  CHECK(calls[0]["hook"] == "dns/present.lua");
  CHECK(calls[0]["function"] == "present");
  CHECK(calls[0]["args"] == json{{"CERTCTL_DNS_DOMAIN", "example.test"},
                                 {"CERTCTL_DNS_FQDN", "_acme-challenge.example.test"},
                                 {"CERTCTL_DNS_VALUE", acme::dns01TxtValue("tok.thumb")},
                                 {"CERTCTL_DNS_TOKEN", "tok"}});
  CHECK(calls[1]["function"] == "cleanup");
  // RFC 8555 section 8.4: base64url(SHA-256("tok.thumb")).
  CHECK(acme::dns01TxtValue("tok.thumb").size() == 43);

  // A host without the Lua runtime: a configuration problem, said clearly.
  acme::Dns01Solver noLua(
      [](const std::string&, const std::string&, const json&) -> json {
        throw sdk::PluginError::unsupported(
            "run_lua_hook: the host offers no run_lua_hook service");
      },
      "dns/present.lua", "");
  try {
    noLua.present(challenge);
    FAIL("present succeeded");
  } catch (const sdk::PluginError& e) {
    CHECK(e.status() == sdk::Status::InvalidConfig);
    CHECK_THAT(e.what(), Contains("dns-01 present hook dns/present.lua for example.test failed"));
  }
}

TEST_CASE("ACME config: bad configurations are refused with the field and the reason",
          "[acme][config]") {
  TempDir temp;
  plugins::PluginHost host;
  REQUIRE(host.loadFile(CERTCTL_ACME_PLUGIN));
  const json good = {{"directory_url", "https://acme.example/dir"}, {"email", "ops@example.com"}};
  auto validate = [&](json patch) {
    json config = good;
    for (auto& [k, v] : patch.items()) config[k] = v;
    return host.validateConfig(plugins::PluginKind::Issuer, "ACME", config);
  };
  CHECK(validate(json::object()) == json::object());
  CHECK(validate({{"challenge_type", "dns-persist-01"}, {"dns_present_script", "dns/x.lua"}}) ==
        json::object());

  auto loaded = host.listPlugins()["loaded"];
  REQUIRE(loaded.size() == 1);
  CHECK(loaded[0]["type"] == "ACME");
  CHECK(loaded[0]["config_schema"]["required"] == json{"directory_url"});
  CHECK(loaded[0]["config_schema"]["properties"]["challenge_type"]["enum"] ==
        json{"http-01", "dns-01", "dns-persist-01"});

  const std::vector<std::pair<json, std::string>> refused = {
      {{{"directory_url", nullptr}}, "directory_url: is required"},
      {{{"directory_url", "ftp://acme.example/dir"}},
       "directory_url: \"ftp://acme.example/dir\" is not an http:// or https:// URL"},
      {{{"directory_url", "http://acme.example/dir"}}, "directory_url: must be an https:// URL"},
      {{{"directory_url", "https://user@acme.example/dir"}}, "must not carry user info"},
      {{{"email", "not-an-email"}}, "email: \"not-an-email\" is not an email address"},
      {{{"email", "a@b"}}, "email:"},
      {{{"challenge_type", "tls-alpn-01"}},
       "challenge_type: must be http-01, dns-01 or dns-persist-01"},
      {{{"challenge_type", "dns-01"}}, "dns_present_script: is required for dns-01"},
      {{{"challenge_type", "dns-persist-01"}},
       "dns_present_script: is required for dns-persist-01"},
      {{{"dns_present_script", "../../etc/passwd"}}, "dns_present_script:"},
      {{{"http_port", 0}}, "http_port"},
      {{{"http_port", "eighty"}}, "http_port"},
      {{{"http_address", "example.com"}}, "http_address: must be an IP address"},
      {{{"eab_kid", "kid-1"}}, "eab_hmac: eab_kid and eab_hmac go together"},
      {{{"eab_kid", "kid-1"}, {"eab_hmac", "not base64url!"}}, "eab_hmac: must be base64url"},
      {{{"eab_kid", "kid-1"}, {"eab_hmac", "c2hvcnQ"}}, "eab_hmac: is shorter than 16 bytes"},
      {{{"profile", "bad profile"}}, "profile:"},
      {{{"dns_persist_issuer_domain", "ca.example\n; accounturi=x"}},
       "dns_persist_issuer_domain: \"ca.example"},
      {{{"ari_enabled", "maybe"}}, "ari_enabled"},
      {{{"ca_bundle_path", "relative.pem"}}, "ca_bundle_path"},
      {{{"ca_bundle_path", (temp.path() / "missing.pem").string()}}, "is not a readable file"},
      {{{"poll_timeout_seconds", 1}}, "poll_timeout_seconds"},
  };
  for (const auto& [patch, message] : refused) {
    INFO(patch.dump());
    auto error = callError([&] { validate(patch); });
    CHECK(error.status() == CERTCTL_INVALID_CONFIG);
    CHECK_THAT(error.what(), Contains(message));
  }
  // A CA bundle that is not PEM is refused when it is loaded.
  std::ofstream(temp.path() / "junk.pem") << "junk";
  auto junk = callError([&] {
    validate({{"ca_bundle_path", (temp.path() / "junk.pem").string()}});
  });
  CHECK(junk.status() == CERTCTL_INVALID_CONFIG);
  CHECK_THAT(junk.what(), Contains("ca_bundle_path: cannot load the CA bundle"));
  // Plain http is accepted on loopback only (test CAs); a warning for a non-80 port.
  CHECK(validate({{"directory_url", "http://127.0.0.1:14000/dir"}, {"http_port", 5002}})["warnings"]
            .size() == 1);
  // EAB secrets never appear in a refusal.
  auto eabError = callError([&] {
    validate({{"eab_kid", "k"}, {"eab_hmac", "c2VjcmV0LXNlY3JldA!"}});
  });
  CHECK_THAT(eabError.what(), !Contains("c2VjcmV0LXNlY3JldA"));
}
