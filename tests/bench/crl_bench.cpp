// crl_bench: CRL generation time and size for N revoked entries.
//
// For each N (default 100k and 1M): random 128-bit serials, revocation times
// within the past year and a mix of reasons. Times, 3 runs each, median:
//   - CrlBuilder: add every entry from its hex serial, then sign (DER,
//     ECDSA P-256 / SHA-256, CRL number + AKI);
//   - OpenSSL's X509_CRL API in process (X509_CRL_add0_revoked per entry,
//     X509_CRL_sort, X509_CRL_sign, i2d), the path CrlBuilder replaces;
//   - `openssl ca -gencrl` over an index.txt holding the same entries as 'R'
//     lines, with a minimal ca config (CRL number + AKI, as ours).
// The CrlBuilder and `openssl ca` outputs are checked with
// `openssl crl -CAfile ca.pem -noout` before any figure is printed.
//
// Then, end to end through the real server (unless --no-server): N
// revocations of iss-local are loaded straight into its database, one more
// certificate is revoked through POST /api/v1/certificates/{id}/revoke, and
// the time until GET /.well-known/pki/crl/iss-local returns the CRL with
// N + 1 entries is measured (database read, the request to the local-ca
// plugin -- generate_crl_compact since plugin ABI 1.1 --, signing,
// crl_cache write, HTTP), with the server's own generation_duration_ms
// from /api/v1/admin/crl/cache. CERTCTL_TEST_SERVER_BINARY=<another build's
// certctl-server> runs the same against that build (before/after).
// Run by hand (DESIGN §8): build/dev/bin/crl_bench [--no-server|--server-only] [N ...]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "core/domain/timestamps.h"
#include "core/store/database.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/crl.h"
#include "sdk/pki/crl_builder.h"
#include "sdk/pki/fingerprint.h"
#include "sdk/pki/private_key.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/test_database.h"

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using Clock = std::chrono::steady_clock;
using SysClock = std::chrono::system_clock;

namespace {

constexpr int kRuns = 3;
constexpr auto kToolTimeout = std::chrono::seconds(1800);

struct Entry {
  std::string serialHex;
  SysClock::time_point revokedAt;
  pki::RevocationReason reason;
};

std::vector<Entry> makeEntries(std::size_t n) {
  std::mt19937_64 rng(20240601 + n);
  const auto now = std::chrono::floor<std::chrono::seconds>(SysClock::now());
  std::vector<Entry> out;
  out.reserve(n);
  constexpr pki::RevocationReason kReasons[] = {
      pki::RevocationReason::unspecified, pki::RevocationReason::keyCompromise,
      pki::RevocationReason::superseded, pki::RevocationReason::cessationOfOperation};
  for (std::size_t i = 0; i < n; ++i) {
    std::string bytes(16, '\0');
    for (std::size_t j = 0; j < 16; j += 8) {
      const std::uint64_t r = rng();
      for (std::size_t k = 0; k < 8; ++k) bytes[j + k] = static_cast<char>(r >> (8 * k));
    }
    if (bytes[0] == '\0') bytes[0] = 1;  // keep all serials 16 octets long
    out.push_back({pki::hexEncode(bytes, true), now - std::chrono::seconds(rng() % 31536000),
                   kReasons[i % 4]});
  }
  return out;
}

// YYMMDDHHMMSSZ, the index.txt time format.
std::string indexTime(SysClock::time_point t) {
  const std::time_t tt = SysClock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%y%m%d%H%M%SZ", &tm);
  return buf;
}

const char* opensslReason(pki::RevocationReason r) {
  switch (r) {
    case pki::RevocationReason::keyCompromise:
      return "keyCompromise";
    case pki::RevocationReason::superseded:
      return "superseded";
    case pki::RevocationReason::cessationOfOperation:
      return "cessationOfOperation";
    default:
      return nullptr;
  }
}

void writeFile(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The same CRL through OpenSSL's X509_CRL API (what CrlBuilder avoids):
// one X509_REVOKED per entry, X509_CRL_sort, X509_CRL_sign, i2d.
std::size_t opensslApiCrl(const pki::Certificate& ca, const pki::PrivateKey& key,
                          const std::vector<Entry>& entries) {
  X509_CRL* crl = X509_CRL_new();
  X509_CRL_set_version(crl, X509_CRL_VERSION_2);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca.get()));
  ASN1_TIME* now = ASN1_TIME_set(nullptr, std::time(nullptr));
  ASN1_TIME* next = ASN1_TIME_set(nullptr, std::time(nullptr) + 86400);
  X509_CRL_set1_lastUpdate(crl, now);
  X509_CRL_set1_nextUpdate(crl, next);
  for (const auto& e : entries) {
    X509_REVOKED* r = X509_REVOKED_new();
    BIGNUM* bn = nullptr;
    BN_hex2bn(&bn, e.serialHex.c_str());
    ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, nullptr);
    X509_REVOKED_set_serialNumber(r, serial);
    ASN1_TIME* t = ASN1_TIME_set(nullptr, SysClock::to_time_t(e.revokedAt));
    X509_REVOKED_set_revocationDate(r, t);
    if (e.reason != pki::RevocationReason::unspecified) {
      ASN1_ENUMERATED* code = ASN1_ENUMERATED_new();
      ASN1_ENUMERATED_set(code, static_cast<int>(e.reason));
      X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, code, 0, 0);
      ASN1_ENUMERATED_free(code);
    }
    X509_CRL_add0_revoked(crl, r);
    ASN1_TIME_free(t);
    ASN1_INTEGER_free(serial);
    BN_free(bn);
  }
  X509_CRL_sort(crl);
  X509_CRL_sign(crl, key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl, &der);
  OPENSSL_free(der);
  ASN1_TIME_free(now);
  ASN1_TIME_free(next);
  X509_CRL_free(crl);
  if (len <= 0) throw std::runtime_error("X509_CRL API path failed");
  return static_cast<std::size_t>(len);
}

void checkWithOpenssl(const fs::path& dir, const fs::path& crl, const std::string& form) {
  auto r = certctl::testing::runProcess({"openssl", "crl", "-inform", form, "-in", crl.string(),
                                         "-CAfile", (dir / "ca.pem").string(), "-noout"},
                                        {}, kToolTimeout);
  if (r.exitCode != 0 || r.output.find("verify OK") == std::string::npos) {
    throw std::runtime_error("openssl does not verify " + crl.string() + ": " + r.output);
  }
}

int run(const std::vector<std::size_t>& sizes) {
  certctl::testing::TempDir tmp;
  const fs::path& dir = tmp.path();
  pki::PrivateKey caKey = pki::PrivateKey::generateEcP256();
  pki::Certificate ca = pki::CertificateBuilder()
                            .commonName("crl_bench CA")
                            .validFor(std::chrono::hours(24 * 365))
                            .ca(true)
                            .selfSign(caKey);
  writeFile(dir / "ca.pem", ca.toPem());
  writeFile(dir / "ca.key", caKey.toPkcs8Pem());
  writeFile(dir / "ca.cnf",
            "[ ca ]\ndefault_ca = bench\n[ bench ]\n"
            "database = " +
                (dir / "index.txt").string() + "\n" + "crlnumber = " +
                (dir / "crlnumber").string() + "\n" + "certificate = " + (dir / "ca.pem").string() +
                "\n" + "private_key = " + (dir / "ca.key").string() + "\n" +
                "default_md = sha256\ndefault_crl_days = 1\nunique_subject = no\n"
                "crl_extensions = crl_ext\n[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n");

  std::printf("CA key: ECDSA P-256, SHA-256; %d runs each, median\n", kRuns);
  std::printf("%10s  %11s  %12s  %16s  %14s  %12s  %8s\n", "entries", "certctl ms", "certctl DER",
              "X509_CRL API ms", "openssl ca ms", "openssl DER", "vs ca");
  for (std::size_t n : sizes) {
    const std::vector<Entry> entries = makeEntries(n);

    std::vector<double> ours;
    std::size_t ourSize = 0;
    for (int run = 0; run < kRuns; ++run) {
      const auto start = Clock::now();
      pki::CrlBuilder builder(ca, caKey);
      builder.number(static_cast<std::uint64_t>(run) + 1).reserve(n);
      for (const auto& e : entries) builder.add(e.serialHex, e.revokedAt, e.reason);
      pki::SignedCrl crl = builder.sign();
      ours.push_back(msSince(start));
      ourSize = crl.der.size();
      if (run == 0) {
        writeFile(dir / "ours.der", crl.der);
        checkWithOpenssl(dir, dir / "ours.der", "DER");
      }
    }

    // OpenSSL's API, in process, no extensions: a floor for that path.
    std::vector<double> api;
    for (int run = 0; run < kRuns; ++run) {
      const auto start = Clock::now();
      opensslApiCrl(ca, caKey, entries);
      api.push_back(msSince(start));
    }

    std::string index;
    index.reserve(n * 90);
    const std::string expiry = indexTime(SysClock::now() + std::chrono::hours(24 * 365));
    for (std::size_t i = 0; i < n; ++i) {
      const Entry& e = entries[i];
      std::string revoked = indexTime(e.revokedAt);
      if (const char* reason = opensslReason(e.reason)) revoked += std::string(",") + reason;
      for (const std::string& field :
           {std::string("R"), expiry, revoked, e.serialHex, std::string("unknown")}) {
        index.append(field).append("\t");
      }
      index.append("/CN=cert-").append(std::to_string(i)).append("\n");
    }
    writeFile(dir / "index.txt", index);
    writeFile(dir / "index.txt.attr", "unique_subject = no\n");

    std::vector<double> theirs;
    for (int run = 0; run < kRuns; ++run) {
      writeFile(dir / "crlnumber", "01\n");
      const auto start = Clock::now();
      auto r = certctl::testing::runProcess({"openssl", "ca", "-config", (dir / "ca.cnf").string(),
                                             "-gencrl", "-out", (dir / "theirs.pem").string()},
                                            {}, kToolTimeout);
      theirs.push_back(msSince(start));
      if (r.exitCode != 0) {
        std::cerr << "openssl ca -gencrl failed: " << r.output << "\n";
        return 1;
      }
    }
    checkWithOpenssl(dir, dir / "theirs.pem", "PEM");
    auto conv =
        certctl::testing::runProcess({"openssl", "crl", "-in", (dir / "theirs.pem").string(),
                                      "-outform", "DER", "-out", (dir / "theirs.der").string()},
                                     {}, kToolTimeout);
    const auto theirSize = conv.exitCode == 0 ? fs::file_size(dir / "theirs.der") : 0;

    const double ourMs = median(ours);
    const double theirMs = median(theirs);
    std::printf("%10zu  %11.1f  %12zu  %16.1f  %14.1f  %12ju  %7.1fx\n", n, ourMs, ourSize,
                median(api), theirMs, static_cast<std::uintmax_t>(theirSize), theirMs / ourMs);
    std::printf(
        "%10s  runs ms: certctl %.1f %.1f %.1f | X509_CRL API %.1f %.1f %.1f | "
        "openssl ca %.1f %.1f %.1f\n",
        "", ours[0], ours[1], ours[2], api[0], api[1], api[2], theirs[0], theirs[1], theirs[2]);
    std::fflush(stdout);
  }
  std::printf("openssl ca times include process start, reading index.txt and PEM output.\n");
  return 0;
}

std::vector<std::string> logLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Adds revocations [from, to) of one placeholder certificate to iss-local.
void seedRevocations(certctl::store::Database& db, const std::vector<Entry>& entries,
                     std::size_t from, std::size_t to) {
  auto lease = db.acquire();
  db.executeScript(*lease, "BEGIN");
  if (from == 0)
    db.executeScript(*lease,
                     "INSERT INTO managed_certificates (id, name, common_name, issuer_id, status) "
                     "VALUES ('mc-crl-bench', 'crl-bench', 'crl-bench.example.test', 'iss-local', "
                     "'Revoked')");
  const char* reasons[] = {"unspecified", "keyCompromise", "superseded", "cessationOfOperation"};
  for (std::size_t start = from; start < to; start += 1000) {
    std::string sql =
        "INSERT INTO certificate_revocations (id, certificate_id, issuer_id, serial_number, "
        "reason, revoked_by, revoked_at) VALUES ";
    for (std::size_t i = start; i < std::min(to, start + 1000); ++i) {
      const auto t = std::chrono::floor<std::chrono::seconds>(entries[i].revokedAt);
      sql += std::string(i == start ? "" : ", ") + "('rev-crl-" + std::to_string(i) +
             "', 'mc-crl-bench', 'iss-local', '" +
             entries[i].serialHex.substr(entries[i].serialHex.find_first_not_of('0')) + "', '" +
             reasons[i % 4] + "', 'bench', '" + certctl::domain::formatRfc3339(t) + "')";
    }
    db.executeScript(*lease, sql);
  }
  db.executeScript(*lease, "COMMIT");
  // A bulk load leaves a large WAL that every read would search until the
  // next automatic checkpoint; a server that accumulated its revocations has none.
  if (db.dialect() == certctl::store::Dialect::Sqlite)
    db.executeScript(*lease, "PRAGMA wal_checkpoint(TRUNCATE)");
}

int runServer(const std::vector<std::size_t>& sizes) {
  certctl::testing::ServerProcessOptions options;
  options.env["CERTCTL_LOG_LEVEL"] = "info";  // the "crl generated" line has the breakdown
  certctl::testing::ServerProcess server(options);
  auto db = certctl::store::Database::open(server.databaseUrl(), 1);
  const pki::Certificate ca = pki::Certificate::fromPem([&] {
    std::ifstream in(server.dataDir() / "issuers" / "iss-local" / "ca.crt");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }());
  const std::size_t largest = *std::max_element(sizes.begin(), sizes.end());
  const std::vector<Entry> entries = makeEntries(largest);
  std::printf(
      "\nThrough certctl-server (%s, local-ca plugin, CA key %s): revoke one more "
      "certificate, then GET the CRL\n",
      server.databaseUrl().rfind("postgres", 0) == 0 ? "PostgreSQL" : "SQLite",
      ca.keyAlgorithm().c_str());
  std::printf("%10s  %14s  %13s  %11s  %11s  %10s  %12s\n", "entries", "revoke->CRL ms",
              "server gen ms", "db read ms", "plugin ms", "store ms", "DER bytes");
  std::size_t seeded = 0;
  int round = 0;
  std::vector<std::size_t> sorted = sizes;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t n : sorted) {
    seedRevocations(*db, entries, seeded, n);
    seeded = n;
    // One more certificate with an issued version, revoked through the API.
    const std::string id = "mc-crl-trigger-" + std::to_string(++round);
    {
      auto lease = db->acquire();
      db->executeScript(
          *lease,
          "INSERT INTO managed_certificates (id, name, common_name, issuer_id, status) "
          "VALUES ('" +
              id + "', '" + id +
              "', 't.example.test', 'iss-local', 'Active');"
              "INSERT INTO certificate_versions (id, certificate_id, issuer_id, serial_number, "
              "not_before, not_after, fingerprint_sha256, pem_chain) VALUES ('cv-" +
              id + "', '" + id + "', 'iss-local', 'FEED" + std::to_string(round) +
              "', '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z', 'fp-" + id + "', 'x')");
    }
    const auto start = Clock::now();
    auto revoked = server.post("/api/v1/certificates/" + id + "/revoke",
                               nlohmann::json{{"reason", "keyCompromise"}});
    if (revoked.status != 200) throw std::runtime_error("revoke failed: " + revoked.body);
    auto crl = server.request("GET", "/.well-known/pki/crl/iss-local", {}, {}, "-");
    const double ms = msSince(start);
    if (crl.status != 200) throw std::runtime_error("CRL fetch failed: " + crl.body);
    pki::Crl parsed = pki::Crl::fromDer(crl.body);
    if (parsed.entryCount() != n + static_cast<std::size_t>(round) || !parsed.isSignedBy(ca))
      throw std::runtime_error("the served CRL has " + std::to_string(parsed.entryCount()) +
                               " entries or a bad signature");
    auto cache = server.get("/api/v1/admin/crl/cache").json();
    const long long serverMs = cache["data"][0]["generation_duration_ms"];
    // The server's own breakdown: reading the revocations, the plugin call
    // (request, parsing, signing, result) and storing the CRL in crl_cache
    // (after generation_duration_ms, before the CRL is served).
    long long dbMs = -1, pluginMs = -1, storeMs = -1;
    for (const auto& line : logLines(server.log())) {
      auto doc = nlohmann::json::parse(line, nullptr, false);
      if (doc.is_object() && doc.value("msg", "") == "crl generated" &&
          doc.value("crl_number", 0LL) == cache["data"][0]["crl_number"].get<long long>()) {
        dbMs = doc.value("db_read_ms", -1LL);
        pluginMs = doc.value("sign_ms", -1LL);
        storeMs = doc.value("store_ms", -1LL);
      }
    }
    std::printf("%10zu  %14.1f  %13lld  %11lld  %11lld  %10lld  %12zu\n", parsed.entryCount(), ms,
                serverMs, dbMs, pluginMs, storeMs, crl.body.size());
    std::fflush(stdout);
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::size_t> sizes;
    bool server = true, builder = true;
    for (int i = 1; i < argc; ++i) {
      if (std::string(argv[i]) == "--no-server")
        server = false;
      else if (std::string(argv[i]) == "--server-only")
        builder = false;
      else
        sizes.push_back(std::stoull(argv[i]));
    }
    if (sizes.empty()) sizes = {100000, 1000000};
    if (builder)
      if (int rc = run(sizes); rc != 0) return rc;
    return server ? runServer(sizes) : 0;
  } catch (const std::exception& e) {
    std::cerr << "crl_bench: " << e.what() << "\n";
    return 1;
  }
}
