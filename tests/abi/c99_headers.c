/* Proves the plugin ABI headers are plain C99: this file is built with
 * -std=c99 -pedantic -Werror -Wall -Wextra, and run as a test that checks
 * the v1 layout rules at run time as well (the headers pin them at compile
 * time). A plugin in C declares its tables exactly like this. */
#include <certctl/discovery_v1.h>
#include <certctl/issuer_v1.h>
#include <certctl/notifier_v1.h>
#include <certctl/plugin_v1.h>
#include <certctl/target_v1.h>
#include <stdio.h>

static certctl_status validate_config(certctl_call* call, certctl_str config,
                                      const certctl_sink* out) {
  (void)call;
  (void)config;
  (void)out;
  return CERTCTL_OK;
}

static const certctl_issuer_vtable issuer_vtable = {sizeof(certctl_issuer_vtable),
                                                    validate_config,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL,
                                                    NULL};

static const certctl_plugin_descriptor descriptor = {sizeof(certctl_plugin_descriptor),
                                                     CERTCTL_ABI_MAJOR,
                                                     CERTCTL_ABI_MINOR,
                                                     0,
                                                     CERTCTL_KIND_ISSUER,
                                                     CERTCTL_PLUGIN_SINGLE_THREADED,
                                                     "c99-check",
                                                     "1.0.0",
                                                     NULL,
                                                     "{}",
                                                     NULL,
                                                     NULL,
                                                     &issuer_vtable,
                                                     sizeof issuer_vtable};

static int failures = 0;

#define CHECK(cond)                                              \
  do {                                                           \
    if (!(cond)) {                                               \
      fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                \
    }                                                            \
  } while (0)

int main(void) {
  certctl_host host = {0};
  host.struct_size = (uint32_t)sizeof host;
  CHECK(CERTCTL_HAS_FIELD(&host, certctl_host, read_secret));
  host.struct_size = (uint32_t)offsetof(certctl_host, read_secret);
  CHECK(!CERTCTL_HAS_FIELD(&host, certctl_host, read_secret));
  CHECK(CERTCTL_HAS_FIELD(&host, certctl_host, lookup_certificate_by_serial));

  CHECK(CERTCTL_DESCRIPTOR_V1_0_SIZE <= sizeof(certctl_plugin_descriptor));
  CHECK(CERTCTL_HOST_V1_0_SIZE == sizeof(certctl_host));
  CHECK(CERTCTL_ISSUER_VTABLE_V1_MIN_SIZE == offsetof(certctl_issuer_vtable, get_order_status));
  CHECK(CERTCTL_ISSUER_VTABLE_V1_0_SIZE == offsetof(certctl_issuer_vtable, generate_crl_compact));
  CHECK(CERTCTL_ISSUER_VTABLE_V1_0_SIZE < sizeof(certctl_issuer_vtable));
  CHECK(CERTCTL_ABI_MINOR >= 1); /* generate_crl_compact is ABI 1.1 */
  CHECK(CERTCTL_TARGET_VTABLE_V1_MIN_SIZE == offsetof(certctl_target_vtable, validate_deployment));
  CHECK(CERTCTL_NOTIFIER_VTABLE_V1_MIN_SIZE == sizeof(certctl_notifier_vtable));
  CHECK(CERTCTL_DISCOVERY_VTABLE_V1_MIN_SIZE == sizeof(certctl_discovery_vtable));
  CHECK(offsetof(certctl_issuer_vtable, struct_size) == 0);
  CHECK(offsetof(certctl_target_vtable, struct_size) == 0);
  CHECK(offsetof(certctl_sink, struct_size) == 0);

  CHECK(descriptor.vtable == &issuer_vtable);
  CHECK(descriptor.vtable_size == sizeof(certctl_issuer_vtable));
  CHECK(((const certctl_issuer_vtable*)descriptor.vtable)->validate_config == validate_config);
  CHECK(CERTCTL_OK == 0 && CERTCTL_INTERNAL == 5);

  if (failures == 0) printf("plugin ABI headers: C99 OK\n");
  return failures == 0 ? 0 : 1;
}
