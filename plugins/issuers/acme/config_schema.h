#pragma once

namespace certctl::acme {

// The JSON Schema the plugin exports (drives validation and the UI wizard).
// "host" is not in it: the server fills that object in.
inline constexpr const char kConfigSchema[] = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "ACME (RFC 8555)",
  "description": "Obtains certificates from an ACME CA (Let's Encrypt, ZeroSSL, Google Trust Services, step-ca, Pebble...) with http-01, dns-01 or dns-persist-01 validation.",
  "type": "object",
  "required": ["directory_url"],
  "properties": {
    "directory_url": {"type": "string", "format": "uri",
      "description": "The CA's ACME directory URL (https; plain http only on loopback)"},
    "email": {"type": "string", "format": "email",
      "description": "Contact address registered with the ACME account"},
    "challenge_type": {"type": "string", "enum": ["http-01", "dns-01", "dns-persist-01"],
      "default": "http-01",
      "description": "How domain control is proven (dns-persist-01 falls back to dns-01 when the CA does not offer it)"},
    "http_address": {"type": "string", "default": "0.0.0.0",
      "description": "http-01: IP address the built-in challenge responder listens on"},
    "http_port": {"type": "integer", "minimum": 1, "maximum": 65535, "default": 80,
      "description": "http-01: port of the responder (the CA connects to port 80: forward it here)"},
    "dns_present_script": {"type": "string",
      "description": "dns-01/dns-persist-01: Lua hook that creates the _acme-challenge (or _validation-persist) TXT record"},
    "dns_cleanup_script": {"type": "string",
      "description": "dns-01: Lua hook that removes it again (optional; never called for a dns-persist-01 record)"},
    "dns_persist_issuer_domain": {"type": "string",
      "description": "dns-persist-01: the CA issuer domain name to publish (one the CA lists; default: the CA's first)"},
    "eab_kid": {"type": "string", "description": "External Account Binding key ID"},
    "eab_hmac": {"type": "string", "writeOnly": true,
      "description": "External Account Binding HMAC key, base64url without padding"},
    "profile": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$",
      "description": "Certificate profile for newOrder (when the directory lists it), e.g. tlsserver, shortlived"},
    "ari_enabled": {"type": "boolean", "default": false,
      "description": "Ask the CA when to renew (RFC 9773 renewalInfo)"},
    "ca_bundle_path": {"type": "string",
      "description": "PEM file of roots to trust for the ACME server's TLS (a private CA)"},
    "poll_timeout_seconds": {"type": "integer", "minimum": 5, "maximum": 3600, "default": 300,
      "description": "Longest wait for validation and issuance of one order"}
  },
  "dependentRequired": {"eab_kid": ["eab_hmac"], "eab_hmac": ["eab_kid"]}
})json";

}  // namespace certctl::acme
