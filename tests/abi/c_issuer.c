/* A minimal issuer plugin written in plain C99 against plugin-api/ alone,
 * built several times with PLUGIN_* definitions that break one rule each
 * (tests/abi/CMakeLists.txt), so the host's refusals can be tested. */
#include <certctl/issuer_v1.h>
#include <string.h>

#ifndef PLUGIN_TYPE
#define PLUGIN_TYPE "test-c-issuer"
#endif
#ifndef PLUGIN_ABI_MAJOR
#define PLUGIN_ABI_MAJOR CERTCTL_ABI_MAJOR
#endif
#ifndef PLUGIN_MIN_HOST_MINOR
#define PLUGIN_MIN_HOST_MINOR 0
#endif
#ifndef PLUGIN_KIND
#define PLUGIN_KIND CERTCTL_KIND_ISSUER
#endif
#ifndef PLUGIN_SCHEMA
#define PLUGIN_SCHEMA "{\"type\": \"object\"}"
#endif
#ifndef PLUGIN_ENTRY_NAME
#define PLUGIN_ENTRY_NAME certctl_plugin_v1
#endif

#if defined(__GNUC__)
#define MAYBE_UNUSED __attribute__((unused)) /* not every variant writes output */
#else
#define MAYBE_UNUSED
#endif

static const certctl_host* g_host = NULL;
static int g_instance_token = 0;

MAYBE_UNUSED static certctl_status write_text(const certctl_sink* out, const char* text,
                                              size_t len) {
  return out->write(out->ctx, text, len) == 0 ? CERTCTL_OK : CERTCTL_INTERNAL;
}

MAYBE_UNUSED static certctl_status write_str(const certctl_sink* out, const char* text) {
  return write_text(out, text, strlen(text));
}

static certctl_status validate_config(certctl_call* call, certctl_str config,
                                      const certctl_sink* out) {
  (void)call;
  (void)config;
  (void)out;
  return CERTCTL_OK;
}

static certctl_status create_instance(certctl_call* call, certctl_str config, void** instance_out) {
  (void)call;
  (void)config;
  *instance_out = &g_instance_token;
  return CERTCTL_OK;
}

static void destroy_instance(void* instance, certctl_call* call) {
  (void)instance;
  (void)call;
}

#if !defined(PLUGIN_MALFORMED_JSON) && !defined(PLUGIN_ERROR_STATUS)
/* {"raw_c": true, "request": <the request>} */
static certctl_status echo(certctl_str request, const certctl_sink* out) {
  static const char head[] = "{\"raw_c\":true,\"request\":";
  certctl_status s = write_text(out, head, sizeof head - 1);
  if (s == CERTCTL_OK)
    s = request.len ? write_text(out, request.ptr, request.len) : write_str(out, "{}");
  if (s == CERTCTL_OK) s = write_str(out, "}");
  return s;
}
#endif

MAYBE_UNUSED static certctl_status issue(void* instance, certctl_call* call, certctl_str request,
                                         const certctl_sink* out) {
  (void)instance;
#if defined(PLUGIN_MALFORMED_JSON)
  (void)call;
  (void)request;
  return write_str(out, "{\"cert_pem\": \"trunc");
#elif defined(PLUGIN_ERROR_STATUS)
  (void)request;
  (void)out;
  g_host->set_error(call, "CSR rejected: RSA key of 1024 bits is below the profile minimum");
  return CERTCTL_REJECTED;
#else
  (void)call;
  return echo(request, out);
#endif
}

static certctl_status renew(void* instance, certctl_call* call, certctl_str request,
                            const certctl_sink* out) {
  (void)instance;
#if defined(PLUGIN_MALFORMED_JSON)
  (void)call;
  (void)request;
  return write_str(out, "[1,2,3]"); /* valid JSON, but not an object */
#elif defined(PLUGIN_ERROR_STATUS)
  (void)call;
  (void)request;
  (void)out;
  return CERTCTL_RETRYABLE; /* a plugin bug: an error status without a message */
#else
  (void)call;
  return echo(request, out);
#endif
}

static certctl_status revoke(void* instance, certctl_call* call, certctl_str request,
                             const certctl_sink* out) {
  (void)instance;
  (void)request;
  (void)out;
#if defined(PLUGIN_ERROR_STATUS)
  g_host->set_error(call, "what is status 42?");
  return 42;
#elif defined(PLUGIN_MALFORMED_JSON)
  (void)call;
  return write_str(out, "{\"bad\": \"\xff\xfe\"}"); /* invalid UTF-8 */
#else
  (void)call;
  return CERTCTL_OK; /* writes nothing: the result is {} */
#endif
}

#if defined(PLUGIN_CRL_SLOTS)
/* Both CRL slots, each answering a constant "DER" that names it, so a test
 * sees which one the host called: base64("generate_crl") and
 * base64("generate_crl_compact"). With PLUGIN_V1_0 the plugin is built as
 * against ABI 1.0: its vtable_size ends before generate_crl_compact, which
 * is set all the same and must never be called. */
static certctl_status generate_crl(void* instance, certctl_call* call, certctl_str request,
                                   const certctl_sink* out) {
  (void)instance;
  (void)call;
  (void)request;
  return write_str(out, "{\"crl_der_base64\": \"Z2VuZXJhdGVfY3Js\"}");
}

static certctl_status generate_crl_compact(void* instance, certctl_call* call, certctl_str request,
                                           const certctl_sink* out) {
  (void)instance;
  (void)request;
#if defined(PLUGIN_COMPACT_UNSUPPORTED)
  (void)out;
  g_host->set_error(call, "generate_crl_compact is switched off in this build");
  return CERTCTL_UNSUPPORTED;
#else
  (void)call;
  return write_str(out, "{\"crl_der_base64\": \"Z2VuZXJhdGVfY3JsX2NvbXBhY3Q=\"}");
#endif
}
#define CRL_SLOT generate_crl
#define CRL_COMPACT_SLOT generate_crl_compact
#else
#define CRL_SLOT NULL
#define CRL_COMPACT_SLOT NULL
#endif

#if defined(PLUGIN_FUTURE_MINOR)
/* Built against an imaginary ABI 1.5 whose vtable and descriptor grew. */
typedef struct {
  certctl_issuer_vtable v1;
  certctl_instance_op_fn issue2;
} future_vtable;
typedef struct {
  certctl_plugin_descriptor v1;
  const char* homepage;
} future_descriptor;

static const future_vtable vtable = {
    {sizeof(future_vtable), validate_config, create_instance, destroy_instance, issue, renew,
     revoke, NULL, NULL, NULL, NULL, NULL, NULL},
    issue};

static const future_descriptor descriptor = {
    {sizeof(future_descriptor), CERTCTL_ABI_MAJOR, 5, 0, CERTCTL_KIND_ISSUER, 0, PLUGIN_TYPE,
     "0.5.0", "c99 future", PLUGIN_SCHEMA, NULL, NULL, &vtable, sizeof vtable},
    "https://example.invalid"};
#define DESCRIPTOR_PTR (&descriptor.v1)

#else

#if defined(PLUGIN_SHORT_VTABLE)
#define VTABLE_SIZE ((uint32_t)offsetof(certctl_issuer_vtable, renew))
#elif defined(PLUGIN_V1_0)
#define VTABLE_SIZE ((uint32_t)CERTCTL_ISSUER_VTABLE_V1_0_SIZE)
#else
#define VTABLE_SIZE ((uint32_t)sizeof(certctl_issuer_vtable))
#endif

#if defined(PLUGIN_NO_ISSUE)
#define ISSUE_SLOT NULL
#else
#define ISSUE_SLOT issue
#endif

static const certctl_issuer_vtable vtable = {VTABLE_SIZE,
                                             validate_config,
                                             create_instance,
                                             destroy_instance,
                                             ISSUE_SLOT,
                                             renew,
                                             revoke,
                                             NULL,
                                             CRL_SLOT,
                                             NULL,
                                             NULL,
                                             NULL,
                                             CRL_COMPACT_SLOT};

#if defined(PLUGIN_INIT_FAILS)
static certctl_status module_init(certctl_call* call) {
  g_host->set_error(call, "license file /etc/example/license not found");
  return CERTCTL_INVALID_CONFIG;
}
#define MODULE_INIT module_init
#else
#define MODULE_INIT NULL
#endif

#if defined(PLUGIN_SHORT_DESCRIPTOR)
#define DESCRIPTOR_SIZE 8u
#else
#define DESCRIPTOR_SIZE ((uint32_t)sizeof(certctl_plugin_descriptor))
#endif

#if defined(PLUGIN_V1_0)
#define PLUGIN_ABI_MINOR 0
#else
#define PLUGIN_ABI_MINOR CERTCTL_ABI_MINOR
#endif

static const certctl_plugin_descriptor descriptor = {DESCRIPTOR_SIZE,
                                                     PLUGIN_ABI_MAJOR,
                                                     PLUGIN_ABI_MINOR,
                                                     PLUGIN_MIN_HOST_MINOR,
                                                     PLUGIN_KIND,
                                                     0,
                                                     PLUGIN_TYPE,
                                                     "0.1.0",
                                                     "c99",
                                                     PLUGIN_SCHEMA,
                                                     MODULE_INIT,
                                                     NULL,
                                                     &vtable,
                                                     VTABLE_SIZE};
#define DESCRIPTOR_PTR (&descriptor)
#endif

#if defined(PLUGIN_NO_ENTRY)
CERTCTL_PLUGIN_EXPORT int not_a_certctl_plugin(void);
CERTCTL_PLUGIN_EXPORT int not_a_certctl_plugin(void) {
  g_host = NULL;
  return (int)DESCRIPTOR_PTR->struct_size;
}
#else
CERTCTL_PLUGIN_EXPORT const certctl_plugin_descriptor* PLUGIN_ENTRY_NAME(const certctl_host* host);
CERTCTL_PLUGIN_EXPORT const certctl_plugin_descriptor* PLUGIN_ENTRY_NAME(const certctl_host* host) {
  g_host = host;
#if defined(PLUGIN_ENTRY_RETURNS_NULL)
  if (host->product_version != NULL) {
    host->set_error(host->handshake_call, "this plugin only runs on Tuesdays");
    return NULL;
  }
#endif
  return DESCRIPTOR_PTR;
}
#endif
