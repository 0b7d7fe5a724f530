#pragma once

#include <string>

#include "sdk/pki/certificate.h"
#include "sdk/pki/csr.h"

namespace certctl::protocols {

// A renewal CSR (EST simplereenroll, RFC 7030 4.2.2; SCEP RenewalReq, RFC
// 8894 2.3) renews the certificate that authenticates it, so it must name the
// same subject. Checked as "names nothing the current
// certificate does not": the subject CN is present and equal, every other
// subject attribute of the CSR appears in the certificate's subject with the
// same value, and every subjectAltName of the CSR is one of the
// certificate's. (The issuer normalises subjects, so a CSR repeating the
// original request's extra attributes, or a CN-only CSR, both renew.)
// "" when the CSR qualifies, else what differs.
std::string renewalMismatch(const sdk::pki::Certificate& current, const sdk::pki::Csr& csr);

}  // namespace certctl::protocols
