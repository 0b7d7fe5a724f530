// generate_crl_compact (plugin ABI 1.1): the request the core writes, the
// host's choice between it and generate_crl (the fallback for plugins built
// against ABI 1.0, tests/abi), and the local CA's CRL through both paths:
// the same content, checked with the openssl command line tool.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/domain/timestamps.h"
#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"
#include "core/services/crl_request.h"
#include "core/services/revocation_store.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/crl.h"
#include "tests/support/plugin_call_error.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

using namespace certctl;
using namespace certctl::plugins;
using Catch::Matchers::Contains;
using certctl::services::compactCrlRequestJson;
using certctl::services::CrlEntryList;
using certctl::services::crlRequestJson;
using certctl::services::generateCrlDer;
using certctl::services::RevokedSerial;
using certctl::testing::runProcess;
using certctl::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;

using certctl::testing::callError;

namespace {

constexpr const char* kThisUpdate = "2026-01-01T00:00:00Z";
constexpr const char* kNextUpdate = "2026-01-02T00:00:00Z";

void writeFile(const fs::path& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// A host that has loaded copies of the given plugin files.
struct Host {
  TempDir temp;
  PluginHost host;

  explicit Host(std::initializer_list<const char*> files, PluginHostOptions options = {})
      : host(std::move(options)) {
    for (const char* file : files) {
      const auto copy = temp.path() / fs::path(file).filename();
      fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
      REQUIRE(host.loadFile(copy));
    }
  }

  // The local CA in self-signed mode, its state under the temp dir.
  std::unique_ptr<IssuerPlugin> localCa() const {
    return host.createIssuer("GenericCA", {{"host",
                                            {{"issuer_id", "iss-crl"},
                                             {"state_dir", (temp.path() / "state").string()},
                                             {"public_url", ""}}}});
  }
};

CrlEntryList listOf(const std::vector<RevokedSerial>& rows) {
  CrlEntryList list;
  for (const auto& r : rows) list.add(r.serialNumber, r.revokedAt, r.reason);
  return list;
}

std::string derOf(const json& result) {
  return pki::base64Decode(result.at("crl_der_base64").get<std::string>());
}

// The tbsCertList of a DER CertificateList, header included: everything
// but the signature, which differs between two signings (ECDSA).
std::string tbsOf(const std::string& der) {
  auto header = [&](std::size_t& pos) {
    REQUIRE(pos + 2 <= der.size());
    REQUIRE(static_cast<unsigned char>(der[pos]) == 0x30);
    ++pos;
    std::size_t len = static_cast<unsigned char>(der[pos++]);
    if (len & 0x80) {
      const std::size_t octets = len & 0x7f;
      len = 0;
      for (std::size_t i = 0; i < octets; ++i)
        len = (len << 8) | static_cast<unsigned char>(der[pos++]);
    }
    return len;
  };
  std::size_t pos = 0;
  header(pos);  // CertificateList
  const std::size_t start = pos;
  const std::size_t len = header(pos);
  REQUIRE(pos + len <= der.size());
  return der.substr(start, pos - start + len);
}

// `openssl crl -text` of a DER CRL: it must verify against the CA; the
// signature value (different on every signing) is cut off.
std::string opensslText(const fs::path& dir, const std::string& name, const std::string& der) {
  writeFile(dir / name, der);
  auto r = runProcess({"openssl", "crl", "-inform", "DER", "-in", (dir / name).string(), "-CAfile",
                       (dir / "ca.pem").string(), "-noout", "-text"});
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  REQUIRE_THAT(r.output, Contains("verify OK"));
  return r.output.substr(0, r.output.find("Signature Value"));
}

// Revocations as the database holds them, in the spellings plugins accept.
std::vector<RevokedSerial> sampleRows(std::size_t n) {
  static const char* reasons[] = {"keyCompromise",        "",
                                  "superseded",           "unspecified",
                                  "cessationOfOperation", "caCompromise",
                                  "affiliation_changed",  "CERTIFICATE_HOLD",
                                  "privilegeWithdrawn",   "aACompromise"};
  std::mt19937_64 rng(n);
  std::vector<RevokedSerial> out;
  for (std::size_t i = 0; i < n; ++i) {
    char serial[40];
    std::snprintf(serial, sizeof serial, "%016llX%016llX",
                  static_cast<unsigned long long>(rng() | (1ull << 62)),
                  static_cast<unsigned long long>(rng()));
    const auto at = domain::TimePoint(std::chrono::seconds(1700000000 + (rng() % 50000000)));
    out.push_back({serial, domain::formatRfc3339(at), reasons[i % 10]});
  }
  if (n >= 5) {
    out[0].serialNumber = "0x7fAb01";                    // "0x", mixed case
    out[1].serialNumber = "0a:bc:de";                    // ':' separators
    out[2].serialNumber = "00DEADBEEF";                  // leading zeros
    out[3].revokedAt = "2025-03-02T10:00:00.250+02:00";  // offset, fraction
    out[4].revokedAt = "2025-03-02t08:00:00z";           // lower case
  }
  return out;
}

CrlEntryList sampleEntries(std::size_t n) { return listOf(sampleRows(n)); }

}  // namespace

TEST_CASE("the compact CRL request: one TSV line per row, written without a DOM",
          "[crl][plugins]") {
  const CrlEntryList entries = listOf({
      {"0x0a:bc:DE", "2025-03-02T10:00:00+02:00", "superseded"},
      {"01", "2025-01-01T00:00:00Z", ""},
      {"FF", "2025-01-01T00:00:01Z", "key_compromise"},
  });
  auto text = compactCrlRequestJson(entries, 42, kThisUpdate, kNextUpdate);
  REQUIRE(text);
  const json request = json::parse(*text);
  CHECK(request == json{{"crl_number", 42},
                        {"this_update", kThisUpdate},
                        {"next_update", kNextUpdate},
                        {"revoked_tsv",
                         "0abcDE\t1740902400\t4\n"
                         "01\t1735689600\t0\n"
                         "FF\t1735689601\t1\n"}});
  CHECK(json::parse(*compactCrlRequestJson(CrlEntryList(), 1, kThisUpdate,
                                           kNextUpdate))["revoked_tsv"] == "");

  // What the TSV cannot carry is left to generate_crl, and named.
  std::string problem;
  CHECK_FALSE(compactCrlRequestJson(
      listOf({{"01", "2025-01-01T00:00:00Z", ""}, {"zz", "2025-01-01T00:00:00Z", ""}}), 1,
      kThisUpdate, kNextUpdate, &problem));
  CHECK_THAT(problem, Contains("revocation 1 (serial 'zz'): the serial is not 1 to 64 hex digits"));
  CHECK_FALSE(compactCrlRequestJson(listOf({{"01", "yesterday", ""}}), 1, kThisUpdate, kNextUpdate,
                                    &problem));
  CHECK_THAT(problem, Contains("revoked_at 'yesterday' is not an RFC 3339 time"));
  CHECK_FALSE(compactCrlRequestJson(listOf({{"01", "2025-01-01T00:00:00Z", "lostIt"}}), 1,
                                    kThisUpdate, kNextUpdate, &problem));
  CHECK_THAT(problem, Contains("'lostIt' is not an RFC 5280 reason"));
  CHECK_FALSE(compactCrlRequestJson(listOf({{"01\t02", "2025-01-01T00:00:00Z", ""}}), 1,
                                    kThisUpdate, kNextUpdate));
}

TEST_CASE("CRL entries: CrlEntryList packs them in blocks and gives them back in order", "[crl]") {
  CrlEntryList list;
  CHECK(list.empty());
  const std::size_t n = 50000;  // ~3 MB: several blocks
  for (std::size_t i = 0; i < n; ++i)
    list.add("SERIAL" + std::to_string(i), "2025-01-01T00:00:00Z", i % 2 ? "superseded" : "");
  CHECK(list.size() == n);
  std::size_t seen = 0;
  bool inOrder = true;
  list.forEach([&](std::string_view serial, std::string_view at, std::string_view reason) {
    inOrder = inOrder && serial == "SERIAL" + std::to_string(seen) &&
              at == "2025-01-01T00:00:00Z" && reason == (seen % 2 ? "superseded" : "");
    ++seen;
  });
  CHECK(seen == n);
  CHECK(inOrder);
  seen = 0;
  list.forEach([&](std::string_view, std::string_view, std::string_view) { return ++seen < 10; });
  CHECK(seen == 10);  // a bool result stops the walk
  CHECK_THROWS_AS(list.add(std::string(70000, 'A'), "", ""), std::length_error);
  list.add(std::string(65535, 'A'), "", "");  // bigger than what is left of a block
  CHECK(list.size() == n + 1);
}

TEST_CASE("a plugin built against ABI 1.0 gets generate_crl, a 1.1 plugin the compact one",
          "[crl][plugins][abi]") {
  Host h{CERTCTL_ABI_PLUGIN_CRL_SLOTS, CERTCTL_ABI_PLUGIN_V1_0_CRL,
         CERTCTL_ABI_PLUGIN_CRL_COMPACT_UNSUPPORTED};
  const CrlEntryList entries = listOf({{"0A", "2025-01-01T00:00:00Z", "keyCompromise"}});
  auto sign = [&](const IssuerPlugin& plugin, const CrlEntryList& list) {
    return generateCrlDer(plugin, "iss-test", list, 1, kThisUpdate, kNextUpdate);
  };

  // Both slots within its vtable_size: the compact one is used.
  auto both = h.host.createIssuer("test-crl-slots", json::object());
  CHECK(both->supports("generate_crl_compact"));
  CHECK(both->info().abiMinor == CERTCTL_ABI_MINOR);
  CHECK(sign(*both, entries) == "generate_crl_compact");
  // A row the TSV cannot carry: generate_crl, which lets the plugin judge it.
  CHECK(sign(*both, listOf({{"not hex", "2025-01-01T00:00:00Z", ""}})) == "generate_crl");

  // Built against 1.0: its vtable_size ends before generate_crl_compact. The
  // plugin has set that slot anyway; the host must not read past the size.
  auto old = h.host.createIssuer("test-v1-0-crl", json::object());
  CHECK(old->info().abiMinor == 0);
  CHECK_FALSE(old->supports("generate_crl_compact"));
  CHECK(old->info().toJson()["operations"] == json({"issue", "renew", "revoke", "generate_crl"}));
  CHECK(old->info().toJson()["abi"] == "1.0");
  CHECK(sign(*old, entries) == "generate_crl");
  auto unsupported = callError([&] { old->generateCrlCompact("{}"); });
  CHECK(unsupported.status() == CERTCTL_UNSUPPORTED);
  CHECK_THAT(unsupported.what(), Contains("does not support generate_crl_compact"));

  // A compact slot that answers UNSUPPORTED at run time: generate_crl too.
  auto off = h.host.createIssuer("test-crl-compact-unsupported", json::object());
  CHECK(off->supports("generate_crl_compact"));
  CHECK(sign(*off, entries) == "generate_crl");
  CHECK_THAT(callError([&] { off->generateCrlCompact("{}"); }).what(),
             Contains("switched off in this build"));
}

TEST_CASE("local CA: the CRL through generate_crl_compact has the content of generate_crl",
          "[crl][local-ca]") {
  Host h{CERTCTL_LOCAL_CA_PLUGIN};
  auto ca = h.localCa();
  REQUIRE(ca->supports("generate_crl_compact"));
  const std::string chain = ca->getCaChain()["chain_pem"];
  writeFile(h.temp.path() / "ca.pem", chain);
  const auto caCert = pki::Certificate::fromPem(chain);

  for (std::size_t n : {std::size_t{0}, std::size_t{12}, std::size_t{20000}}) {
    INFO(n << " entries");
    const auto entries = sampleEntries(n);
    const std::string viaJson =
        derOf(ca->generateCrl(crlRequestJson(entries, 7, kThisUpdate, kNextUpdate)));
    const auto compactText = compactCrlRequestJson(entries, 7, kThisUpdate, kNextUpdate);
    REQUIRE(compactText);
    const std::string viaCompact = derOf(ca->generateCrlCompact(*compactText));
    // What the CRL service calls: the compact path, since the plugin has it.
    const std::string viaService =
        generateCrlDer(*ca, "iss-crl", entries, 7, kThisUpdate, kNextUpdate);

    // Byte for byte the same CRL content (the signatures differ: ECDSA).
    CHECK(tbsOf(viaCompact) == tbsOf(viaJson));
    CHECK(tbsOf(viaService) == tbsOf(viaJson));
    CHECK(viaCompact.size() - tbsOf(viaCompact).size() < 100);  // + algorithm and signature

    const auto parsed = pki::Crl::fromDer(viaCompact);
    CHECK(parsed.isSignedBy(caCert));
    CHECK(parsed.numberHex() == "7");
    REQUIRE(parsed.entryCount() == n);
    const auto reference = pki::Crl::fromDer(viaJson).entries();
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(parsed.entries()[i].serialHex == reference[i].serialHex);
      CHECK(parsed.entries()[i].revocationTime == reference[i].revocationTime);
      CHECK(parsed.entries()[i].reason == reference[i].reason);
      if (i > 200) break;  // the TBS comparison above covers the rest
    }

    if (n <= 12) {
      // And as openssl reads them: same serials, dates and reasons.
      const std::string jsonText = opensslText(h.temp.path(), "json.der", viaJson);
      const std::string compactText2 = opensslText(h.temp.path(), "compact.der", viaCompact);
      CHECK(compactText2 == jsonText);
      if (n == 12) {
        CHECK_THAT(compactText2,
                   Contains("Serial Number: 7FAB01") && Contains("Serial Number: 0ABCDE") &&
                       Contains("Serial Number: DEADBEEF") &&
                       Contains("Mar  2 08:00:00 2025 GMT") && Contains("Key Compromise") &&
                       Contains("Superseded") && Contains("CA Compromise") &&
                       Contains("Certificate Hold") && Contains("Privilege Withdrawn") &&
                       Contains("AA Compromise") && Contains("Cessation Of Operation") &&
                       Contains("Affiliation Changed"));
      }
    }
  }
}

TEST_CASE("local CA: generate_crl_compact refuses a bad list by line", "[crl][local-ca]") {
  Host h{CERTCTL_LOCAL_CA_PLUGIN};
  auto ca = h.localCa();
  auto compact = [&](const json& request) { return ca->generateCrlCompact(request.dump()); };

  CHECK(pki::Crl::fromDer(derOf(compact({{"crl_number", 1}}))).entryCount() == 0);
  CHECK(pki::Crl::fromDer(derOf(compact({{"crl_number", 1}, {"revoked_tsv", "01\t0\t0"}})))
            .entryCount() == 1);  // the last newline is optional

  auto rejected = [&](const json& request) {
    auto e = callError([&] { compact(request); });
    CHECK(e.status() == CERTCTL_REJECTED);
    return std::string(e.what());
  };
  CHECK_THAT(rejected({{"crl_number", 1}, {"revoked_tsv", "01\t1700000000\t1\nZZ\t1\t0\n"}}),
             Contains("revoked_tsv line 2: the serial is not 1 to 64 hex digits"));
  CHECK_THAT(rejected({{"crl_number", 1}, {"revoked_tsv", "01\tsoon\t1\n"}}),
             Contains("revoked_tsv line 1: the revocation time is not an integer"));
  CHECK_THAT(rejected({{"crl_number", 1}, {"revoked_tsv", "01\t1700000000\t7\n"}}),
             Contains("revoked_tsv line 1: the reason is not an RFC 5280 reason code"));
  CHECK_THAT(rejected({{"crl_number", 1}, {"revoked_tsv", "01\t1700000000\n"}}),
             Contains("revoked_tsv line 1: expected SERIALHEX<TAB>UNIX_SECONDS<TAB>REASON_CODE"));
  CHECK_THAT(rejected({{"crl_number", 1}, {"revoked_tsv", "01\t1700000000\t1\n\n"}}),
             Contains("revoked_tsv line 2"));
  CHECK_THAT(rejected({{"crl_number", 1}, {"revoked_tsv", "01\t99999999999999999\t1\n"}}),
             Contains("revoked_tsv line 1: the revocation time is out of range"));
  CHECK_THAT(rejected({{"crl_number", 1}, {"revoked_tsv", "01\t-631152001\t1\n"}}),
             Contains("revoked_tsv line 1: CRL time outside 1950..9999"));
  // removeFromCRL belongs in delta CRLs only.
  CHECK_THAT(rejected({{"crl_number", 1}, {"revoked_tsv", "02\t1700000000\t0\n01\t1700000000\t8"}}),
             Contains("revoked_tsv line 2: "));
  CHECK_THAT(rejected({{"crl_number", 1}, {"revoked_tsv", 5}}),
             Contains("revoked_tsv: must be a string"));
  CHECK_THAT(rejected({{"revoked_tsv", ""}}), Contains("crl_number: required"));
  CHECK_THAT(
      rejected({{"crl_number", 1}, {"this_update", kNextUpdate}, {"next_update", kThisUpdate}}),
      Contains("next_update: must be after this_update"));
}

TEST_CASE("CRL results have their own size limit, reported by operation", "[crl][plugins]") {
  const auto entries = sampleEntries(200);  // ~10 KB of DER, ~13 KB in base64
  {
    PluginHostOptions options;
    options.maxResultBytes = 4096;  // other results: a CA chain fits, a CRL would not
    Host h({CERTCTL_LOCAL_CA_PLUGIN}, options);
    auto ca = h.localCa();
    CHECK(pki::Crl::fromDer(generateCrlDer(*ca, "iss-crl", entries, 1, kThisUpdate, kNextUpdate))
              .entryCount() == 200);
  }
  PluginHostOptions options;
  options.maxCrlResultBytes = 4096;
  Host h({CERTCTL_LOCAL_CA_PLUGIN}, options);
  auto ca = h.localCa();
  auto tooBig =
      callError([&] { generateCrlDer(*ca, "iss-crl", entries, 1, kThisUpdate, kNextUpdate); });
  CHECK(tooBig.status() == CERTCTL_INTERNAL);
  CHECK_THAT(tooBig.what(), Contains("issuer 'GenericCA' generate_crl_compact: the result exceeds "
                                     "the host's limit of 4096 bytes for generate_crl_compact"));
  CHECK_THAT(callError([&] {
               ca->generateCrl(crlRequestJson(entries, 1, kThisUpdate, kNextUpdate));
             }).what(),
             Contains("limit of 4096 bytes for generate_crl"));
}

TEST_CASE("local CA: 200k entries through generate_crl_compact are quick", "[crl][local-ca]") {
  Host h{CERTCTL_LOCAL_CA_PLUGIN};
  auto ca = h.localCa();
  const auto entries = sampleEntries(200000);
  const auto start = std::chrono::steady_clock::now();
  const std::string der = generateCrlDer(*ca, "iss-crl", entries, 3, kThisUpdate, kNextUpdate);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  INFO("200k entries, request to DER: "
       << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
  CHECK(elapsed < std::chrono::seconds(5));  // ~0.1 s on a quiet machine; shared CI is not
  CHECK(pki::Crl::fromDer(der).entryCount() == 200000);
}
