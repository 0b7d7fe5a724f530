#include "filesystem_scanner.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "certificate_file.h"
#include "sdk/pki/certificate_summary.h"

namespace certctl::discovery::filesystem {

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using nlohmann::json;

namespace {

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Wipes a buffer that may hold key material before it is freed.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& data) : data_(data) {}
  ~WipeOnExit() { OPENSSL_cleanse(data_.data(), data_.size()); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::string& data_;
};

json metadataOf(const pki::CertificateSummary& s, const std::string& format) {
  return {{"common_name", s.commonName},     {"sans", s.sans},
          {"serial_number", s.serialNumber}, {"subject_dn", s.subjectDn},
          {"issuer_dn", s.issuerDn},         {"not_before", s.notBefore},
          {"not_after", s.notAfter},         {"key_algorithm", s.keyAlgorithm},
          {"key_size", s.keyBits},           {"is_ca", s.isCa},
          {"source_format", format}};
}

}  // namespace

json FilesystemScanner::scan(const std::vector<fs::path>& roots) {
  auto started = std::chrono::steady_clock::now();
  for (const auto& root : roots) visitEntry(root, 0);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  json summary = {{"files_read", filesRead_},
                  {"certificates_found", certificates_.size()},
                  {"skipped_too_large", skippedTooLarge_},
                  {"skipped_private_key", skippedPrivateKey_},
                  {"errors", errors_.size()},
                  {"scan_duration_ms", elapsed.count()}};
  return {{"certificates", std::move(certificates_)},
          {"errors", std::move(errors_)},
          {"summary", std::move(summary)}};
}

void FilesystemScanner::report(const fs::path& path, const std::string& message) {
  errors_.push_back({{"location", path.string()}, {"message", message}});
}

// `depth` is the number of directories between a root and `path`.
void FilesystemScanner::visitEntry(const fs::path& path, int depth) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    report(path, std::string("cannot read: ") + std::strerror(errno));
    return;
  }
  bool isRoot = depth == 0;
  if (S_ISLNK(st.st_mode)) {
    if (!config_.followSymlinks && !isRoot) return;
    if (::stat(path.c_str(), &st) != 0) {
      report(path, std::string("broken symbolic link: ") + std::strerror(errno));
      return;
    }
  }
  if (S_ISDIR(st.st_mode)) {
    if (depth > config_.maxDepth) return;
    if (!visitedDirs_.insert({st.st_dev, st.st_ino}).second) return;  // a loop, or seen already
    walk(path, depth);
    return;
  }
  if (!S_ISREG(st.st_mode)) return;  // sockets, FIFOs, devices
  // A file named as a root is read whatever its extension.
  if (!isRoot && !hasCertificateExtension(path)) return;
  if (isKeyFileName(path)) {
    ++skippedPrivateKey_;
    return;
  }
  if (static_cast<std::uintmax_t>(st.st_size) > config_.maxFileBytes) {
    ++skippedTooLarge_;
    return;
  }
  readFile(path);
}

void FilesystemScanner::walk(const fs::path& dir, int depth) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    report(dir, "cannot list the directory: " + ec.message());
    return;
  }
  std::vector<fs::path> entries;
  for (const auto end = fs::directory_iterator(); it != end; it.increment(ec)) {
    if (ec) break;
    entries.push_back(it->path());
  }
  if (ec) report(dir, "cannot list the directory: " + ec.message());
  std::sort(entries.begin(), entries.end());
  for (const auto& entry : entries) visitEntry(entry, depth + 1);
}

void FilesystemScanner::readFile(const fs::path& path) {
  // O_NONBLOCK: a FIFO swapped in after the stat must not hang the scan.
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) {
    report(path, std::string("cannot open: ") + std::strerror(errno));
    return;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  if (static_cast<std::uintmax_t>(st.st_size) > config_.maxFileBytes) {
    ++skippedTooLarge_;
    return;
  }
  std::string data;
  WipeOnExit wipe(data);
  data.resize(config_.maxFileBytes + 1);
  std::size_t used = 0;
  while (used < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + used, data.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      report(path, std::string("cannot read: ") + std::strerror(errno));
      return;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  data.resize(used);
  if (used > config_.maxFileBytes) {  // grew after the stat
    ++skippedTooLarge_;
    return;
  }
  ++filesRead_;
  CertificateFile file;
  try {
    file = parseCertificateFile(std::string_view(data.data(), used));
  } catch (const std::exception& e) {
    report(path, e.what());
    return;
  }
  for (const auto& problem : file.problems) report(path, problem);
  if (file.certificates.empty() && file.containsPrivateKey) {
    ++skippedPrivateKey_;
    return;
  }
  for (const auto& cert : file.certificates) {
    auto summary = pki::summarize(cert);
    certificates_.push_back({{"cert_pem", cert.toPem()},
                             {"fingerprint_sha256", summary.fingerprintSha256},
                             {"source", "filesystem"},
                             {"location", path.string()},
                             {"metadata", metadataOf(summary, file.format)}});
  }
}

}  // namespace certctl::discovery::filesystem
