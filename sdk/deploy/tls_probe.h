#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace certctl::sdk::deploy {

// How to reach the TLS layer: directly, or after the protocol's STARTTLS.
enum class StartTls { None, Smtp, Imap };

struct TlsProbeOptions {
  std::string host;  // name or IP literal
  int port = 443;
  // Server name indication; "" = none. Never sent for an IP literal.
  std::string sni;
  std::chrono::milliseconds timeout{10000};  // for the whole probe
  StartTls startTls = StartTls::None;
};

// The certificate the endpoint presented (its leaf).
struct TlsProbeResult {
  std::string fingerprintSha256;  // 64 lowercase hex characters of the DER
  std::string serial;             // uppercase hex, no leading zeros (as sdk::pki)
  std::string subject;
  std::string certPem;
  std::string protocol;  // "TLSv1.3", ...
};

class TlsProbeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Connects, does the TLS handshake (after STARTTLS when asked) and returns
// the leaf certificate the server sent. The chain is not verified: the
// caller compares the fingerprint with the one it deployed, which is a
// stronger check than trust. Throws TlsProbeError.
TlsProbeResult probeTls(const TlsProbeOptions& options);

// "host:port" ("[v6]:port" for an IPv6 literal), for messages and results.
std::string endpointString(const std::string& host, int port);

// Whether `host` is an IPv4 or IPv6 literal (no SNI for those, RFC 6066 §3).
bool isIpLiteral(const std::string& host);

// Serials compare equal regardless of case, leading zeros and ':' separators.
std::string normalizeSerial(const std::string& serial);

}  // namespace certctl::sdk::deploy
