#pragma once

#include "core/domain/resource_spec.h"

namespace certctl::domain {

// Read-only records listed under a parent resource: certificate versions,
// jobs (deployments of a certificate) and policy violations. They are
// written by the lifecycle services, never by a generic POST.
const ResourceSpec& certificateVersionSpec();
const ResourceSpec& jobSpec();
const ResourceSpec& policyViolationSpec();

}  // namespace certctl::domain
