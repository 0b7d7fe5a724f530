#include "core/plugins/plugin_routes.h"

#include "core/plugins/plugin_host.h"

namespace certctl::plugins {

void registerPluginRoutes(http::Router& router, PluginHost& host) {
  router.add("GET", "/api/v1/plugins",
             [&host](http::Request&) { return http::Response::json(200, host.listPlugins()); });
}

}  // namespace certctl::plugins
