#include "sbrtkit/pipelines/qa.h"

#include <fmt/format.h>

#include <cctype>

#include "sbrtkit/protocol.h"

namespace sbrtkit {

Expected<QaResult> run_qa(const QaRequest& request) {
  if (request.alpha_beta_gy && !(*request.alpha_beta_gy > 0))
    return Error::bad_argument("--alpha-beta", "a positive alpha/beta in Gy", std::to_string(*request.alpha_beta_gy));
  auto inputs = load_plan_inputs(request.plan);
  if (!inputs) return inputs.error();
  const StructureSet& set = inputs->structures;

  const Structure* body = nullptr;
  if (request.body) {
    body = set.find(*request.body);
    if (!body) return Error::bad_argument("--body", "a structure of " + inputs->rtstruct_file, "'" + *request.body + "'");
  } else {
    body = find_body(set);
    if (!body)
      return Error::inconsistent(inputs->rtstruct_file, "(3006,00A4) RTROIInterpretedType",
                                 "no EXTERNAL (body) structure, needed for PIV, PIV50 and D2cm (name one with --body)");
  }
  std::vector<const Structure*> chosen;
  if (!request.targets.empty()) {
    for (const auto& t : request.targets) {
      const Structure* s = set.find(t);
      if (!s) return Error::bad_argument("--target", "a structure of " + inputs->rtstruct_file, "'" + t + "'");
      chosen.push_back(s);
    }
  } else {
    for (const auto& s : set.structures)
      if (ascii_upper(s.interpreted_type) == "PTV") chosen.push_back(&s);
    if (chosen.empty())
      for (const auto& s : set.structures)
        if (ascii_upper(s.name).rfind("PTV", 0) == 0) chosen.push_back(&s);
    if (chosen.empty())
      return Error::inconsistent(inputs->rtstruct_file, "(3006,00A4) RTROIInterpretedType",
                                 "no PTV (by interpreted type or name); choose targets with --target");
  }

  QaResult result;
  std::vector<QaTarget> targets;
  for (const Structure* s : chosen) {
    std::optional<double> rx;
    std::string source;
    if (inputs->prescription_source == "--rx") {
      rx = inputs->prescription_gy;
      source = "--rx";
    } else if (auto it = inputs->target_rx_by_roi.find(s->roi_number); it != inputs->target_rx_by_roi.end()) {
      rx = it->second;
      source = "RTPLAN (ROI " + std::to_string(s->roi_number) + ")";
    } else if (inputs->prescription_gy) {
      rx = inputs->prescription_gy;
      source = "RTPLAN (plan)";
    }
    if (!rx)
      return Error::bad_argument("--rx", "a prescription for target '" + s->name + "' (RTPLAN or --rx)", "none");
    targets.push_back({s, *rx});
    result.rx_sources.push_back(source);
  }
  PlanQualityOptions options;
  options.engine.single_plane_thickness_mm = inputs->single_plane_thickness_mm;
  if (request.alpha_beta_gy) {
    if (!inputs->fractions)
      return Error::bad_argument("--fractions", "the number of fractions for BED / EQD2 (RTPLAN or --fractions)", "none");
    options.alpha_beta_gy = request.alpha_beta_gy;
    options.fractions = *inputs->fractions;
  }
  auto quality = compute_plan_quality(*body, targets, inputs->dose.dose, options);
  if (!quality) return Error(quality.error()).with_context(inputs->rtstruct_file);
  result.inputs = std::move(*inputs);
  result.quality = std::move(*quality);
  return result;
}

}  // namespace sbrtkit
