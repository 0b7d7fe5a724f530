#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/private_key.h"

namespace certctl::local_ca {

enum class CaMode { SelfSigned, SubCa };

// "self-signed" or "sub-ca".
std::string_view modeName(CaMode mode);

// The CA that signs: its certificate, its key and, for a sub-CA, the chain
// above it. Loaded once per instance and immutable after that, so calls on
// many threads read it without locks.
struct CaMaterial {
  CaMode mode;
  sdk::pki::PrivateKey key;
  sdk::pki::Certificate cert;
  std::vector<sdk::pki::Certificate> upstream;  // sub-CA: issuer of `cert` first

  // `cert` then `upstream`, PEM.
  std::string chainPem() const;
};

// The self-signed CA's files in host.state_dir.
inline constexpr const char* kCaKeyFile = "ca.key";   // PKCS#8 PEM, 0600
inline constexpr const char* kCaCertFile = "ca.crt";  // PEM, 0644

// Sub-CA mode: reads ca_cert_path (the CA certificate first, then its
// upstream chain) and ca_key_path, and refuses a certificate that is not a
// CA, lacks keyCertSign or has expired, and a key that does not match.
// Throws sdk::PluginError(InvalidConfig) naming the field.
CaMaterial loadSubCa(const LocalCaConfig& config);

// Self-signed mode: the CA in host.state_dir, created on first use (key
// first, then certificate, each written atomically, all under the state
// dir's lock) and reloaded by every later instance. Needs host.state_dir.
CaMaterial loadOrCreateSelfSigned(const LocalCaConfig& config);

// By the configured mode.
CaMaterial loadCa(const LocalCaConfig& config);

// What is worth telling the operator but not refusing: a CA without
// cRLSign, a CA that expires before certificates issued today would.
std::vector<std::string> caWarnings(const CaMaterial& ca, const LocalCaConfig& config);

}  // namespace certctl::local_ca
