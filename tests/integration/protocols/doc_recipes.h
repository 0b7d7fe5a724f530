#pragma once

// Copy-paste recipes of docs/*.md, run verbatim by the protocol tests: every
// ```bash block that follows a "<!-- recipe: NAME -->" line is one recipe.

#include <filesystem>
#include <map>
#include <string>

#include "tests/support/process.h"

namespace certctl::testing::protocols {

// NAME -> the block's text, from docs/<docName> of this source tree.
std::map<std::string, std::string> docRecipes(const std::string& docName);

// Runs recipe `name` with `bash -euo pipefail` in `workDir` with `env`
// added; fails the test (REQUIRE) when it is missing or exits non-zero,
// showing the recipe and its output.
ProcessResult runDocRecipe(const std::map<std::string, std::string>& recipes,
                           const std::string& name, const std::filesystem::path& workDir,
                           const std::map<std::string, std::string>& env,
                           std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace certctl::testing::protocols
