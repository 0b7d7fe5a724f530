#include "sdk/pki/memory_bio.h"

#include <climits>

#include "sdk/pki/openssl_error.h"

namespace certctl::sdk::pki {

BioPtr memoryBioFrom(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) throw PkiError("input too large");
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) throw PkiError("BIO_new_mem_buf failed");
  return bio;
}

BioPtr newMemoryBio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw PkiError("BIO_new failed");
  return bio;
}

std::string bioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace certctl::sdk::pki
