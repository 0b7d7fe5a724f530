#include "core/http/tls_connection_info.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <mutex>
#include <unordered_map>

namespace certctl::http {

namespace {

constexpr char kExporterLabel[] = "EXPORTER-Channel-Binding";  // RFC 9266 section 2
constexpr std::size_t kExporterLength = 32;

std::mutex& registryMutex() {
  static std::mutex mutex;
  return mutex;
}

std::unordered_map<int, TlsConnectionInfo>& registry() {
  static std::unordered_map<int, TlsConnectionInfo> map;
  return map;
}

TlsConnectionInfo describe(SSL* ssl) {
  TlsConnectionInfo info;
  info.version = SSL_get_version(ssl);
  if (X509* peer = SSL_get0_peer_certificate(ssl)) {
    unsigned char* der = nullptr;
    int length = i2d_X509(peer, &der);
    if (length > 0) info.peerCertificateDer.assign(reinterpret_cast<char*>(der), length);
    OPENSSL_free(der);
  }
  if (SSL_version(ssl) == TLS1_3_VERSION) {
    unsigned char out[kExporterLength];
    if (SSL_export_keying_material(ssl, out, sizeof out, kExporterLabel, sizeof kExporterLabel - 1,
                                   nullptr, 0, 0) == 1)
      info.exporter.assign(reinterpret_cast<char*>(out), sizeof out);
  }
  return info;
}

void onInfo(const SSL* constSsl, int where, int) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  SSL* ssl = const_cast<SSL*>(constSsl);
  int fd = SSL_get_fd(ssl);
  if (fd < 0) return;
  TlsConnectionInfo info = describe(ssl);
  std::lock_guard lock(registryMutex());
  registry()[fd] = std::move(info);
}

// Accepts any client certificate at TLS level: the EST handler verifies it
// against the profile's own bundle, so an unknown certificate gets a clear
// HTTP answer instead of a failed handshake.
int acceptAnyClientCertificate(int, X509_STORE_CTX*) { return 1; }

}  // namespace

void TlsConnectionRegistry::install(SSL_CTX* context, bool requestClientCertificate) {
  SSL_CTX_set_info_callback(context, onInfo);
  if (requestClientCertificate)
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, acceptAnyClientCertificate);
}

TlsConnectionInfo TlsConnectionRegistry::lookup(int fd) {
  std::lock_guard lock(registryMutex());
  auto it = registry().find(fd);
  return it == registry().end() ? TlsConnectionInfo{} : it->second;
}

}  // namespace certctl::http
