#pragma once
/// `sbrtkit qa`: SBRT plan-quality indices of every target of a plan (plan_quality.h), with the RTOG
/// 0915 deviation levels for R50% and D2cm, and BED / EQD2 at a given alpha/beta.

#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/pipelines/plan_inputs.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/plan_quality.h"

namespace sbrtkit {

struct QaRequest {
  PlanInputRequest plan;
  std::vector<std::string> targets;  // names or ROI numbers; empty: every PTV
  std::optional<std::string> body;   // default: the EXTERNAL structure
  std::optional<double> alpha_beta_gy;
};

struct QaResult {
  PlanInputs inputs;
  PlanQuality quality;
  std::vector<std::string> rx_sources;  // per target: "--rx", "RTPLAN (ROI 12)", "RTPLAN (plan)"
};

Expected<QaResult> run_qa(const QaRequest& request);

}  // namespace sbrtkit
