#include "core/protocols/est/est_server_keygen.h"

#include <openssl/rand.h>

#include <algorithm>

#include "core/protocols/est/est_wire.h"
#include "core/services/profile_enforcement.h"
#include "sdk/pki/key_envelope.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/pkcs7.h"

namespace certctl::protocols::est {

namespace pki = sdk::pki;

pki::PrivateKey generateServerKey(const nlohmann::json& certificateProfile) {
  auto choice =
      services::serverKeyFor(certificateProfile.is_object() ? &certificateProfile : nullptr);
  if (choice.algorithm == "RSA") return pki::PrivateKey::generateRsa(std::max(choice.bits, 2048));
  if (choice.algorithm == "Ed25519") return pki::PrivateKey::generateEd25519();
  return choice.bits > 256 ? pki::PrivateKey::generateEcP384() : pki::PrivateKey::generateEcP256();
}

http::Response serverKeygenResponse(const pki::PrivateKey& key, const pki::Csr& clientCsr,
                                    const pki::Certificate& certificate) {
  std::string envelope = pki::envelopePrivateKey(key, clientCsr.publicKey());
  unsigned char random[12];
  if (RAND_bytes(random, sizeof random) != 1) throw pki::PkiError("RAND_bytes");
  std::string boundary = "est-";
  for (unsigned char b : random) {
    static const char* hex = "0123456789abcdef";
    boundary += hex[b >> 4];
    boundary += hex[b & 15];
  }
  std::string body;
  body += "--" + boundary + "\r\n";
  body += "Content-Type: application/pkcs7-mime; smime-type=server-generated-key\r\n";
  body += "Content-Transfer-Encoding: base64\r\n\r\n";
  body += base64Lines(envelope);
  body += "--" + boundary + "\r\n";
  body += "Content-Type: application/pkcs7-mime; smime-type=certs-only\r\n";
  body += "Content-Transfer-Encoding: base64\r\n\r\n";
  body += base64Lines(pki::pkcs7CertsOnlyDer({certificate}));
  body += "--" + boundary + "--\r\n";
  http::Response response;
  response.status = 200;
  response.contentType = "multipart/mixed; boundary=" + boundary;
  response.body = std::move(body);
  return response;
}

}  // namespace certctl::protocols::est
