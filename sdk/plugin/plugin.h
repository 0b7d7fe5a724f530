#pragma once

// Everything a plugin author needs: the base classes (sdk::Issuer, Target,
// Notifier, Discovery), sdk::PluginError, the host services (sdk::log,
// sdk::readSecret, ...), sdk::forEachRevokedEntry and the CERTCTL_EXPORT_*
// macros. docs/plugin-abi.md has a complete example.

#include "sdk/plugin/discovery.h"
#include "sdk/plugin/export.h"
#include "sdk/plugin/host.h"
#include "sdk/plugin/issuer.h"
#include "sdk/plugin/notifier.h"
#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/revoked_tsv.h"
#include "sdk/plugin/target.h"
