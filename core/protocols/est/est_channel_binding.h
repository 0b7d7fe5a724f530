#pragma once

#include <string>

#include "core/http/http_types.h"
#include "sdk/pki/csr.h"

namespace certctl::protocols::est {

// RFC 9266 tls-exporter channel binding, carried as RFC 7030 3.5 carries
// tls-unique: the CSR's challengePassword attribute holds base64 of the
// 32-byte exporter ("EXPORTER-Channel-Binding", no context) of the TLS
// session the CSR is posted on. docs/est.md maps each outcome to a status.
enum class ChannelBinding {
  Ok,
  NotTls13,  // 426: tls-exporter needs TLS 1.3
  Missing,   // 400: no challengePassword in the CSR
  Mismatch,  // 409: present but not this session's value (MITM signal)
};

ChannelBinding checkChannelBinding(const http::Request& request, const sdk::pki::Csr& csr);

}  // namespace certctl::protocols::est
