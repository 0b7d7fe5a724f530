// The plugin's one exported symbol (the class lives in the static library
// the tests link too).
#include "acme_issuer.h"
#include "config_schema.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_ACME_VERSION
#define CERTCTL_ACME_VERSION "0.0.0"
#endif

CERTCTL_EXPORT_ISSUER_EX(certctl::acme::AcmeIssuer, "ACME", CERTCTL_ACME_VERSION,
                         certctl::acme::kConfigSchema, CERTCTL_PLUGIN_SINGLE_THREADED, 0u)
