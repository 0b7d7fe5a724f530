#include "tests/integration/protocols/doc_recipes.h"

#include <catch2/catch.hpp>

#include "certctl/build_info.h"
#include "tests/integration/protocols/protocol_test_util.h"

namespace certctl::testing::protocols {

namespace fs = std::filesystem;

std::map<std::string, std::string> docRecipes(const std::string& docName) {
  // Not __FILE__: ccache's CCACHE_BASEDIR (used by CI) makes it relative.
  std::string text = readFile(fs::path(certctl::build::kSourceDir) / "docs" / docName);
  REQUIRE(!text.empty());
  std::map<std::string, std::string> out;
  const std::string marker = "\n<!-- recipe: ";  // at the start of a line
  for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    auto nameEnd = text.find(" -->", at);
    REQUIRE(nameEnd != std::string::npos);
    std::string name = text.substr(at + marker.size(), nameEnd - at - marker.size());
    auto open = text.find("```bash\n", nameEnd);
    REQUIRE(open == text.find('\n', nameEnd) + 1);  // the fence follows the marker
    auto start = open + 8;
    auto close = text.find("\n```", start);
    REQUIRE(close != std::string::npos);
    out[name] = text.substr(start, close - start + 1);
  }
  return out;
}

ProcessResult runDocRecipe(const std::map<std::string, std::string>& recipes,
                           const std::string& name, const fs::path& workDir,
                           const std::map<std::string, std::string>& env,
                           std::chrono::seconds timeout) {
  auto it = recipes.find(name);
  INFO("recipe " << name);
  REQUIRE(it != recipes.end());
  auto result = runProcess(
      {"bash", "-euo", "pipefail", "-c", "cd \"$1\" && " + it->second, "recipe", workDir.string()},
      env, timeout);
  INFO("recipe " << name << ":\n" << it->second << "\n---\n" << result.output);
  REQUIRE(result.exitCode == 0);
  return result;
}

}  // namespace certctl::testing::protocols
