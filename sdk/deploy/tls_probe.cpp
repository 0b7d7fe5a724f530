#include "sdk/deploy/tls_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include "sdk/deploy/tcp_socket.h"
#include "sdk/pki/certificate.h"

namespace certctl::sdk::deploy {

namespace {

using Clock = std::chrono::steady_clock;

std::string opensslErrors() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out;
}

void sendLine(int fd, const std::string& line) {
  std::string data = line + "\r\n";
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::send(fd, p, left, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw TlsProbeError(std::string("STARTTLS: send failed: ") + std::strerror(errno));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// One CRLF-terminated line, read byte by byte so nothing of the TLS
// handshake that follows is consumed.
std::string readLine(int fd) {
  std::string line;
  for (;;) {
    char c = 0;
    ssize_t n = ::recv(fd, &c, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw TlsProbeError(n == 0 ? "STARTTLS: the server closed the connection"
                                 : std::string("STARTTLS: ") + std::strerror(errno));
    if (c == '\n') break;
    if (c != '\r') line.push_back(c);
    if (line.size() > 4096) throw TlsProbeError("STARTTLS: response line too long");
  }
  return line;
}

// An SMTP reply (possibly multi-line "250-..."); returns its code.
int readSmtpReply(int fd, std::string& text) {
  for (;;) {
    std::string line = readLine(fd);
    text += line + "\n";
    if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])))
      throw TlsProbeError("STARTTLS: not an SMTP reply: " + line);
    if (line.size() == 3 || line[3] == ' ') return std::stoi(line.substr(0, 3));
  }
}

void startTlsSmtp(int fd) {
  std::string text;
  if (readSmtpReply(fd, text) != 220) throw TlsProbeError("STARTTLS: SMTP greeting: " + text);
  text.clear();
  sendLine(fd, "EHLO certctl-probe");
  if (readSmtpReply(fd, text) != 250) throw TlsProbeError("STARTTLS: EHLO refused: " + text);
  text.clear();
  sendLine(fd, "STARTTLS");
  if (readSmtpReply(fd, text) != 220) throw TlsProbeError("STARTTLS: refused: " + text);
}

void startTlsImap(int fd) {
  std::string greeting = readLine(fd);
  if (greeting.rfind("* OK", 0) != 0) throw TlsProbeError("STARTTLS: IMAP greeting: " + greeting);
  sendLine(fd, "c1 STARTTLS");
  for (;;) {
    std::string line = readLine(fd);
    if (line.rfind("c1 ", 0) != 0) continue;  // untagged responses
    if (line.rfind("c1 OK", 0) != 0) throw TlsProbeError("STARTTLS: refused: " + line);
    return;
  }
}

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

}  // namespace

std::string endpointString(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

bool isIpLiteral(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

std::string normalizeSerial(const std::string& serial) {
  std::string out;
  for (char c : serial) {
    if (c == ':' || c == ' ') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  auto first = out.find_first_not_of('0');
  return first == std::string::npos ? (out.empty() ? out : "0") : out.substr(first);
}

TlsProbeResult probeTls(const TlsProbeOptions& options) {
  if (options.host.empty()) throw TlsProbeError("no host to probe");
  if (options.port < 1 || options.port > 65535)
    throw TlsProbeError("port " + std::to_string(options.port) + " is out of range");
  const auto deadline = Clock::now() + options.timeout;
  const std::string where = endpointString(options.host, options.port);

  TcpSocket socket;
  try {
    socket = connectTcp(options.host, options.port, deadline);
  } catch (const ConnectError& e) {
    throw TlsProbeError(e.what());
  }
  socket.setIoDeadline(deadline);
  switch (options.startTls) {
    case StartTls::Smtp:
      startTlsSmtp(socket.fd());
      break;
    case StartTls::Imap:
      startTlsImap(socket.fd());
      break;
    case StartTls::None:
      break;
  }

  ERR_clear_error();
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) throw TlsProbeError("SSL_CTX_new: " + opensslErrors());
  // The fingerprint comparison is the check; trust is not the question here.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  if (!ssl) throw TlsProbeError("SSL_new: " + opensslErrors());
  if (!options.sni.empty() && !isIpLiteral(options.sni))
    SSL_set_tlsext_host_name(ssl.get(), options.sni.c_str());
  SSL_set_fd(ssl.get(), socket.fd());
  if (SSL_connect(ssl.get()) != 1) {
    std::string detail = opensslErrors();
    if (detail.empty()) detail = errno != 0 ? std::strerror(errno) : "handshake failed";
    throw TlsProbeError("TLS handshake with " + where + " failed: " + detail);
  }
  X509* peer = SSL_get1_peer_certificate(ssl.get());
  if (peer == nullptr) throw TlsProbeError(where + " presented no certificate");
  pki::Certificate cert{pki::X509Ptr(peer)};

  TlsProbeResult result;
  result.fingerprintSha256 = cert.sha256FingerprintHex();
  result.serial = cert.serialHex();
  result.subject = cert.subjectString();
  result.certPem = cert.toPem();
  result.protocol = SSL_get_version(ssl.get());
  SSL_shutdown(ssl.get());
  return result;
}

}  // namespace certctl::sdk::deploy
