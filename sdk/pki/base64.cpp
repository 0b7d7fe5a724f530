#include "sdk/pki/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <memory>

#include "sdk/pki/openssl_error.h"
#include "sdk/pki/openssl_ptr.h"

namespace certctl::sdk::pki {

namespace {

using EncodeCtxPtr = std::unique_ptr<EVP_ENCODE_CTX, OpenSslDeleter<EVP_ENCODE_CTX_free>>;

// EVP_EncodeBlock takes an int length: encode in chunks of whole 3-byte
// groups so arbitrarily large inputs (a 1M-entry CRL) stay in range.
constexpr std::size_t kEncodeChunk = 3u << 20;

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out;
  out.resize((bytes.size() + 2) / 3 * 4);
  std::size_t written = 0;
  for (std::size_t pos = 0; pos < bytes.size(); pos += kEncodeChunk) {
    const std::size_t n = std::min(kEncodeChunk, bytes.size() - pos);
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + written),
                                    reinterpret_cast<const unsigned char*>(bytes.data() + pos),
                                    static_cast<int>(n));
    if (len < 0) throw PkiError("base64 encoding failed");
    written += static_cast<std::size_t>(len);
  }
  out.resize(written);
  return out;
}

std::string base64Decode(std::string_view text, std::string_view what) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) {
    throw PkiError(std::string(what) + " base64 too large");
  }
  EncodeCtxPtr ctx(EVP_ENCODE_CTX_new());
  if (!ctx) throw PkiError("EVP_ENCODE_CTX_new");
  EVP_DecodeInit(ctx.get());
  // Decoded data is never longer than its base64 text.
  std::string out(text.size() + 3, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  int tail = 0;
  // EVP_Decode* skip CR, LF and blanks, so wrapped bodies decode as is.
  if (EVP_DecodeUpdate(ctx.get(), dst, &len, reinterpret_cast<const unsigned char*>(text.data()),
                       static_cast<int>(text.size())) < 0 ||
      EVP_DecodeFinal(ctx.get(), dst + len, &tail) != 1) {
    throw PkiError(std::string(what) + " is not valid base64");
  }
  out.resize(static_cast<std::size_t>(len + tail));
  return out;
}

}  // namespace certctl::sdk::pki
