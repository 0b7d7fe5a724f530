/*
 * certctl plugin ABI v1: target plugins (CERTCTL_KIND_TARGET) deploy a
 * certificate to where it is used: nginx, Apache, HAProxy, a keystore, ...
 * They run in certctl-agent (and in a proxy agent for appliances).
 *
 * Request and result documents (JSON objects; unknown fields are ignored):
 *
 *  deploy
 *    request {"certificate_id", "cert_pem", "chain_pem", "key_pem",
 *             "target_config": {...}, "metadata": {...}}
 *            key_pem comes from the agent's local key store, never from the
 *            control plane.
 *    result  {"success", "target_address", "deployment_id", "message",
 *             "deployed_at", "metadata": {...}}
 *  validate_deployment
 *    request {"certificate_id", "serial", "target_config": {...}, "metadata": {...}}
 *    result  {"valid", "serial", "target_address", "message", "validated_at",
 *             "metadata": {...}}
 *
 * Required callbacks: validate_config, create_instance, destroy_instance,
 * deploy. validate_deployment is optional (NULL = not supported).
 */
#ifndef CERTCTL_TARGET_V1_H
#define CERTCTL_TARGET_V1_H

#include "certctl/plugin_v1.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OWNERSHIP: plugin; static, valid until the library is unloaded. */
typedef struct certctl_target_vtable {
  uint32_t struct_size; /* sizeof(certctl_target_vtable) as the plugin built it */
  certctl_validate_config_fn validate_config;
  certctl_create_instance_fn create_instance;
  certctl_destroy_instance_fn destroy_instance;
  certctl_instance_op_fn deploy;
  certctl_instance_op_fn validate_deployment; /* optional */
} certctl_target_vtable;

#define CERTCTL_TARGET_VTABLE_V1_MIN_SIZE \
  (offsetof(certctl_target_vtable, deploy) + sizeof(certctl_instance_op_fn))

#if UINTPTR_MAX > 0xFFFFFFFFu
CERTCTL_STATIC_ASSERT(offsetof(certctl_target_vtable, validate_config) == 8,
                      certctl_target_validate_config);
CERTCTL_STATIC_ASSERT(offsetof(certctl_target_vtable, create_instance) == 16,
                      certctl_target_create_instance);
CERTCTL_STATIC_ASSERT(offsetof(certctl_target_vtable, destroy_instance) == 24,
                      certctl_target_destroy_instance);
CERTCTL_STATIC_ASSERT(offsetof(certctl_target_vtable, deploy) == 32, certctl_target_deploy);
CERTCTL_STATIC_ASSERT(offsetof(certctl_target_vtable, validate_deployment) == 40,
                      certctl_target_validate_deployment);
CERTCTL_STATIC_ASSERT(sizeof(certctl_target_vtable) == 48, certctl_target_size);
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CERTCTL_TARGET_V1_H */
