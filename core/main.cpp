#include "core/app/server_app.h"

int main(int argc, char** argv) { return certctl::app::runServer(argc, argv); }
