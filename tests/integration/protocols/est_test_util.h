#pragma once

// Helpers of the EST tests (est_*_test.cpp): a small PKI made by the openssl
// binary, curl against the server, and an `openssl s_client` session that
// reveals its RFC 9266 tls-exporter before the request is written on it.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/protocols/protocol_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

extern char** environ;

namespace certctl::testing::est {

namespace fs = std::filesystem;
using protocols::readFile;
using protocols::require;

// A CA certificate and key `<dir>/<name>.{crt,key}` (RSA 2048 or EC P-256).
inline void makeCa(const fs::path& dir, const std::string& name, const std::string& subject,
                   bool ec = false) {
  std::vector<std::string> argv = {"openssl", "req", "-x509", "-newkey", ec ? "ec" : "rsa:2048"};
  if (ec) argv.insert(argv.end(), {"-pkeyopt", "ec_paramgen_curve:prime256v1"});
  argv.insert(argv.end(), {"-nodes", "-keyout", (dir / (name + ".key")).string(), "-out",
                           (dir / (name + ".crt")).string(), "-subj", subject, "-days", "30",
                           "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                           "keyUsage=critical,keyCertSign,cRLSign"});
  require(argv);
  fs::permissions(dir / (name + ".key"), fs::perms::owner_read | fs::perms::owner_write);
}

// A client certificate `<dir>/<name>.{crt,key}` (EC P-256) signed by CA `ca`.
inline void makeClientCert(const fs::path& dir, const std::string& ca, const std::string& name,
                           const std::string& subject) {
  const std::string key = (dir / (name + ".key")).string();
  const std::string csr = (dir / (name + ".csr")).string();
  require({"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key});
  require({"openssl", "req", "-new", "-key", key, "-subj", subject, "-out", csr});
  require({"openssl", "x509", "-req", "-in", csr, "-CA", (dir / (ca + ".crt")).string(), "-CAkey",
           (dir / (ca + ".key")).string(), "-CAcreateserial", "-days", "7", "-out",
           (dir / (name + ".crt")).string()});
}

// `<dir>/<name>.b64`: base64 DER of a CSR for `key` and `subject`.
inline fs::path csrBase64(const fs::path& dir, const std::string& key, const std::string& subject,
                          const std::string& name, const std::vector<std::string>& extra = {}) {
  fs::path der = dir / (name + ".der");
  std::vector<std::string> argv = {"openssl", "req",      "-new", "-key", key,         "-subj",
                                   subject,   "-outform", "DER",  "-out", der.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  require(argv);
  fs::path b64 = dir / (name + ".b64");
  require({"openssl", "base64", "-in", der.string(), "-out", b64.string()});
  return b64;
}

struct CurlResult {
  int status = 0;
  std::string body;
  std::string headers;
};

// curl against the server; `extra` goes before the URL (-u, --cert, -H ...).
inline CurlResult curl(testing::ServerProcess& server, const fs::path& dir,
                       const std::string& method, const std::string& path,
                       const std::vector<std::string>& extra = {}, const fs::path& bodyFile = {}) {
  static int counter = 0;
  const std::string tag = std::to_string(++counter);
  fs::path out = dir / ("curl-" + tag + ".out");
  fs::path headers = dir / ("curl-" + tag + ".headers");
  std::vector<std::string> argv = {
      "curl", "-sS",        "--cacert", server.caFile().string(), "-X", method,
      "-o",   out.string(), "-D",       headers.string(),         "-w", "%{http_code}"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  if (!bodyFile.empty())
    argv.insert(argv.end(), {"-H", "Content-Type: application/pkcs10", "--data-binary",
                             "@" + bodyFile.string()});
  argv.push_back(server.baseUrl() + path);
  auto result = runProcess(argv);
  INFO("curl " << path << ": " << result.output);
  REQUIRE(result.exitCode == 0);
  return {std::stoi(result.output), readFile(out), readFile(headers)};
}

// PEM certificates of a base64 certs-only PKCS#7 body.
inline std::string printCerts(const fs::path& dir, const std::string& base64Body,
                              const std::string& name) {
  fs::path b64 = dir / (name + ".p7.b64");
  std::ofstream(b64) << base64Body;
  fs::path der = dir / (name + ".p7.der");
  fs::path pem = dir / (name + ".crt");
  require({"openssl", "base64", "-d", "-in", b64.string(), "-out", der.string()});
  require({"openssl", "pkcs7", "-inform", "DER", "-in", der.string(), "-print_certs", "-out",
           pem.string()});
  return readFile(pem);
}

// `openssl s_client` kept open: its -keymatexport line gives the session's
// tls-exporter, then a request is written on the same TLS session.
class TlsSession {
 public:
  TlsSession(int port, const std::vector<std::string>& options) {
    std::vector<std::string> argv = {"openssl",          "s_client",
                                     "-connect",         "127.0.0.1:" + std::to_string(port),
                                     "-keymatexport",    "EXPORTER-Channel-Binding",
                                     "-keymatexportlen", "32"};
    argv.insert(argv.end(), options.begin(), options.end());
    int in[2], out[2];
    REQUIRE(pipe(in) == 0);
    REQUIRE(pipe(out) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argp;
    for (auto& a : argv) argp.push_back(a.data());
    argp.push_back(nullptr);
    REQUIRE(posix_spawnp(&pid_, "openssl", &actions, nullptr, argp.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~TlsSession() {
    if (stdin_ >= 0) close(stdin_);
    close(stdout_);
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Hex of the exporter s_client printed ("" when it printed none in time).
  std::string exporterHex() {
    const std::string marker = "Keying material: ";
    while (true) {
      auto at = output_.find(marker);
      if (at != std::string::npos) {
        auto end = output_.find('\n', at);
        if (end != std::string::npos)
          return output_.substr(at + marker.size(), end - at - marker.size());
      }
      if (!readSome()) return {};
    }
  }

  // Writes `request` and reads until s_client exits (the server closes).
  std::string exchange(const std::string& request) {
    std::size_t before = output_.size();
    REQUIRE(write(stdin_, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    while (readSome()) {
    }
    return output_.substr(before);
  }

 private:
  bool readSome() {
    pollfd p{stdout_, POLLIN, 0};
    if (poll(&p, 1, 15000) <= 0) return false;
    char buffer[4096];
    ssize_t n = read(stdout_, buffer, sizeof buffer);
    if (n <= 0) return false;
    output_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string output_;
};

// True when the server's TLS handshake asks for a client certificate (only
// then does s_client print the signature algorithms a CertificateRequest lists).
inline bool requestsClientCertificate(int port) {
  auto r = runProcess({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port)}, {},
                      std::chrono::seconds(20));
  INFO(r.output);
  REQUIRE(r.output.find("Server certificate") != std::string::npos);
  return r.output.find("Requested Signature Algorithms") != std::string::npos;
}

// "70C9..." -> base64 of those bytes.
inline std::string hexToBase64(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  auto r = runProcess({"openssl", "base64", "-A"}, {}, std::chrono::seconds(10), bytes);
  REQUIRE(r.exitCode == 0);
  std::string out = r.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace certctl::testing::est
