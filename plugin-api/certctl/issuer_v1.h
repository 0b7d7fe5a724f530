/*
 * certctl plugin ABI v1: issuer plugins (CERTCTL_KIND_ISSUER) obtain
 * certificates from a certificate authority: a local CA, ACME, Vault, ...
 *
 * Request and result documents (JSON objects; unknown fields are ignored,
 * times are RFC 3339 UTC, certificate material is PEM inside JSON):
 *
 *  issue / renew
 *    request {"common_name", "sans": [...], "csr_pem", "order_id" (renew),
 *             "profile": {...}, "ttl_seconds", "ekus": [...], "metadata": {...}}
 *    result  {"cert_pem", "chain_pem", "serial", "not_before", "not_after",
 *             "order_id"}  -- or, for an asynchronous CA,
 *            {"order_id", "status": "pending"}
 *  revoke            {"serial", "reason"}                 -> {}
 *  get_order_status  {"order_id"}  -> {"order_id", "status": "pending"|"valid"|
 *                    "invalid"|"expired", "message", "cert_pem", "chain_pem",
 *                    "serial", "not_before", "not_after", "updated_at"}
 *  generate_crl      {"revoked": [{"serial", "revoked_at", "reason"}], "crl_number",
 *                     "this_update", "next_update"}        -> {"crl_der_base64"}
 *  sign_ocsp         {"serial", "status": "good"|"revoked"|"unknown", "revoked_at",
 *                     "reason", "this_update", "next_update", "nonce_base64"}
 *                                                          -> {"response_der_base64"}
 *  get_ca_chain      {}                                   -> {"chain_pem"}
 *  test_connection   {}                                   -> {"ok": true, "message"}
 *
 * Required callbacks: validate_config, create_instance, destroy_instance,
 * issue, renew, revoke. The others are optional: NULL means "not supported"
 * (an ACME issuer has no generate_crl), the same as returning
 * CERTCTL_UNSUPPORTED.
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
} certctl_issuer_vtable;

/* The smallest vtable_size the host accepts: up to the last required slot. */
#define CERTCTL_ISSUER_VTABLE_V1_MIN_SIZE \
  (offsetof(certctl_issuer_vtable, revoke) + sizeof(certctl_instance_op_fn))

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
CERTCTL_STATIC_ASSERT(sizeof(certctl_issuer_vtable) == 96, certctl_issuer_size);
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CERTCTL_ISSUER_V1_H */
