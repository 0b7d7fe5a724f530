#pragma once

namespace certctl::local_ca {

// The JSON Schema the plugin exports (drives validation and the UI wizard).
// "host" is not in it: the server fills that object in and refuses it from users.
inline constexpr const char kConfigSchema[] = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Local CA (GenericCA)",
  "description": "Issues certificates from a CA run by certctl itself: a self-signed root created on first use, or a subordinate CA whose certificate and key you provide.",
  "type": "object",
  "properties": {
    "ca_common_name": {
      "type": "string", "minLength": 1, "maxLength": 64, "default": "CertCtl Local CA",
      "description": "Subject CN of the self-signed CA (used when the CA is created; later changes do not re-key it)"
    },
    "validity_days": {
      "type": "integer", "minimum": 1, "maximum": 3650, "default": 90,
      "description": "Longest validity of an issued certificate, in days (requests may ask for less)"
    },
    "ca_cert_path": {
      "type": "string",
      "description": "Sub-CA mode: PEM file with the CA certificate first, then its upstream chain"
    },
    "ca_key_path": {
      "type": "string",
      "description": "Sub-CA mode: PEM private key of that certificate (PKCS#8, or traditional RSA/EC), unencrypted"
    },
    "ca_key_algorithm": {
      "type": "string", "enum": ["ECDSA-P256", "ECDSA-P384", "RSA-2048", "RSA-3072", "RSA-4096"],
      "default": "ECDSA-P256",
      "description": "Key of the self-signed CA, when it is created"
    },
    "ocsp_responder_rotation_grace_seconds": {
      "type": "integer", "minimum": 0, "maximum": 31536000, "default": 604800,
      "description": "The OCSP responder certificate is replaced when it expires within this many seconds"
    },
    "ocsp_responder_validity_days": {
      "type": "integer", "minimum": 1, "maximum": 365, "default": 30,
      "description": "Validity of each OCSP responder certificate, in days"
    }
  },
  "dependentRequired": {"ca_cert_path": ["ca_key_path"], "ca_key_path": ["ca_cert_path"]}
})json";

}  // namespace certctl::local_ca
