/*
 * certctl plugin ABI v1: issuer plugins (CERTCTL_KIND_ISSUER) obtain
 * certificates from a certificate authority: a local CA, ACME, Vault, ...
 *
 * Request and result documents (JSON objects; unknown fields are ignored,
 * times are RFC 3339 UTC, certificate material is PEM inside JSON):
 *
 *  issue / renew
 *    request {"common_name", "sans": [...], "csr_pem", "order_id" (renew),
 *             "profile": {...}, "ttl_seconds", "ekus": [...], "metadata": {...},
 *             "csr_verified"}
 *     csr_verified: true when the host has already checked the CSR's
 *     signature (proof of possession); a plugin may then skip that check.
 *    result  {"cert_pem", "chain_pem", "serial", "not_before", "not_after",
 *             "order_id"}  -- or, for an asynchronous CA,
 *            {"order_id", "status": "pending"}
 *  revoke            {"serial", "reason"}                 -> {}
 *  get_order_status  {"order_id"}  -> {"order_id", "status": "pending"|"valid"|
 *                    "invalid"|"expired", "message", "cert_pem", "chain_pem",
 *                    "serial", "not_before", "not_after", "updated_at"}
 *  generate_crl      {"revoked": [{"serial", "revoked_at", "reason"}], "crl_number",
 *                     "this_update", "next_update"}        -> {"crl_der_base64"}
 *  generate_crl_compact (ABI 1.1; the same CRL, the list as one string)
 *                    {"revoked_tsv", "crl_number", "this_update", "next_update"}
 *                                                          -> {"crl_der_base64"}
 *     revoked_tsv holds one line per revoked certificate, in CRL order:
 *       SERIALHEX "\t" UNIX_SECONDS "\t" REASON_CODE "\n"
 *     SERIALHEX: the serial in hex digits only (either case, no "0x", no
 *     ':'); UNIX_SECONDS: the revocation time as a decimal integer of seconds
 *     since 1970-01-01T00:00:00Z; REASON_CODE: the RFC 5280 CRLReason as a
 *     decimal integer (0 unspecified, 1 keyCompromise, ... 10 aACompromise;
 *     never 7). The last "\n" may be missing; "" is an empty CRL. A
 *     1M-entry list is ~47 MB, where the "revoked" array of generate_crl is
 *     ~107 MB of JSON objects. When a plugin has both slots the host uses
 *     this one; a plugin built against ABI 1.0 gets generate_crl.
 *  sign_ocsp         {"serial", "status": "good"|"revoked"|"unknown", "revoked_at",
 *                     "reason", "this_update", "next_update", "nonce_base64"}
 *                                                          -> {"response_der_base64"}
 *  get_ca_chain      {}                                   -> {"chain_pem"}
 *  test_connection   {}                                   -> {"ok": true, "message"}
 *
 * Required callbacks: validate_config, create_instance, destroy_instance,
 * issue, renew, revoke. The others are optional: NULL means "not supported"
 * (an ACME issuer has no generate_crl), the same as returning
 * CERTCTL_UNSUPPORTED. Slots appended after 1.0 are read by the host only
 * when the plugin's vtable_size covers them (CERTCTL_HAS_FIELD).
 */
#ifndef CERTCTL_ISSUER_V1_H
#define CERTCTL_ISSUER_V1_H

#include "certctl/plugin_v1.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OWNERSHIP: plugin; static, valid until the library is unloaded. */
typedef struct certctl_issuer_vtable {
  uint32_t struct_size; /* sizeof(certctl_issuer_vtable) as the plugin built it */
  certctl_validate_config_fn validate_config;
  certctl_create_instance_fn create_instance;
  certctl_destroy_instance_fn destroy_instance;
  certctl_instance_op_fn issue;
  certctl_instance_op_fn renew;
  certctl_instance_op_fn revoke;
  certctl_instance_op_fn get_order_status; /* optional */
  certctl_instance_op_fn generate_crl;     /* optional */
  certctl_instance_op_fn sign_ocsp;        /* optional */
  certctl_instance_op_fn get_ca_chain;     /* optional */
  certctl_instance_op_fn test_connection;  /* optional */
  /* ---- appended in ABI 1.1 ---- */
  certctl_instance_op_fn generate_crl_compact; /* optional */
} certctl_issuer_vtable;

/* The smallest vtable_size the host accepts: up to the last required slot. */
#define CERTCTL_ISSUER_VTABLE_V1_MIN_SIZE \
  (offsetof(certctl_issuer_vtable, revoke) + sizeof(certctl_instance_op_fn))
/* The whole vtable of ABI 1.0 (up to test_connection): what a plugin built
 * against the 1.0 headers declares as its vtable_size. */
#define CERTCTL_ISSUER_VTABLE_V1_0_SIZE \
  (offsetof(certctl_issuer_vtable, test_connection) + sizeof(certctl_instance_op_fn))

#if UINTPTR_MAX > 0xFFFFFFFFu
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, validate_config) == 8,
                      certctl_issuer_validate_config);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, create_instance) == 16,
                      certctl_issuer_create_instance);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, destroy_instance) == 24,
                      certctl_issuer_destroy_instance);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, issue) == 32, certctl_issuer_issue);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, renew) == 40, certctl_issuer_renew);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, revoke) == 48, certctl_issuer_revoke);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, get_order_status) == 56,
                      certctl_issuer_get_order_status);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, generate_crl) == 64,
                      certctl_issuer_generate_crl);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, sign_ocsp) == 72, certctl_issuer_sign_ocsp);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, get_ca_chain) == 80,
                      certctl_issuer_get_ca_chain);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, test_connection) == 88,
                      certctl_issuer_test_connection);
CERTCTL_STATIC_ASSERT(offsetof(certctl_issuer_vtable, generate_crl_compact) == 96,
                      certctl_issuer_generate_crl_compact);
CERTCTL_STATIC_ASSERT(sizeof(certctl_issuer_vtable) == 104, certctl_issuer_size);
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CERTCTL_ISSUER_V1_H */
