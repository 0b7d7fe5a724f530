#pragma once

namespace certctl::app {

// The composition root of certctl-server: reads configuration, opens the
// database, applies migrations, prepares TLS and the API key, wires the
// routes and middleware, and serves until SIGINT/SIGTERM.
int runServer(int argc, char** argv);

}  // namespace certctl::app
