#include "core/app/api_key_file.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sdk/pki/secure_file.h"

namespace certctl::app {

std::string loadOrCreateApiKey(const std::filesystem::path& dataDir, bool& created) {
  auto path = dataDir / "api-key";
  created = false;
  if (std::filesystem::exists(path)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
      throw std::runtime_error(path.string() + " is readable by group or others; chmod 600 it");
    std::ifstream in(path);
    std::string key;
    std::getline(in, key);
    if (key.size() < 16) throw std::runtime_error(path.string() + " does not hold a valid key");
    return key;
  }
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("RAND_bytes failed");
  static const char* alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string key = "cc_";
  for (unsigned char b : random) key += alphabet[b & 63];
  sdk::pki::writeFileAtomic(path, key + "\n");  // 0600 by default
  created = true;
  return key;
}

}  // namespace certctl::app
