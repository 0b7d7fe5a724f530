// The built-in local CA issuer ("GenericCA", plugins/issuers/local-ca) as the
// server uses it: the real built .so loaded through the plugin host, its
// output checked with the openssl command line tool.
#include <openssl/pem.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/crl.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/csr_builder.h"
#include "sdk/pki/memory_bio.h"
#include "sdk/pki/ocsp_request.h"
#include "sdk/pki/private_key.h"
#include "tests/support/log_capture.h"
#include "tests/support/plugin_call_error.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

using namespace certctl;
using namespace certctl::plugins;
using certctl::testing::runProcess;
using certctl::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using Catch::Matchers::Contains;
using Clock = std::chrono::system_clock;

using certctl::testing::callError;

using certctl::testing::LogCapture;

namespace {

constexpr const char* kType = "GenericCA";

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void writeFile(const fs::path& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

unsigned permsOf(const fs::path& path) {
  return static_cast<unsigned>(fs::status(path).permissions() & fs::perms::mask);
}

// Runs openssl; the combined output. The exit code must be 0 unless `mayFail`.
std::string openssl(const std::vector<std::string>& args, bool mayFail = false) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = runProcess(argv);
  if (!mayFail) {
    INFO("openssl " << args.at(0) << " output:\n" << result.output);
    REQUIRE(result.exitCode == 0);
  }
  return result.output;
}

std::string traditionalPem(const pki::PrivateKey& key) {
  pki::BioPtr bio = pki::newMemoryBio();
  REQUIRE(PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                               nullptr) == 1);
  return pki::bioToString(bio.get());
}

std::string csrPem(const pki::PrivateKey& key, const std::string& cn,
                   const std::vector<std::string>& sans = {}) {
  pki::CsrBuilder builder;
  builder.commonName(cn);
  for (const auto& san : sans) builder.subjectAltName(san);
  return builder.sign(key).toPem();
}

// The plugin loaded into a host, and a scratch directory.
struct LocalCa {
  TempDir temp;
  PluginHost host;

  LocalCa() { REQUIRE(host.loadFile(CERTCTL_LOCAL_CA_PLUGIN)); }

  fs::path stateDir() const { return temp.path() / "data" / "issuers" / "iss-local"; }
  fs::path file(const std::string& name) const { return temp.path() / name; }

  // A self-signed-mode config as the server makes it (host object included).
  json config(json stored = json::object(), const std::string& publicUrl = "") const {
    stored["host"] = {
        {"issuer_id", "iss-local"}, {"state_dir", stateDir().string()}, {"public_url", publicUrl}};
    return stored;
  }
  std::unique_ptr<IssuerPlugin> create(const json& config) const {
    return host.createIssuer(kType, config);
  }
  json validate(const json& config) const {
    return host.validateConfig(PluginKind::Issuer, kType, config);
  }
};

json issueFor(const IssuerPlugin& issuer, const std::string& cn, json extra = json::object(),
              const pki::PrivateKey& key = pki::PrivateKey::generateEcP256()) {
  json request = {{"common_name", cn}, {"sans", json::array({cn})}, {"csr_pem", csrPem(key, cn)}};
  for (auto& [k, v] : extra.items()) request[k] = v;
  return issuer.issue(request);
}

bool rfc3339Utc(const json& value) {
  static const std::regex form(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  return value.is_string() && std::regex_match(value.get<std::string>(), form);
}

long secondsFromNow(Clock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::seconds>(t - Clock::now()).count());
}

// A CA made by the test, to put the plugin in sub-CA mode under it.
struct TestRoot {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate cert = pki::CertificateBuilder()
                              .commonName("Test Root CA")
                              .ca(true)
                              .validFor(std::chrono::hours(24 * 3650))
                              .selfSign(key);

  pki::Certificate intermediate(const pki::PrivateKey& subject, bool isCa = true,
                                std::optional<pki::KeyUsage> usage = std::nullopt) const {
    pki::CertificateBuilder b;
    b.commonName("Test Issuing CA").ca(isCa, 0).validFor(std::chrono::hours(24 * 1825));
    if (usage) b.keyUsage(*usage);
    return b.signWith(cert, key, subject);
  }
};

json subCaConfig(const fs::path& certFile, const fs::path& keyFile, json host = json()) {
  json config = {{"ca_cert_path", certFile.string()}, {"ca_key_path", keyFile.string()}};
  if (!host.is_null()) config["host"] = host;
  return config;
}

}  // namespace

TEST_CASE("local CA: the plugin loads as GenericCA with its schema and operations", "[local-ca]") {
  LocalCa ca;
  auto loaded = ca.host.listPlugins()["loaded"];
  REQUIRE(loaded.size() == 1);
  CHECK(loaded[0]["kind"] == "issuer");
  CHECK(loaded[0]["type"] == kType);
  CHECK(loaded[0]["config_schema"]["properties"]["validity_days"]["maximum"] == 3650);
  CHECK(loaded[0]["config_schema"]["properties"]["ca_key_algorithm"]["default"] == "ECDSA-P256");
  CHECK(loaded[0]["operations"] ==
        json({"issue", "renew", "revoke", "generate_crl", "sign_ocsp", "get_ca_chain",
              "test_connection", "generate_crl_compact"}));
}

TEST_CASE("local CA: self-signed issue verifies with openssl; the CA is persisted and reused",
          "[local-ca]") {
  LocalCa ca;
  LogCapture logs;
  auto issuer = ca.create(ca.config());

  // The CA on disk: dir 0700, key 0600 PKCS#8, certificate; nothing else half-written.
  const fs::path keyFile = ca.stateDir() / "ca.key";
  const fs::path certFile = ca.stateDir() / "ca.crt";
  REQUIRE(fs::exists(keyFile));
  REQUIRE(fs::exists(certFile));
  CHECK(permsOf(ca.stateDir()) == 0700);
  CHECK(permsOf(keyFile) == 0600);
  CHECK(readFile(keyFile).rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  for (const auto& entry : fs::directory_iterator(ca.stateDir()))
    CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);

  const auto caCert = pki::Certificate::fromPem(readFile(certFile));
  CHECK(caCert.subjectString() == "CN=CertCtl Local CA");
  CHECK(caCert.isCa());
  CHECK(caCert.keyUsageNames() == std::vector<std::string>{"keyCertSign", "cRLSign"});
  CHECK(caCert.keyAlgorithm() == "ECDSA");
  CHECK(caCert.keyBits() == 256);
  CHECK(secondsFromNow(caCert.notAfter()) > 3649L * 86400);
  CHECK(issuer->getCaChain()["chain_pem"] == caCert.toPem());

  auto issued = issueFor(*issuer, "www.example.com");
  const auto leaf = pki::Certificate::fromPem(issued["cert_pem"].get<std::string>());
  CHECK(issued["chain_pem"] == caCert.toPem());
  CHECK(issued["serial"] == leaf.serialHex());
  CHECK(rfc3339Utc(issued["not_before"]));
  CHECK(rfc3339Utc(issued["not_after"]));
  CHECK(leaf.subjectString() == "CN=www.example.com");
  CHECK(leaf.dnsNames() == std::vector<std::string>{"www.example.com"});
  CHECK(leaf.extendedKeyUsageNames() == std::vector<std::string>{"serverAuth"});
  CHECK(leaf.keyUsageNames() == std::vector<std::string>{"digitalSignature"});  // EC key
  CHECK_FALSE(leaf.isCa());

  writeFile(ca.file("ca.pem"), issued["chain_pem"]);
  writeFile(ca.file("leaf.pem"), issued["cert_pem"]);
  CHECK_THAT(openssl({"verify", "-CAfile", ca.file("ca.pem"), ca.file("leaf.pem")}),
             Contains("leaf.pem: OK"));
  CHECK_THAT(openssl({"verify", "-purpose", "sslserver", "-CAfile", ca.file("ca.pem"),
                      ca.file("leaf.pem")}),
             Contains("leaf.pem: OK"));

  // A second instance (a restart, a config update) reloads the same CA.
  const std::string keyBefore = readFile(keyFile);
  issuer.reset();
  auto again = ca.create(ca.config({{"ca_common_name", "Renamed Later"}}));
  CHECK(again->getCaChain()["chain_pem"] == caCert.toPem());
  CHECK(readFile(keyFile) == keyBefore);
  auto second = issueFor(*again, "api.example.com");
  writeFile(ca.file("leaf2.pem"), second["cert_pem"]);
  CHECK_THAT(openssl({"verify", "-CAfile", ca.file("ca.pem"), ca.file("leaf2.pem")}),
             Contains("leaf2.pem: OK"));

  CHECK(again->revoke({{"serial", second["serial"]}, {"reason", "superseded"}}) == json::object());
  auto status = again->testConnection();
  CHECK(status["ok"] == true);
  CHECK_THAT(status["message"].get<std::string>(),
             Contains("CA CN=CertCtl Local CA valid until 20") && Contains("mode self-signed"));

  // Nothing secret reached the log.
  const std::string logText = logs.text();
  CHECK_THAT(logText, Contains("created self-signed CA"));
  CHECK(logText.find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("local CA: two instances racing on first use end up with one CA", "[local-ca]") {
  LocalCa ca;
  std::vector<std::string> chains(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < chains.size(); ++i) {
    threads.emplace_back([&, i] { chains[i] = ca.create(ca.config())->getCaChain()["chain_pem"]; });
  }
  for (auto& t : threads) t.join();
  for (const auto& chain : chains) CHECK(chain == chains[0]);
  const auto cert = pki::Certificate::fromPem(readFile(ca.stateDir() / "ca.crt"));
  CHECK(cert.matchesKey(pki::PrivateKey::fromPem(readFile(ca.stateDir() / "ca.key"))));
  CHECK(cert.toPem() == chains[0]);
}

TEST_CASE("local CA: the self-signed CA key algorithm is configurable", "[local-ca]") {
  struct Case {
    const char* name;
    const char* algorithm;
    int bits;
  };
  auto [name, algorithm, bits] =
      GENERATE(Case{"ECDSA-P384", "ECDSA", 384}, Case{"RSA-2048", "RSA", 2048});
  CAPTURE(name);
  LocalCa ca;
  auto issuer = ca.create(ca.config({{"ca_key_algorithm", name}, {"ca_common_name", "Algo CA"}}));
  const auto caCert =
      pki::Certificate::fromPem(issuer->getCaChain()["chain_pem"].get<std::string>());
  CHECK(caCert.keyAlgorithm() == algorithm);
  CHECK(caCert.keyBits() == bits);
  CHECK(caCert.subjectCommonName() == "Algo CA");

  auto issued = issueFor(*issuer, "algo.example.com", {},
                         pki::PrivateKey::generateRsa(2048));  // RSA leaf: keyEncipherment too
  const auto leaf = pki::Certificate::fromPem(issued["cert_pem"].get<std::string>());
  CHECK(leaf.keyUsageNames() == std::vector<std::string>{"digitalSignature", "keyEncipherment"});
  writeFile(ca.file("ca.pem"), issued["chain_pem"]);
  writeFile(ca.file("leaf.pem"), issued["cert_pem"]);
  CHECK_THAT(openssl({"verify", "-CAfile", ca.file("ca.pem"), ca.file("leaf.pem")}),
             Contains("leaf.pem: OK"));
}

TEST_CASE("local CA: config validation names the bad field", "[local-ca]") {
  LocalCa ca;
  // Works without "host" (the API validates stored configs), ignores unknown fields.
  CHECK(ca.validate(json::object()) == json::object());
  CHECK(ca.validate({{"validity_days", 30}, {"something_else", true}}) == json::object());
  CHECK(ca.validate({{"validity_days", "365"}}) == json::object());

  struct Case {
    json config;
    const char* message;
  };
  auto [config, message] = GENERATE(
      Case{{{"validity_days", 0}}, "validity_days: must be an integer from 1 to 3650, got 0"},
      Case{{{"validity_days", 3651}}, "validity_days: must be an integer from 1 to 3650"},
      Case{{{"validity_days", "ninety"}}, "validity_days: must be an integer"},
      Case{{{"validity_days", 1.5}}, "validity_days: must be an integer"},
      Case{{{"ca_common_name", ""}}, "ca_common_name: must be 1 to 64 characters"},
      Case{{{"ca_common_name", 7}}, "ca_common_name: must be a string"},
      Case{{{"ca_key_algorithm", "DSA-1024"}}, "ca_key_algorithm: must be one of ECDSA-P256"},
      Case{{{"ca_cert_path", "/etc/ca.pem"}},
           "ca_key_path: ca_cert_path and ca_key_path go together"},
      Case{{{"ca_key_path", "/etc/ca.key"}},
           "ca_cert_path: ca_cert_path and ca_key_path go together"},
      Case{{{"ocsp_responder_validity_days", 0}},
           "ocsp_responder_validity_days: must be an integer"},
      Case{{{"ocsp_responder_rotation_grace_seconds", -1}},
           "ocsp_responder_rotation_grace_seconds: must be an integer from 0"},
      Case{{{"host", {{"state_dir", "relative/dir"}}}}, "host.state_dir: must be an absolute path"},
      Case{{{"host", {{"public_url", "ftp://x"}}}}, "host.public_url: must be an http(s) URL"});
  CAPTURE(config);
  auto error = callError([&] { ca.validate(config); });
  CHECK(error.status() == CERTCTL_INVALID_CONFIG);
  CHECK_THAT(error.what(), Contains(message));
  auto createError = callError([&] { ca.create(config); });
  CHECK(createError.status() == CERTCTL_INVALID_CONFIG);
}

TEST_CASE("local CA: self-signed mode without host.state_dir is refused at create", "[local-ca]") {
  LocalCa ca;
  auto error = callError([&] { ca.create(json::object()); });
  CHECK(error.status() == CERTCTL_INVALID_CONFIG);
  CHECK_THAT(error.what(), Contains("host.state_dir"));
  auto noDir = callError([&] { ca.create({{"host", {{"issuer_id", "iss-x"}}}}); });
  CHECK(noDir.status() == CERTCTL_INVALID_CONFIG);
}

TEST_CASE("local CA: sub-CA mode under a test root, for each key format", "[local-ca]") {
  struct Case {
    const char* name;
    bool rsa;
    bool traditional;
    bool stateDir;
  };
  auto [name, rsa, traditional, withStateDir] =
      GENERATE(Case{"ECDSA PKCS#8", false, false, true}, Case{"RSA traditional", true, true, false},
               Case{"EC traditional", false, true, false}, Case{"RSA PKCS#8", true, false, true});
  CAPTURE(name);
  LocalCa ca;
  TestRoot root;
  const pki::PrivateKey subKey =
      rsa ? pki::PrivateKey::generateRsa(2048) : pki::PrivateKey::generateEcP256();
  const pki::Certificate sub = root.intermediate(subKey);
  const std::string keyPem = traditional ? traditionalPem(subKey) : subKey.toPkcs8Pem();
  CHECK(keyPem.find(traditional ? (rsa ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY")
                                : "BEGIN PRIVATE KEY") != std::string::npos);
  writeFile(ca.file("sub.pem"), sub.toPem() + root.cert.toPem());  // CA first, then its chain
  writeFile(ca.file("sub.key"), keyPem);
  writeFile(ca.file("root.pem"), root.cert.toPem());

  json host = {{"issuer_id", "iss-sub"}, {"public_url", "https://ca.example:8443"}};
  if (withStateDir) host["state_dir"] = ca.stateDir().string();
  const json config = subCaConfig(ca.file("sub.pem"), ca.file("sub.key"), host);
  fs::permissions(ca.file("sub.key"), fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  CHECK(ca.validate(subCaConfig(ca.file("sub.pem"), ca.file("sub.key"))) == json::object());
  auto issuer = ca.create(config);
  CHECK(issuer->getCaChain()["chain_pem"] == sub.toPem() + root.cert.toPem());
  CHECK_THAT(issuer->testConnection()["message"].get<std::string>(),
             Contains("CA CN=Test Issuing CA valid until") && Contains("mode sub-ca"));
  // The configured CA's key is never copied into the state dir.
  CHECK_FALSE(fs::exists(ca.stateDir() / "ca.key"));

  auto issued = issueFor(*issuer, "svc.internal.example");
  CHECK(issued["chain_pem"] == sub.toPem() + root.cert.toPem());
  const auto leaf = pki::Certificate::fromPem(issued["cert_pem"].get<std::string>());
  CHECK(leaf.issuerString() == "CN=Test Issuing CA");
  writeFile(ca.file("chain.pem"), issued["chain_pem"]);
  writeFile(ca.file("leaf.pem"), issued["cert_pem"]);
  CHECK_THAT(openssl({"verify", "-CAfile", ca.file("root.pem"), "-untrusted", ca.file("chain.pem"),
                      ca.file("leaf.pem")}),
             Contains("leaf.pem: OK"));

  // OCSP in sub-CA mode: the responder is issued by the sub-CA.
  openssl({"ocsp", "-issuer", ca.file("sub.pem"), "-serial",
           "0x" + issued["serial"].get<std::string>(), "-reqout", ca.file("req.der")});
  const auto nonce = pki::OcspRequest::fromDer(readFile(ca.file("req.der"))).nonce();
  REQUIRE(nonce.has_value());
  auto response = issuer->signOcsp({{"serial", issued["serial"]},
                                    {"status", "good"},
                                    {"nonce_base64", pki::base64Encode(*nonce)}});
  writeFile(ca.file("resp.der"),
            pki::base64Decode(response["response_der_base64"].get<std::string>()));
  const std::string checked =
      openssl({"ocsp", "-respin", ca.file("resp.der"), "-issuer", ca.file("sub.pem"), "-CAfile",
               ca.file("root.pem"), "-verify_other", ca.file("chain.pem"), "-reqin",
               ca.file("req.der"), "-resp_text"});
  CHECK_THAT(checked, Contains("Response verify OK") && Contains("Cert Status: good"));
  CHECK(checked.find("WARNING") == std::string::npos);
  CHECK(checked.find("Nonce Verify error") == std::string::npos);
  CHECK(fs::exists(ca.stateDir() / "ocsp-responder.crt") == withStateDir);
}

TEST_CASE("local CA: sub-CA material that cannot sign is refused", "[local-ca]") {
  LocalCa ca;
  TestRoot root;
  const auto key = pki::PrivateKey::generateEcP256();
  writeFile(ca.file("sub.key"), key.toPkcs8Pem());
  writeFile(ca.file("other.key"), pki::PrivateKey::generateEcP256().toPkcs8Pem());
  writeFile(ca.file("leaf.pem"), root.intermediate(key, false).toPem());
  writeFile(ca.file("nosign.pem"),
            root.intermediate(key, true, pki::KeyUsage::CrlSign | pki::KeyUsage::DigitalSignature)
                .toPem());
  writeFile(ca.file("good.pem"), root.intermediate(key).toPem());
  writeFile(ca.file("garbage.pem"), "not a certificate\n");

  struct Case {
    const char* cert;
    const char* key;
    const char* message;
  };
  auto [certName, keyName, message] = GENERATE(
      Case{"leaf.pem", "sub.key", "ca_cert_path: CN=Test Issuing CA is not a CA certificate"},
      Case{"nosign.pem", "sub.key", "ca_cert_path: CN=Test Issuing CA may not sign certificates"},
      Case{"good.pem", "other.key", "ca_key_path: the key in"},
      Case{"good.pem", "missing.key", "ca_key_path: "},
      Case{"missing.pem", "sub.key", "ca_cert_path: "},
      Case{"garbage.pem", "sub.key", "ca_cert_path: "},
      Case{"good.pem", "good.pem", "ca_key_path: "});
  CAPTURE(certName, keyName);
  const json config = subCaConfig(ca.file(certName), ca.file(keyName));
  auto validation = callError([&] { ca.validate(config); });
  CHECK(validation.status() == CERTCTL_INVALID_CONFIG);
  CHECK_THAT(validation.what(), Contains(message));
  auto creation = callError([&] { ca.create(config); });
  CHECK(creation.status() == CERTCTL_INVALID_CONFIG);
  CHECK_THAT(creation.what(), Contains(message));
}

TEST_CASE("local CA: sub-CA validation warns about what it does not refuse", "[local-ca]") {
  LocalCa ca;
  TestRoot root;
  const auto key = pki::PrivateKey::generateEcP256();
  // May sign certificates but not CRLs, and a world-readable key file.
  writeFile(ca.file("sub.pem"), root.intermediate(key, true, pki::KeyUsage::KeyCertSign).toPem() +
                                    pki::CertificateBuilder()
                                        .commonName("Unrelated CA")
                                        .ca(true)
                                        .validFor(std::chrono::hours(24))
                                        .selfSign(pki::PrivateKey::generateEcP256())
                                        .toPem());
  writeFile(ca.file("sub.key"), key.toPkcs8Pem());
  fs::permissions(ca.file("sub.key"),
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read,
                  fs::perm_options::replace);
  const json result = ca.validate(subCaConfig(ca.file("sub.pem"), ca.file("sub.key")));
  INFO(result.dump());
  REQUIRE(result.contains("warnings"));
  const std::string warnings = result["warnings"].dump();
  CHECK_THAT(warnings, Contains("lacks the cRLSign key usage") &&
                           Contains("is readable by other users") &&
                           Contains("did not sign the first"));
  // Usable for issuance; CRLs are refused as unsupported.
  auto issuer = ca.create(subCaConfig(ca.file("sub.pem"), ca.file("sub.key")));
  CHECK_FALSE(issueFor(*issuer, "w.example")["serial"].get<std::string>().empty());
  auto crl = callError([&] { issuer->generateCrl({{"crl_number", 1}}); });
  CHECK(crl.status() == CERTCTL_UNSUPPORTED);
  CHECK_THAT(crl.what(), Contains("cannot sign CRLs"));
}

TEST_CASE("local CA: S/MIME and other purposes get the matching key usage", "[local-ca]") {
  LocalCa ca;
  auto issuer = ca.create(ca.config());
  writeFile(ca.file("ca.pem"), issuer->getCaChain()["chain_pem"].get<std::string>());

  const auto key = pki::PrivateKey::generateEcP256();
  auto smime = issuer->issue({{"common_name", "Alice Example"},
                              {"sans", {"alice@example.com"}},
                              {"ekus", {"emailProtection"}},
                              {"csr_pem", csrPem(key, "Alice Example")}});
  const auto cert = pki::Certificate::fromPem(smime["cert_pem"].get<std::string>());
  CHECK(cert.keyUsageNames() == std::vector<std::string>{"digitalSignature", "contentCommitment"});
  CHECK(cert.extendedKeyUsageNames() == std::vector<std::string>{"emailProtection"});
  CHECK(cert.emailAddresses() == std::vector<std::string>{"alice@example.com"});
  CHECK(cert.dnsNames().empty());
  writeFile(ca.file("smime.pem"), smime["cert_pem"]);
  const std::string text = openssl({"x509", "-in", ca.file("smime.pem"), "-noout", "-text"});
  CHECK_THAT(text, Contains("Digital Signature, Non Repudiation") &&
                       Contains("E-mail Protection") && Contains("email:alice@example.com"));
  CHECK_THAT(openssl({"verify", "-purpose", "smimesign", "-CAfile", ca.file("ca.pem"),
                      ca.file("smime.pem")}),
             Contains("smime.pem: OK"));

  // The SANs of the CSR count when the request names none; every SAN kind.
  pki::CsrBuilder csr;
  csr.commonName("client-7").dnsName("client-7.example").ipAddress("10.1.2.3");
  csr.emailAddress("ops@example.com").uri("spiffe://example/client-7");
  auto client = issuer->issue(
      {{"ekus", {"client_auth", "1.3.6.1.5.5.7.3.3"}}, {"csr_pem", csr.sign(key).toPem()}});
  const auto clientCert = pki::Certificate::fromPem(client["cert_pem"].get<std::string>());
  CHECK(clientCert.subjectCommonName() == "client-7");
  CHECK(clientCert.extendedKeyUsageNames() ==
        std::vector<std::string>{"clientAuth", "codeSigning"});
  CHECK(clientCert.keyUsageNames() == std::vector<std::string>{"digitalSignature"});
  CHECK(clientCert.dnsNames() == std::vector<std::string>{"client-7.example"});
  CHECK(clientCert.ipAddresses() == std::vector<std::string>{"10.1.2.3"});
  CHECK(clientCert.emailAddresses() == std::vector<std::string>{"ops@example.com"});
  CHECK(clientCert.uris() == std::vector<std::string>{"spiffe://example/client-7"});

  // Request SANs by form and prefix.
  auto named = issuer->issue({{"common_name", "multi"},
                              {"sans",
                               {"a.example", "192.0.2.7", "IP:2001:db8::1", "DNS:b.example",
                                "URI:urn:example:x", "bob@example.com"}},
                              {"csr_pem", csrPem(key, "multi")}});
  const auto multi = pki::Certificate::fromPem(named["cert_pem"].get<std::string>());
  CHECK(multi.dnsNames() == std::vector<std::string>{"a.example", "b.example"});
  CHECK(multi.ipAddresses() == std::vector<std::string>{"192.0.2.7", "2001:db8::1"});
  CHECK(multi.uris() == std::vector<std::string>{"urn:example:x"});
  CHECK(multi.emailAddresses() == std::vector<std::string>{"bob@example.com"});

  // A time-stamping certificate: that purpose alone, critical (RFC 3161), usable by a TSA.
  auto tsa = issuer->issue(
      {{"common_name", "TSA"}, {"ekus", {"timeStamping"}}, {"csr_pem", csrPem(key, "TSA")}});
  writeFile(ca.file("tsa.pem"), tsa["cert_pem"]);
  CHECK_THAT(openssl({"verify", "-purpose", "timestampsign", "-CAfile", ca.file("ca.pem"),
                      ca.file("tsa.pem")}),
             Contains("tsa.pem: OK"));
  auto mixed = callError([&] {
    issuer->issue({{"common_name", "x"},
                   {"ekus", {"serverAuth", "timeStamping"}},
                   {"csr_pem", csrPem(key, "x")}});
  });
  CHECK_THAT(mixed.what(), Contains("timeStamping must be the only purpose"));

  // A leaf that could answer OCSP for this CA is never issued; junk neither.
  auto ocspSigning = callError([&] {
    issuer->issue({{"common_name", "x"}, {"ekus", {"OCSPSigning"}}, {"csr_pem", csrPem(key, "x")}});
  });
  CHECK(ocspSigning.status() == CERTCTL_REJECTED);
  CHECK_THAT(ocspSigning.what(), Contains("ekus[0]: 'OCSPSigning' is not issued by this CA"));
  auto badSan = callError([&] {
    issuer->issue({{"common_name", "x"}, {"sans", {"bad name!"}}, {"csr_pem", csrPem(key, "x")}});
  });
  CHECK(badSan.status() == CERTCTL_REJECTED);
  CHECK_THAT(badSan.what(), Contains("sans[0]"));
}

TEST_CASE("local CA: a CSR whose signature does not verify is rejected", "[local-ca]") {
  LocalCa ca;
  auto issuer = ca.create(ca.config());
  std::string der =
      pki::Csr::fromPem(csrPem(pki::PrivateKey::generateEcP256(), "t.example")).toDer();
  der[der.size() - 3] = static_cast<char>(der[der.size() - 3] ^ 0x01);  // inside the signature
  const std::string tampered = pki::Csr::fromDer(der).toPem();
  auto error = callError([&] {
    issuer->issue({{"common_name", "t.example"}, {"csr_pem", tampered}});
  });
  CHECK(error.status() == CERTCTL_REJECTED);
  CHECK_THAT(error.what(), Contains("csr_pem: the CSR signature does not verify"));

  auto missing = callError([&] { issuer->issue({{"common_name", "t.example"}}); });
  CHECK(missing.status() == CERTCTL_REJECTED);
  CHECK_THAT(missing.what(), Contains("csr_pem: required"));
}

TEST_CASE("local CA: validity is the shortest of validity_days, ttl_seconds, max_ttl_seconds",
          "[local-ca]") {
  LocalCa ca;
  auto issuer = ca.create(ca.config({{"validity_days", 10}}));
  auto lifetime = [&](json extra) {
    auto issued = issueFor(*issuer, "ttl.example", extra);
    const auto cert = pki::Certificate::fromPem(issued["cert_pem"].get<std::string>());
    // Backdated by a minute for clock skew.
    CHECK(secondsFromNow(cert.notBefore()) <= -59);
    CHECK(secondsFromNow(cert.notBefore()) >= -65);
    return secondsFromNow(cert.notAfter());
  };
  CHECK(std::abs(lifetime({}) - 10L * 86400) <= 5);
  CHECK(std::abs(lifetime({{"ttl_seconds", 3600}}) - 3600) <= 5);
  CHECK(std::abs(lifetime({{"ttl_seconds", 3600}, {"max_ttl_seconds", 600}}) - 600) <= 5);
  CHECK(std::abs(lifetime({{"ttl_seconds", 90L * 86400}}) - 10L * 86400) <= 5);  // capped

  auto bad = callError([&] { issueFor(*issuer, "ttl.example", {{"ttl_seconds", 0}}); });
  CHECK(bad.status() == CERTCTL_REJECTED);
  CHECK_THAT(bad.what(), Contains("ttl_seconds: must be a positive integer"));
}

TEST_CASE("local CA: AIA and CRL distribution point follow host.public_url", "[local-ca]") {
  LocalCa ca;
  auto issuer = ca.create(ca.config(json::object(), "https://127.0.0.1:8443/"));
  const auto cert =
      pki::Certificate::fromPem(issueFor(*issuer, "aia.example")["cert_pem"].get<std::string>());
  CHECK(cert.ocspUrls() ==
        std::vector<std::string>{"https://127.0.0.1:8443/.well-known/pki/ocsp/iss-local"});
  CHECK(cert.crlDistributionPoints() ==
        std::vector<std::string>{"https://127.0.0.1:8443/.well-known/pki/crl/iss-local"});

  auto plain = ca.create(ca.config());
  const auto without =
      pki::Certificate::fromPem(issueFor(*plain, "aia.example")["cert_pem"].get<std::string>());
  CHECK(without.ocspUrls().empty());
  CHECK(without.crlDistributionPoints().empty());
}

TEST_CASE("local CA: serials are 128-bit positive integers of 16 octets", "[local-ca]") {
  LocalCa ca;
  auto issuer = ca.create(ca.config());
  std::set<std::string> serials;
  for (int i = 0; i < 24; ++i) {
    auto issued = issueFor(*issuer, "serial.example");
    const auto cert = pki::Certificate::fromPem(issued["cert_pem"].get<std::string>());
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
    CHECK(ASN1_STRING_type(serial) == V_ASN1_INTEGER);  // not V_ASN1_NEG_INTEGER
    CHECK(ASN1_STRING_length(serial) == 16);
    const std::string hex = issued["serial"];
    CHECK(std::regex_match(hex, std::regex("[4-7][0-9A-F]{31}")));
    serials.insert(hex);
    if (i == 0) {
      writeFile(ca.file("leaf.pem"), issued["cert_pem"]);
      CHECK_THAT(openssl({"x509", "-in", ca.file("leaf.pem"), "-noout", "-serial"}),
                 Contains("serial=" + hex));
    }
  }
  CHECK(serials.size() == 24);
}

TEST_CASE("local CA: the CRL verifies with openssl and lists the revoked serials", "[local-ca]") {
  LocalCa ca;
  auto issuer = ca.create(ca.config());
  writeFile(ca.file("ca.pem"), issuer->getCaChain()["chain_pem"].get<std::string>());
  const std::string serial = issueFor(*issuer, "revoked.example")["serial"];

  auto crl = issuer->generateCrl(
      {{"revoked",
        {{{"serial", serial}, {"revoked_at", "2025-03-01T10:00:00Z"}, {"reason", "keyCompromise"}},
         {{"serial", "0a:bc:de"},
          {"revoked_at", "2025-03-02T10:00:00+02:00"},
          {"reason", "superseded"}}}},
       {"crl_number", 7},
       {"this_update", "2025-03-03T00:00:00Z"},
       {"next_update", "2099-03-04T00:00:00Z"}});
  const std::string der = pki::base64Decode(crl["crl_der_base64"].get<std::string>());
  writeFile(ca.file("crl.der"), der);
  const std::string text = openssl({"crl", "-inform", "DER", "-in", ca.file("crl.der"), "-CAfile",
                                    ca.file("ca.pem"), "-noout", "-text"});
  CHECK_THAT(text, Contains("verify OK") && Contains("Serial Number: " + serial) &&
                       Contains("Key Compromise") && Contains("Serial Number: 0ABCDE") &&
                       Contains("Superseded") && Contains("Issuer: CN = CertCtl Local CA"));

  const auto parsed = pki::Crl::fromDer(der);
  CHECK(parsed.numberHex() == "7");
  REQUIRE(parsed.entryCount() == 2);
  CHECK(parsed.entries()[0].serialHex == serial);
  CHECK(parsed.entries()[1].revocationTime ==
        Clock::from_time_t(1740902400));  // 2025-03-02T08:00:00Z
  CHECK(parsed.nextUpdate() == Clock::from_time_t(4076265600));

  // An empty list is a valid CRL too; bad entries are rejected by position.
  CHECK(pki::Crl::fromDer(
            pki::base64Decode(
                issuer->generateCrl({{"crl_number", 8}})["crl_der_base64"].get<std::string>()))
            .entryCount() == 0);
  auto badReason = callError([&] {
    issuer->generateCrl(
        {{"crl_number", 9},
         {"revoked",
          {{{"serial", "01"}, {"revoked_at", "2025-01-01T00:00:00Z"}},
           {{"serial", "02"}, {"revoked_at", "2025-01-01T00:00:00Z"}, {"reason", "lostIt"}}}}});
  });
  CHECK(badReason.status() == CERTCTL_REJECTED);
  CHECK_THAT(badReason.what(), Contains("revoked[1].reason: 'lostIt' is not an RFC 5280 reason"));
  auto noNumber = callError([&] { issuer->generateCrl(json::object()); });
  CHECK_THAT(noNumber.what(), Contains("crl_number: required"));
  auto badTime = callError([&] {
    issuer->generateCrl(
        {{"crl_number", 1}, {"revoked", {{{"serial", "01"}, {"revoked_at", "yesterday"}}}}});
  });
  CHECK_THAT(badTime.what(), Contains("revoked[0].revoked_at: must be an RFC 3339 time"));
}

TEST_CASE("local CA: a CRL of 200k entries is encoded and signed quickly", "[local-ca]") {
  LocalCa ca;
  auto issuer = ca.create(ca.config());
  json revoked = json::array();
  constexpr int kEntries = 200000;
  for (int i = 1; i <= kEntries; ++i) {
    char serial[40];
    std::snprintf(serial, sizeof serial, "4%031X", i);
    revoked.push_back({{"serial", serial},
                       {"revoked_at", "2025-03-01T10:00:00Z"},
                       {"reason", i % 3 == 0 ? "keyCompromise" : "superseded"}});
  }
  const auto start = std::chrono::steady_clock::now();
  auto crl = issuer->generateCrl({{"revoked", revoked}, {"crl_number", 1}});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  INFO(
      "generate_crl with " << kEntries << " entries (JSON both ways included): "
                           << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                           << " ms");
  CHECK(elapsed < std::chrono::seconds(10));  // generous: shared CI machines
  const auto parsed =
      pki::Crl::fromDer(pki::base64Decode(crl["crl_der_base64"].get<std::string>()));
  CHECK(parsed.entryCount() == static_cast<std::size_t>(kEntries));
  CHECK(parsed.isSignedBy(
      pki::Certificate::fromPem(issuer->getCaChain()["chain_pem"].get<std::string>())));
}

TEST_CASE("local CA: OCSP responses for good and revoked verify with openssl", "[local-ca]") {
  LocalCa ca;
  auto issuer = ca.create(ca.config());
  writeFile(ca.file("ca.pem"), issuer->getCaChain()["chain_pem"].get<std::string>());
  const std::string serial = issueFor(*issuer, "ocsp.example")["serial"];

  // The request as a client sends it (SHA-1 CertID, with a nonce).
  openssl({"ocsp", "-issuer", ca.file("ca.pem"), "-serial", "0x" + serial, "-reqout",
           ca.file("req.der")});
  const auto request = pki::OcspRequest::fromDer(readFile(ca.file("req.der")));
  REQUIRE(request.nonce().has_value());
  CHECK(request.certIds().at(0).serialHex == serial);
  const std::string nonce = pki::base64Encode(*request.nonce());

  // Checked twice: against the saved request (signature, nonce echo, the
  // status in -resp_text), and by serial for openssl's one-line summary.
  // (openssl ignores -reqin when -serial is given, so they cannot share a run.)
  auto check = [&](const json& signRequest) {
    auto response = issuer->signOcsp(signRequest);
    writeFile(ca.file("resp.der"),
              pki::base64Decode(response["response_der_base64"].get<std::string>()));
    std::string out =
        openssl({"ocsp", "-respin", ca.file("resp.der"), "-issuer", ca.file("ca.pem"), "-CAfile",
                 ca.file("ca.pem"), "-reqin", ca.file("req.der"), "-resp_text"});
    CHECK(out.find("WARNING") == std::string::npos);
    CHECK(out.find("Nonce Verify error") == std::string::npos);
    out += openssl({"ocsp", "-respin", ca.file("resp.der"), "-issuer", ca.file("ca.pem"), "-CAfile",
                    ca.file("ca.pem"), "-serial", "0x" + serial, "-no_nonce"});
    return out;
  };

  const std::string good = check({{"serial", serial},
                                  {"status", "good"},
                                  {"this_update", "2025-03-01T00:00:00Z"},
                                  {"next_update", "2099-01-01T00:00:00Z"},
                                  {"nonce_base64", nonce}});
  CHECK_THAT(good, Contains("Response verify OK") && Contains("Cert Status: good") &&
                       Contains("0x" + serial + ": good"));
  CHECK_THAT(good, Contains("OCSP Nonce") && Contains("This Update: Mar  1 00:00:00 2025 GMT") &&
                       Contains("Serial Number: " + serial) && Contains("Hash Algorithm: sha1"));
  // The responder certificate rides along in the response.
  CHECK_THAT(good, Contains("Subject: CN = CertCtl Local CA OCSP Responder") ||
                       Contains("Subject: CN=CertCtl Local CA OCSP Responder"));

  const std::string revoked = check({{"serial", serial},
                                     {"status", "revoked"},
                                     {"revoked_at", "2025-02-01T12:00:00Z"},
                                     {"reason", "keyCompromise"},
                                     {"nonce_base64", nonce}});
  CHECK_THAT(revoked, Contains("Response verify OK") && Contains("Cert Status: revoked") &&
                          Contains("0x" + serial + ": revoked") &&
                          Contains("Reason: keyCompromise") &&
                          Contains("Revocation Time: Feb  1 12:00:00 2025 GMT"));

  const std::string unknown =
      check({{"serial", serial}, {"status", "unknown"}, {"nonce_base64", nonce}});
  CHECK_THAT(unknown, Contains("Response verify OK") && Contains("0x" + serial + ": unknown"));

  // Without a nonce in the request, none in the response.
  auto plain = issuer->signOcsp({{"serial", serial}, {"status", "good"}});
  writeFile(ca.file("plain.der"),
            pki::base64Decode(plain["response_der_base64"].get<std::string>()));
  CHECK(openssl({"ocsp", "-respin", ca.file("plain.der"), "-CAfile", ca.file("ca.pem"),
                 "-resp_text", "-noverify"})
            .find("OCSP Nonce") == std::string::npos);

  // A client asking with a SHA-256 CertID gets its CertID back.
  openssl({"ocsp", "-issuer", ca.file("ca.pem"), "-sha256", "-serial", "0x" + serial, "-no_nonce",
           "-reqout", ca.file("req256.der")});
  CHECK(pki::OcspRequest::fromDer(readFile(ca.file("req256.der"))).certIds().at(0).hashAlgorithm ==
        "SHA256");
  auto sha256 =
      issuer->signOcsp({{"serial", serial}, {"status", "good"}, {"hash_algorithm", "SHA256"}});
  writeFile(ca.file("resp256.der"),
            pki::base64Decode(sha256["response_der_base64"].get<std::string>()));
  CHECK_THAT(openssl({"ocsp", "-respin", ca.file("resp256.der"), "-CAfile", ca.file("ca.pem"),
                      "-reqin", ca.file("req256.der"), "-resp_text"}),
             Contains("Response verify OK") && Contains("Hash Algorithm: sha256") &&
                 Contains("Cert Status: good"));
  auto badHash = callError([&] {
    issuer->signOcsp({{"serial", serial}, {"status", "good"}, {"hash_algorithm", "MD5"}});
  });
  CHECK_THAT(badHash.what(), Contains("hash_algorithm: must be SHA1"));

  auto bad = callError([&] { issuer->signOcsp({{"serial", serial}, {"status", "maybe"}}); });
  CHECK(bad.status() == CERTCTL_REJECTED);
  CHECK_THAT(bad.what(), Contains("status: must be good, revoked or unknown"));
  auto noTime = callError([&] { issuer->signOcsp({{"serial", serial}, {"status", "revoked"}}); });
  CHECK_THAT(noTime.what(), Contains("revoked_at: required"));

  // The responder: delegated, OCSPSigning, nocheck, persisted with a private key.
  const auto responder = pki::Certificate::fromPem(readFile(ca.stateDir() / "ocsp-responder.crt"));
  CHECK(responder.hasOcspNoCheck());
  CHECK(responder.extendedKeyUsageNames() == std::vector<std::string>{"OCSPSigning"});
  CHECK(responder.isSignedBy(pki::Certificate::fromPem(readFile(ca.file("ca.pem")))));
  CHECK(std::abs(secondsFromNow(responder.notAfter()) - 30L * 86400) <= 400);
  CHECK(permsOf(ca.stateDir() / "ocsp-responder.key") == 0600);
  CHECK(responder.matchesKey(
      pki::PrivateKey::fromPem(readFile(ca.stateDir() / "ocsp-responder.key"))));
}

TEST_CASE("local CA: the OCSP responder rotates within its grace and persists otherwise",
          "[local-ca]") {
  LocalCa ca;
  const fs::path crt = ca.stateDir() / "ocsp-responder.crt";
  const json request = {{"serial", "4ABC"}, {"status", "good"}};
  {
    // Not due: the same responder across signatures and instances.
    auto issuer = ca.create(ca.config());
    const std::string first = readFile(crt);
    issuer->signOcsp(request);
    issuer->signOcsp(request);
    CHECK(readFile(crt) == first);
    auto again = ca.create(ca.config());
    again->signOcsp(request);
    CHECK(readFile(crt) == first);
  }
  // A grace longer than the validity: every signature finds the responder due.
  auto issuer = ca.create(ca.config({{"ocsp_responder_validity_days", 30},
                                     {"ocsp_responder_rotation_grace_seconds", 40 * 86400}}));
  const std::string before = readFile(crt);
  const auto keyBefore = readFile(ca.stateDir() / "ocsp-responder.key");
  auto response = issuer->signOcsp(request);
  const std::string after = readFile(crt);
  CHECK(after != before);
  CHECK(readFile(ca.stateDir() / "ocsp-responder.key") != keyBefore);
  const auto rotated = pki::Certificate::fromPem(after);
  CHECK(
      rotated.matchesKey(pki::PrivateKey::fromPem(readFile(ca.stateDir() / "ocsp-responder.key"))));
  CHECK(permsOf(ca.stateDir() / "ocsp-responder.key") == 0600);

  // The response is signed by the new responder and verifies.
  writeFile(ca.file("ca.pem"), issuer->getCaChain()["chain_pem"].get<std::string>());
  writeFile(ca.file("resp.der"),
            pki::base64Decode(response["response_der_base64"].get<std::string>()));
  const std::string text =
      openssl({"ocsp", "-respin", ca.file("resp.der"), "-CAfile", ca.file("ca.pem"), "-resp_text"});
  CHECK_THAT(text, Contains("Response verify OK"));
  CHECK(readFile(ca.file("resp.der")).find(rotated.toDer()) != std::string::npos);

  // Signatures from many threads while it keeps rotating: all succeed.
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        try {
          if (issuer->signOcsp(request)["response_der_base64"].get<std::string>().empty())
            ++failures;
        } catch (...) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
}

TEST_CASE("local CA: concurrent issuance from 8 threads gives distinct serials", "[local-ca]") {
  LocalCa ca;
  auto issuer = ca.create(ca.config());
  const auto caCert =
      pki::Certificate::fromPem(issuer->getCaChain()["chain_pem"].get<std::string>());
  const auto key = pki::PrivateKey::generateEcP256();
  const std::string csr = csrPem(key, "many.example");
  std::mutex mutex;
  std::vector<std::string> serials;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        try {
          auto issued = issuer->issue({{"common_name", "many.example"}, {"csr_pem", csr}});
          const auto cert = pki::Certificate::fromPem(issued["cert_pem"].get<std::string>());
          if (!cert.isSignedBy(caCert)) ++failures;
          std::lock_guard lock(mutex);
          serials.push_back(issued["serial"]);
        } catch (...) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(serials.size() == 80);
  CHECK(std::set<std::string>(serials.begin(), serials.end()).size() == 80);
}
