#pragma once

#include "core/http/router.h"

namespace certctl::plugins {

class PluginHost;

// GET /api/v1/plugins: loaded plugins (kind, type, version, build,
// config_schema, path, ...) and refused files with the reason.
void registerPluginRoutes(http::Router& router, PluginHost& host);

}  // namespace certctl::plugins
