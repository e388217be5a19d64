#pragma once
/// `sbrtkit check`: a plan against a protocol. The use case loads the plan (plan_inputs.h) and the
/// protocol (protocol_loader.h), calls the core evaluation and renders the result; the JSON schema is
/// documented in docs/check-json.md.

#include <optional>
#include <string>

#include "sbrtkit/pipelines/plan_inputs.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/protocol.h"

namespace sbrtkit {

struct CheckRequest {
  PlanInputRequest plan;
  std::string protocol;  // bundled id or file
};

struct CheckResult {
  PlanInputs inputs;  // (dose and structures kept for callers that need them)
  Protocol protocol;
  ComplianceReport report;
};

Expected<CheckResult> run_check(const CheckRequest& request);

}  // namespace sbrtkit
