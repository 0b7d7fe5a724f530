#include "core/http/tls_bootstrap.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"
#include "sdk/pki/secure_file.h"

namespace certctl::http {

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using std::chrono::days;

namespace {

constexpr auto kCaLifetime = days(3650);
constexpr auto kServerLifetime = days(397);  // the CA/Browser Forum maximum
constexpr auto kRenewBefore = days(30);
constexpr auto kKeyMode = fs::perms::owner_read | fs::perms::owner_write;
constexpr auto kCertMode = kKeyMode | fs::perms::group_read | fs::perms::others_read;
constexpr size_t kMaxFileSize = 1 << 20;

std::string systemError(const std::string& what, const fs::path& path, int err) {
  return what + " " + path.string() + ": " + std::strerror(err);
}

// Canonical form so "LOCALHOST" and "0:0::1" compare equal to what the
// certificate already lists.
struct Names {
  std::vector<std::string> dns;
  std::vector<std::string> ips;
};

Names requiredNames(const std::vector<std::string>& extraNames) {
  Names names{{"localhost"}, {"127.0.0.1", "::1"}};
  for (std::string name : extraNames) {
    if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
      name = name.substr(1, name.size() - 2);  // "[::1]" as written in URLs
    }
    std::array<unsigned char, 16> raw{};
    std::array<char, INET6_ADDRSTRLEN> text{};
    int family = inet_pton(AF_INET, name.c_str(), raw.data()) == 1    ? AF_INET
                 : inet_pton(AF_INET6, name.c_str(), raw.data()) == 1 ? AF_INET6
                                                                      : 0;
    if (family != 0) {
      inet_ntop(family, raw.data(), text.data(), text.size());
      std::string ip = text.data();
      if (std::find(names.ips.begin(), names.ips.end(), ip) == names.ips.end()) {
        names.ips.push_back(std::move(ip));
      }
      continue;
    }
    if (!name.empty() && name.back() == '.') name.pop_back();  // FQDN root dot
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    try {
      pki::CertificateBuilder().dnsName(name);  // the one place that knows DNS syntax
    } catch (const std::exception&) {
      throw std::runtime_error("TLS name '" + name + "' is neither a DNS name nor an IP address");
    }
    if (std::find(names.dns.begin(), names.dns.end(), name) == names.dns.end()) {
      names.dns.push_back(std::move(name));
    }
  }
  return names;
}

void ensurePrivateDirectory(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir.string() + " is not a directory");
    return;
  }
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::runtime_error(systemError("cannot create", dir, errno));
  }
  // mkdir's mode passes through the umask; state 0700 exactly.
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
}

// Two servers started at once on one data dir would otherwise both mint a CA.
class DirectoryLock {
 public:
  explicit DirectoryLock(const fs::path& lockFile) {
    fd_ = ::open(lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error(systemError("cannot open", lockFile, errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int err = errno;
        ::close(fd_);
        throw std::runtime_error(systemError("cannot lock", lockFile, err));
      }
    }
  }
  ~DirectoryLock() { ::close(fd_); }  // closing releases the flock
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

// Like ssh with an identity file: a key others can read may already be
// copied, so using it silently would hide a compromise.
void refuseExposedKey(const fs::path& key) {
  struct stat st {};
  if (::stat(key.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error(systemError("cannot stat", key, errno));
  }
  if ((st.st_mode & 077) != 0) {
    std::ostringstream msg;
    msg << "private key " << key.string() << " is accessible by group/others (mode 0" << std::oct
        << (st.st_mode & 0777) << "); refusing to use it — chmod 600 it, or delete it"
        << " to have it regenerated";
    throw std::runtime_error(msg.str());
  }
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::string data;
  std::array<char, 8192> buf{};
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
    data.append(buf.data(), static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxFileSize) throw std::runtime_error(path.string() + " is too large");
  }
  return data;
}

bool containsAll(const std::vector<std::string>& have, const std::vector<std::string>& want,
                 std::string* missing) {
  for (const auto& name : want) {
    if (std::find(have.begin(), have.end(), name) == have.end()) {
      *missing = name;
      return false;
    }
  }
  return true;
}

std::vector<std::string> lowercased(std::vector<std::string> names) {
  for (auto& name : names) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  return names;
}

// Why the server certificate must be (re)issued, or "" if it is fine.
std::string serverReissueReason(const TlsMaterial& m, const pki::Certificate& ca,
                                const Names& names) {
  if (!fs::exists(m.serverCert)) return "server certificate missing";
  if (!fs::exists(m.serverKey)) return "server key missing";
  // Parse failures are recoverable here: both files are ours to regenerate.
  try {
    pki::Certificate cert = pki::Certificate::fromPem(readFile(m.serverCert));
    pki::PrivateKey key = pki::PrivateKey::fromPem(readFile(m.serverKey));
    if (!cert.matchesKey(key)) return "server certificate does not match server key";
    if (!cert.isSignedBy(ca)) return "server certificate not issued by the bootstrap CA";
    if (cert.notAfter() - std::chrono::system_clock::now() < kRenewBefore) {
      return "server certificate expires within 30 days";
    }
    std::string missing;
    if (!containsAll(lowercased(cert.dnsNames()), names.dns, &missing) ||
        !containsAll(cert.ipAddresses(), names.ips, &missing)) {
      return "server certificate lacks name '" + missing + "'";
    }
  } catch (const std::exception& e) {
    return std::string("server certificate or key unreadable (") + e.what() + ")";
  }
  return {};
}

void issueServerCertificate(const TlsMaterial& m, const pki::Certificate& ca,
                            const pki::PrivateKey& caKey, const Names& names) {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  // Never outlive the CA: a chain that expires in the middle is invalid anyway.
  auto notAfter = std::min(std::chrono::system_clock::now() + kServerLifetime, ca.notAfter());
  pki::CertificateBuilder builder;
  builder.commonName(names.dns.size() > 1 ? names.dns[1] : names.dns[0])
      .organization("certctl")
      .notAfter(notAfter)
      .serverAuth();
  for (const auto& dns : names.dns) builder.dnsName(dns);
  for (const auto& ip : names.ips) builder.ipAddress(ip);
  pki::Certificate cert = builder.signWith(ca, caKey, key);
  // Key first: a crash in between leaves a mismatch, which the next call
  // detects and repairs.
  pki::writeFileAtomic(m.serverKey, key.toPkcs8Pem(), kKeyMode);
  pki::writeFileAtomic(m.serverCert, cert.toPem(), kCertMode);
}

}  // namespace

TlsMaterial ensureBootstrapTls(const fs::path& tlsDir, const std::vector<std::string>& extraNames) {
  const Names names = requiredNames(extraNames);
  ensurePrivateDirectory(tlsDir);
  DirectoryLock lock(tlsDir / ".bootstrap.lock");

  TlsMaterial m;
  m.caCert = tlsDir / "ca.crt";
  m.serverCert = tlsDir / "server.crt";
  m.serverKey = tlsDir / "server.key";
  const fs::path caKeyPath = tlsDir / "ca.key";
  refuseExposedKey(caKeyPath);
  refuseExposedKey(m.serverKey);

  const bool haveCaCert = fs::exists(m.caCert);
  const bool haveCaKey = fs::exists(caKeyPath);
  if (haveCaCert != haveCaKey) {
    // Regenerating would silently replace a CA that clients may already trust.
    const fs::path& present = haveCaCert ? m.caCert : caKeyPath;
    const fs::path& absent = haveCaCert ? caKeyPath : m.caCert;
    throw std::runtime_error(present.string() + " exists but " + absent.string() +
                             " does not; restore it, or delete both to create a new bootstrap CA");
  }

  std::optional<pki::Certificate> ca;
  std::optional<pki::PrivateKey> caKey;
  if (!haveCaCert) {
    caKey.emplace(pki::PrivateKey::generateEcP256());
    ca.emplace(pki::CertificateBuilder()
                   .commonName("certctl bootstrap CA")
                   .organization("certctl")
                   .validFor(kCaLifetime)
                   .ca(true, 0)
                   .selfSign(*caKey));
    pki::writeFileAtomic(caKeyPath, caKey->toPkcs8Pem(), kKeyMode);
    pki::writeFileAtomic(m.caCert, ca->toPem(), kCertMode);
    m.created = m.caCreated = true;
  } else {
    try {
      ca.emplace(pki::Certificate::fromPem(readFile(m.caCert)));
      caKey.emplace(pki::PrivateKey::fromPem(readFile(caKeyPath)));
    } catch (const pki::PkiError& e) {
      throw std::runtime_error("bootstrap CA in " + tlsDir.string() + " unreadable: " + e.what());
    }
    if (!ca->matchesKey(*caKey)) {
      throw std::runtime_error(caKeyPath.string() + " does not match " + m.caCert.string());
    }
    if (ca->notAfter() <= std::chrono::system_clock::now()) {
      throw std::runtime_error("bootstrap CA " + m.caCert.string() +
                               " has expired; delete ca.crt and ca.key to create a new one");
    }
  }

  std::string reason = m.caCreated ? "new CA" : serverReissueReason(m, *ca, names);
  if (!reason.empty()) {
    issueServerCertificate(m, *ca, *caKey, names);
    m.created = true;
    m.reason = m.caCreated ? "created bootstrap CA and server certificate"
                           : "re-issued server certificate: " + reason;
  }
  return m;
}

}  // namespace certctl::http
