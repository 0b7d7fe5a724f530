// Test helper: catch the PluginCallError a plugin call must throw.
#pragma once

#include <catch2/catch.hpp>

#include <utility>

#include "core/plugins/plugin_call_error.h"

namespace certctl::testing {

// Runs `fn`, which must throw PluginCallError; returns it.
template <class F>
plugins::PluginCallError callError(F&& fn) {
  try {
    std::forward<F>(fn)();
  } catch (const plugins::PluginCallError& e) {
    return e;
  }
  FAIL("no PluginCallError was thrown");
  return plugins::PluginCallError(CERTCTL_INTERNAL, "unreachable");
}

}  // namespace certctl::testing
