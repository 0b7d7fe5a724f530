/*
 * certctl plugin ABI v1: notifier plugins (CERTCTL_KIND_NOTIFIER) deliver
 * alerts and events: e-mail, webhook, Slack, Teams, PagerDuty, OpsGenie, ...
 *
 * Request and result documents (JSON objects; unknown fields are ignored):
 *
 *  send
 *    request {"kind": "alert"|"event", "type" (e.g. "ExpirationWarning"),
 *             "severity": "informational"|"warning"|"critical",
 *             "recipient", "subject", "body", "certificate_id", "metadata": {...}}
 *    result  {"message_id"} (optional) -- delivery failures that may succeed
 *            later return CERTCTL_RETRYABLE.
 *
 * Required callbacks: all of them.
 */
#ifndef CERTCTL_NOTIFIER_V1_H
#define CERTCTL_NOTIFIER_V1_H

#include "certctl/plugin_v1.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OWNERSHIP: plugin; static, valid until the library is unloaded. */
typedef struct certctl_notifier_vtable {
  uint32_t struct_size; /* sizeof(certctl_notifier_vtable) as the plugin built it */
  certctl_validate_config_fn validate_config;
  certctl_create_instance_fn create_instance;
  certctl_destroy_instance_fn destroy_instance;
  certctl_instance_op_fn send;
} certctl_notifier_vtable;

#define CERTCTL_NOTIFIER_VTABLE_V1_MIN_SIZE \
  (offsetof(certctl_notifier_vtable, send) + sizeof(certctl_instance_op_fn))

#if UINTPTR_MAX > 0xFFFFFFFFu
CERTCTL_STATIC_ASSERT(offsetof(certctl_notifier_vtable, validate_config) == 8,
                      certctl_notifier_validate_config);
CERTCTL_STATIC_ASSERT(offsetof(certctl_notifier_vtable, create_instance) == 16,
                      certctl_notifier_create_instance);
CERTCTL_STATIC_ASSERT(offsetof(certctl_notifier_vtable, destroy_instance) == 24,
                      certctl_notifier_destroy_instance);
CERTCTL_STATIC_ASSERT(offsetof(certctl_notifier_vtable, send) == 32, certctl_notifier_send);
CERTCTL_STATIC_ASSERT(sizeof(certctl_notifier_vtable) == 40, certctl_notifier_size);
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CERTCTL_NOTIFIER_V1_H */
