#include "core/http/tls_bootstrap.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include "tests/support/test_database.h"

#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/private_key.h"
#include "sdk/pki/secure_file.h"

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using certctl::http::ensureBootstrapTls;
using certctl::http::TlsMaterial;
using certctl::testing::TempDir;
using namespace std::chrono_literals;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned modeOf(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

pki::Certificate loadCert(const fs::path& p) { return pki::Certificate::fromPem(slurp(p)); }

bool verifiesAgainst(const pki::Certificate& leaf, const pki::Certificate& ca) {
  pki::X509StorePtr store(X509_STORE_new());
  REQUIRE(X509_STORE_add_cert(store.get(), ca.get()) == 1);
  pki::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) == 1);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  bool ok = X509_verify_cert(ctx.get()) == 1;
  ERR_clear_error();
  return ok;
}

struct Snapshot {
  std::string caCert, caKey, serverCert, serverKey;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const fs::path& dir) {
  return {slurp(dir / "ca.crt"), slurp(dir / "ca.key"), slurp(dir / "server.crt"),
          slurp(dir / "server.key")};
}

struct ProcessResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr
};

// fork/exec with an argv vector: no shell, so paths need no quoting.
ProcessResult run(const std::vector<std::string>& args) {
  int pipeFds[2];
  REQUIRE(::pipe(pipeFds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(pipeFds[1], STDOUT_FILENO);
    ::dup2(pipeFds[1], STDERR_FILENO);
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipeFds[1]);
  ProcessResult result;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipeFds[0], buf, sizeof buf)) > 0) result.output.append(buf, n);
  ::close(pipeFds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace

TEST_CASE("tls_bootstrap: first call creates a CA and a server certificate", "[http]") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "data" / "tls";
  TlsMaterial m = ensureBootstrapTls(dir, {});
  CHECK(m.created);
  CHECK(m.caCreated);
  CHECK_FALSE(m.reason.empty());
  CHECK(m.caCert == dir / "ca.crt");
  CHECK(m.serverCert == dir / "server.crt");
  CHECK(m.serverKey == dir / "server.key");

  CHECK(modeOf(dir) == 0700);
  CHECK(modeOf(dir / "ca.key") == 0600);
  CHECK(modeOf(dir / "server.key") == 0600);
  CHECK(modeOf(dir / "ca.crt") == 0644);

  pki::Certificate ca = loadCert(m.caCert);
  CHECK(ca.subjectCommonName() == "certctl bootstrap CA");
  CHECK(ca.isCa());
  CHECK(ca.pathLength() == 0);
  CHECK(ca.matchesKey(pki::PrivateKey::fromPem(slurp(dir / "ca.key"))));
  CHECK(pki::PrivateKey::fromPem(slurp(dir / "ca.key")).algorithm() == "ECDSA");
  const auto now = std::chrono::system_clock::now();
  CHECK(ca.notAfter() > now + 3649 * 24h);
  CHECK(ca.notAfter() < now + 3651 * 24h);

  pki::Certificate server = loadCert(m.serverCert);
  pki::PrivateKey serverKey = pki::PrivateKey::fromPem(slurp(m.serverKey));
  CHECK(serverKey.algorithm() == "ECDSA");
  CHECK(server.matchesKey(serverKey));
  CHECK_FALSE(server.isCa());
  CHECK(server.dnsNames() == std::vector<std::string>{"localhost"});
  CHECK(server.ipAddresses() == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(X509_get_extended_key_usage(server.get()) == XKU_SSL_SERVER);
  CHECK(server.notAfter() > now + 396 * 24h);
  CHECK(server.notAfter() < now + 398 * 24h);
  CHECK(verifiesAgainst(server, ca));
  CHECK(X509_check_host(server.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(server.get(), "::1", 0) == 1);
  CHECK(X509_check_host(server.get(), "example.com", 0, 0, nullptr) != 1);
}

TEST_CASE("tls_bootstrap: a second call changes nothing", "[http]") {
  TempDir tmp;
  ensureBootstrapTls(tmp.path(), {"certctl.test"});
  const Snapshot before = snapshot(tmp.path());
  TlsMaterial again =
      ensureBootstrapTls(tmp.path(), {"CERTCTL.test."});  // same name, other spelling
  CHECK_FALSE(again.created);
  CHECK_FALSE(again.caCreated);
  CHECK(again.reason.empty());
  CHECK(snapshot(tmp.path()) == before);
}

TEST_CASE("tls_bootstrap: a missing name re-issues the server cert, not the CA", "[http]") {
  TempDir tmp;
  ensureBootstrapTls(tmp.path(), {});
  const Snapshot before = snapshot(tmp.path());

  TlsMaterial m =
      ensureBootstrapTls(tmp.path(), {"certctl.example.test", "10.9.8.7", "[2001:DB8::5]"});
  CHECK(m.created);
  CHECK_FALSE(m.caCreated);
  CHECK_THAT(m.reason, Catch::Contains("certctl.example.test"));
  const Snapshot after = snapshot(tmp.path());
  CHECK(after.caCert == before.caCert);
  CHECK(after.caKey == before.caKey);
  CHECK(after.serverCert != before.serverCert);
  CHECK(after.serverKey != before.serverKey);

  pki::Certificate server = loadCert(m.serverCert);
  CHECK(server.subjectCommonName() == "certctl.example.test");
  CHECK(server.dnsNames() == std::vector<std::string>{"localhost", "certctl.example.test"});
  CHECK(server.ipAddresses() ==
        std::vector<std::string>{"127.0.0.1", "::1", "10.9.8.7", "2001:db8::5"});
  CHECK(verifiesAgainst(server, loadCert(m.caCert)));
  CHECK(modeOf(m.serverKey) == 0600);

  // The same names again, spelled differently: nothing to do.
  CHECK_FALSE(ensureBootstrapTls(tmp.path(), {"10.9.8.7", "2001:db8:0::5", "certctl.example.test"})
                  .created);
}

TEST_CASE("tls_bootstrap: an expiring or foreign server cert is re-issued", "[http]") {
  TempDir tmp;
  TlsMaterial first = ensureBootstrapTls(tmp.path(), {});
  pki::Certificate ca = loadCert(first.caCert);
  pki::PrivateKey caKey = pki::PrivateKey::fromPem(slurp(tmp.path() / "ca.key"));
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  auto install = [&](const pki::Certificate& cert) {
    pki::writeFileAtomic(first.serverKey, key.toPkcs8Pem());
    pki::writeFileAtomic(first.serverCert, cert.toPem());
  };
  pki::CertificateBuilder b;
  b.commonName("localhost")
      .dnsName("localhost")
      .ipAddress("127.0.0.1")
      .ipAddress("::1")
      .serverAuth();

  SECTION("expires within 30 days") {
    install(b.validFor(10 * 24h).signWith(ca, caKey, key));
    TlsMaterial m = ensureBootstrapTls(tmp.path(), {});
    CHECK(m.created);
    CHECK_THAT(m.reason, Catch::Contains("30 days"));
    CHECK(loadCert(m.serverCert).notAfter() > std::chrono::system_clock::now() + 396 * 24h);
  }
  SECTION("still 40 days left: kept") {
    install(b.validFor(40 * 24h).signWith(ca, caKey, key));
    CHECK_FALSE(ensureBootstrapTls(tmp.path(), {}).created);
  }
  SECTION("signed by another CA") {
    pki::PrivateKey otherKey = pki::PrivateKey::generateEcP256();
    pki::Certificate other = pki::CertificateBuilder()
                                 .commonName("certctl bootstrap CA")
                                 .validFor(24h)
                                 .ca(true, 0)
                                 .selfSign(otherKey);
    install(b.validFor(100 * 24h).signWith(other, otherKey, key));
    TlsMaterial m = ensureBootstrapTls(tmp.path(), {});
    CHECK(m.created);
    CHECK(verifiesAgainst(loadCert(m.serverCert), ca));
  }
  SECTION("key does not match") {
    pki::writeFileAtomic(first.serverKey, pki::PrivateKey::generateEcP256().toPkcs8Pem());
    CHECK(ensureBootstrapTls(tmp.path(), {}).created);
    CHECK(loadCert(first.serverCert).matchesKey(pki::PrivateKey::fromPem(slurp(first.serverKey))));
  }
  SECTION("server files deleted or damaged") {
    fs::remove(first.serverCert);
    CHECK(ensureBootstrapTls(tmp.path(), {}).created);
    pki::writeFileAtomic(first.serverKey, "garbage");
    CHECK(ensureBootstrapTls(tmp.path(), {}).created);
    CHECK_FALSE(ensureBootstrapTls(tmp.path(), {}).created);
  }
  CHECK(loadCert(first.caCert) == ca);  // the CA is never touched
}

TEST_CASE("tls_bootstrap: key files readable by others are refused", "[http]") {
  TempDir tmp;
  ensureBootstrapTls(tmp.path(), {});
  const Snapshot before = snapshot(tmp.path());
  const auto keyName = GENERATE(as<std::string>{}, "server.key", "ca.key");
  const auto mode = GENERATE(fs::perms(0644), fs::perms(0640), fs::perms(0604), fs::perms(0620));
  const fs::path key = tmp.path() / keyName;
  fs::permissions(key, mode, fs::perm_options::replace);
  CHECK_THROWS_WITH(ensureBootstrapTls(tmp.path(), {}), Catch::Contains(key.string()));
  CHECK_THROWS_AS(ensureBootstrapTls(tmp.path(), {"new.name.test"}), std::runtime_error);
  CHECK(snapshot(tmp.path()) == before);
  fs::permissions(key, fs::perms(0600), fs::perm_options::replace);
  CHECK_FALSE(ensureBootstrapTls(tmp.path(), {}).created);
}

TEST_CASE("tls_bootstrap: half a CA or a bad name is refused", "[http]") {
  TempDir tmp;
  SECTION("ca.key without ca.crt") {
    ensureBootstrapTls(tmp.path(), {});
    fs::remove(tmp.path() / "ca.crt");
    CHECK_THROWS_WITH(ensureBootstrapTls(tmp.path(), {}), Catch::Contains("ca.key exists"));
  }
  SECTION("ca.crt without ca.key") {
    ensureBootstrapTls(tmp.path(), {});
    fs::remove(tmp.path() / "ca.key");
    CHECK_THROWS_WITH(ensureBootstrapTls(tmp.path(), {}), Catch::Contains("ca.crt exists"));
  }
  SECTION("ca.key from another CA") {
    ensureBootstrapTls(tmp.path(), {});
    pki::writeFileAtomic(tmp.path() / "ca.key", pki::PrivateKey::generateEcP256().toPkcs8Pem());
    CHECK_THROWS_WITH(ensureBootstrapTls(tmp.path(), {}), Catch::Contains("does not match"));
  }
  SECTION("invalid extra name") {
    CHECK_THROWS_WITH(ensureBootstrapTls(tmp.path(), {"not a host"}),
                      Catch::Contains("not a host"));
    CHECK_THROWS_AS(ensureBootstrapTls(tmp.path(), {""}), std::runtime_error);
    CHECK_FALSE(fs::exists(tmp.path() / "ca.key"));  // validated before anything is made
  }
  SECTION("tls dir is a file") {
    std::ofstream(tmp.path() / "file") << "x";
    CHECK_THROWS_AS(ensureBootstrapTls(tmp.path() / "file", {}), std::runtime_error);
  }
}

TEST_CASE("tls_bootstrap: the openssl CLI verifies the server cert", "[http]") {
  if (run({"openssl", "version"}).exitCode != 0) {
    WARN("openssl CLI not found; skipped");
    return;
  }
  TempDir tmp;
  TlsMaterial m = ensureBootstrapTls(tmp.path(), {"cli.test"});
  ProcessResult ok = run({"openssl", "verify", "-purpose", "sslserver", "-CAfile",
                          m.caCert.string(), m.serverCert.string()});
  CAPTURE(ok.output);
  CHECK(ok.exitCode == 0);
  CHECK_THAT(ok.output, Catch::Contains(": OK"));

  // Against another bootstrap CA it must fail, so the check above can fail.
  TempDir other;
  TlsMaterial o = ensureBootstrapTls(other.path(), {});
  CHECK(run({"openssl", "verify", "-CAfile", o.caCert.string(), m.serverCert.string()}).exitCode !=
        0);

  // The CLI's fingerprint, colons removed and lowercased, is ours.
  ProcessResult fp =
      run({"openssl", "x509", "-in", m.serverCert.string(), "-noout", "-fingerprint", "-sha256"});
  REQUIRE(fp.exitCode == 0);
  std::string hex;
  for (char c : fp.output.substr(fp.output.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  CHECK(hex == loadCert(m.serverCert).sha256FingerprintHex());
}
