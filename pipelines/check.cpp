#include "sbrtkit/pipelines/check.h"

#include <fmt/format.h>


#include "sbrtkit/io/protocol_loader.h"

namespace sbrtkit {

Expected<CheckResult> run_check(const CheckRequest& request) {
  // The protocol first: a typo in it should fail before any DICOM is read.
  auto protocol = load_protocol(request.protocol);
  if (!protocol) return protocol.error();
  auto inputs = load_plan_inputs(request.plan);
  if (!inputs) return inputs.error();
  CheckInputs in;
  in.structures = &inputs->structures;
  in.dose = &inputs->dose.dose;
  in.plan_fractions = inputs->fractions;
  in.target_rx_by_roi = inputs->target_rx_by_roi;
  in.plan_rx_gy = inputs->prescription_gy;
  in.rx_overrides_targets = inputs->prescription_source == "--rx";
  in.engine.single_plane_thickness_mm = inputs->single_plane_thickness_mm;
  auto report = evaluate_protocol(*protocol, in);
  if (!report) return report.error();
  return CheckResult{std::move(*inputs), std::move(*protocol), std::move(*report)};
}

}  // namespace sbrtkit
