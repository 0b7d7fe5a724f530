#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace certctl::http {

struct TlsMaterial {
  std::filesystem::path caCert, serverCert, serverKey;
  bool created = false;    // any file was written by this call
  bool caCreated = false;  // a new bootstrap CA was made (clients must trust it anew)
  std::string reason;      // why files were written, for the startup log; "" if none
};

// HTTPS by default needs a certificate before any operator has configured
// one, so the server makes its own small PKI in its data dir.
//
// Ensures <tlsDir>/ca.crt, ca.key (0600), server.crt, server.key (0600) exist.
// First call: creates an ECDSA P-256 bootstrap CA "certctl bootstrap CA"
// (10 years, CA:TRUE pathlen 0) and a server cert signed by it (397 days,
// serverAuth, SANs: localhost, 127.0.0.1, ::1 plus `extraNames`, DNS names or
// IP literals). Later calls reuse them; the server cert (with a fresh key) is
// re-issued from the existing CA, ca files untouched, when it expires within
// 30 days, when a requested name is missing, or when it no longer matches its
// key or the CA. server.* belong to the bootstrap: do not put an operator's
// own certificate there.
//
// Creates tlsDir with 0700. Throws std::runtime_error naming the path if a key
// file is accessible by group/others (instead of silently using it), if only
// one of ca.crt/ca.key exists, if ca.key does not match ca.crt, if the CA has
// expired, or if an extra name is neither a DNS name nor an IP literal.
TlsMaterial ensureBootstrapTls(const std::filesystem::path& tlsDir,
                               const std::vector<std::string>& extraNames);

}  // namespace certctl::http
