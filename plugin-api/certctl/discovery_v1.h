/*
 * certctl plugin ABI v1: discovery plugins (CERTCTL_KIND_DISCOVERY) find
 * certificates that certctl does not manage yet: files on disk, TLS
 * endpoints on the network, cloud certificate stores, ...
 *
 * Request and result documents (JSON objects; unknown fields are ignored):
 *
 *  scan
 *    request {"paths": [...], "targets": [...], "metadata": {...}} -- what to
 *            scan, as the instance's config and the scan job define it
 *    result  {"certificates": [{"cert_pem", "fingerprint_sha256", "source",
 *             "location", "metadata": {...}}], "errors": [{"location", "message"}]}
 *
 * Required callbacks: all of them.
 */
#ifndef CERTCTL_DISCOVERY_V1_H
#define CERTCTL_DISCOVERY_V1_H

#include "certctl/plugin_v1.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OWNERSHIP: plugin; static, valid until the library is unloaded. */
typedef struct certctl_discovery_vtable {
  uint32_t struct_size; /* sizeof(certctl_discovery_vtable) as the plugin built it */
  certctl_validate_config_fn validate_config;
  certctl_create_instance_fn create_instance;
  certctl_destroy_instance_fn destroy_instance;
  certctl_instance_op_fn scan;
} certctl_discovery_vtable;

#define CERTCTL_DISCOVERY_VTABLE_V1_MIN_SIZE \
  (offsetof(certctl_discovery_vtable, scan) + sizeof(certctl_instance_op_fn))

#if UINTPTR_MAX > 0xFFFFFFFFu
CERTCTL_STATIC_ASSERT(offsetof(certctl_discovery_vtable, validate_config) == 8,
                      certctl_discovery_validate_config);
CERTCTL_STATIC_ASSERT(offsetof(certctl_discovery_vtable, create_instance) == 16,
                      certctl_discovery_create_instance);
CERTCTL_STATIC_ASSERT(offsetof(certctl_discovery_vtable, destroy_instance) == 24,
                      certctl_discovery_destroy_instance);
CERTCTL_STATIC_ASSERT(offsetof(certctl_discovery_vtable, scan) == 32, certctl_discovery_scan);
CERTCTL_STATIC_ASSERT(sizeof(certctl_discovery_vtable) == 40, certctl_discovery_size);
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CERTCTL_DISCOVERY_V1_H */
