#include "sbrtkit/report/qa_output.h"

#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "sbrtkit/protocol.h"
#include "sbrtkit/version.h"
#include "io/output_values.h"

namespace sbrtkit {
namespace {

using nlohmann::json;

std::string cell(const std::optional<double>& v, const char* pattern = "{:.3f}") {
  return v ? fmt::format(fmt::runtime(pattern), *v) : std::string("-");
}

std::string level(const std::optional<DeviationLevel>& l) { return l ? to_string(*l) : "-"; }

}  // namespace

std::string format_qa_table(const QaResult& r) {
  std::string out;
  out += fmt::format("RTSTRUCT  {}\nRTDOSE    {}\n", r.inputs.rtstruct_file, r.inputs.rtdose_file);
  if (r.inputs.rtplan_file) out += fmt::format("RTPLAN    {}\n", *r.inputs.rtplan_file);
  out += fmt::format("FRACTIONS {}\n", r.inputs.fractions ? std::to_string(*r.inputs.fractions) : std::string("unknown"));
  out += fmt::format("BODY      {} ({:.1f} cc inside the dose grid)\n", r.quality.body_name, r.quality.body_volume_cc);
  out += "ATTRIBUTION " + r.quality.attribution + "\n";
  for (std::size_t i = 0; i < r.quality.targets.size(); ++i) {
    const TargetQuality& t = r.quality.targets[i];
    out += fmt::format("\n{} (ROI {}): Rx {:g} Gy [{}], TV {:.3f} cc, coverage {:.1f}%\n", t.name, t.roi_number,
                       t.prescription_gy, r.rx_sources[i], t.tv_cc, 100 * t.coverage);
    out += fmt::format("  V100%     {:>9.2f} %     D98% {:.3f} Gy  D95% {:.3f} Gy  D50% {:.3f} Gy  D2% {:.3f} Gy\n",
                       t.v100_pct, t.d98_gy, t.d95_gy, t.d50_gy, t.d2_gy);
    out += fmt::format("  near-max  {:>9.3f} Gy    ({}, ICRU 91)  mean {:.3f} Gy  min {:.3f} Gy  max {:.3f} Gy\n",
                       t.near_max_gy, t.near_max_metric, t.mean_gy, t.min_gy, t.max_gy);
    out += fmt::format("  PIV {:.3f} cc  PIV50 {:.3f} cc  TV_PIV {:.3f} cc\n", t.piv_cc, t.piv50_cc, t.tv_piv_cc);
    out += fmt::format("  RTOG CI   {:>9}       Paddick CI {}   GI {}   HI {}\n", cell(t.rtog_ci), cell(t.paddick_ci),
                       cell(t.gradient_index), cell(t.hi));
    out += fmt::format("  R50%      {:>9}       RTOG 0915: {} (none <= {:.2f}, minor <= {:.2f})\n", cell(t.r50),
                       level(t.r50_level), t.r50_limits.none_max, t.r50_limits.minor_max);
    out += fmt::format("  D2cm      {:>9} %Rx   RTOG 0915: {} (none <= {:.1f}, minor <= {:.1f})\n",
                       cell(t.d2cm_pct, "{:.1f}"), level(t.d2cm_level), t.d2cm_limits.none_max, t.d2cm_limits.minor_max);
    if (t.radiobiology) {
      const auto& b = *t.radiobiology;
      out += fmt::format("  a/b {:g} Gy, {} fx: Rx BED {:.2f} Gy, EQD2 {:.2f} Gy; EQD2 DVH (voxel by voxel): D98% {:.2f}, "
                         "D95% {:.2f}, D50% {:.2f}, D2% {:.2f}, mean {:.2f} Gy; BED D95% {:.2f}, mean {:.2f} Gy\n",
                         b.alpha_beta_gy, b.fractions, b.rx_bed_gy, b.rx_eqd2_gy, b.d98_eqd2_gy, b.d95_eqd2_gy,
                         b.d50_eqd2_gy, b.d2_eqd2_gy, b.mean_eqd2_gy, b.d95_bed_gy, b.mean_bed_gy);
    }
    for (const auto& w : t.warnings) out += "  warning: " + w + "\n";
  }
  std::vector<std::string> warnings = r.inputs.warnings;
  warnings.insert(warnings.end(), r.quality.warnings.begin(), r.quality.warnings.end());
  if (!r.inputs.notes.empty()) {
    out += "\nnotes:\n";
    for (const auto& n : r.inputs.notes) out += "  " + n + "\n";
  }
  if (!warnings.empty()) {
    out += "\nwarnings:\n";
    for (const auto& w : warnings) out += "  " + w + "\n";
  }
  return out;
}

std::string format_qa_json(const QaResult& r) {
  json j;
  j["schema"] = "sbrtkit-qa/1";
  j["sbrtkit_version"] = kVersion;
  j["inputs"] = {{"rtstruct", r.inputs.rtstruct_file},
                 {"rtdose", r.inputs.rtdose_file},
                 {"rtplan", r.inputs.rtplan_file ? json(*r.inputs.rtplan_file) : json(nullptr)}};
  j["fractions"] = r.inputs.fractions ? json(*r.inputs.fractions) : json(nullptr);
  j["body"] = {{"name", r.quality.body_name}, {"volume_cc", r.quality.body_volume_cc}};
  j["attribution"] = r.quality.attribution;
  json targets = json::array();
  for (std::size_t i = 0; i < r.quality.targets.size(); ++i) {
    const TargetQuality& t = r.quality.targets[i];
    json o = {{"roi_number", t.roi_number},
              {"name", t.name},
              {"prescription_gy", t.prescription_gy},
              {"prescription_source", r.rx_sources[i]},
              {"tv_cc", t.tv_cc},
              {"coverage", t.coverage},
              {"V100%[%]", t.v100_pct},
              {"D98%[Gy]", t.d98_gy},
              {"D95%[Gy]", t.d95_gy},
              {"D50%[Gy]", t.d50_gy},
              {"D2%[Gy]", t.d2_gy},
              {"near_max_gy", t.near_max_gy},
              {"near_max_metric", t.near_max_metric},
              {"Mean[Gy]", t.mean_gy},
              {"Min[Gy]", t.min_gy},
              {"Max[Gy]", t.max_gy},
              {"tv_piv_cc", t.tv_piv_cc},
              {"piv_cc", t.piv_cc},
              {"piv50_cc", t.piv50_cc},
              {"rtog_ci", json_number(t.rtog_ci)},
              {"paddick_ci", json_number(t.paddick_ci)},
              {"gradient_index", json_number(t.gradient_index)},
              {"r50", json_number(t.r50)},
              {"r50_level", t.r50_level ? json(to_string(*t.r50_level)) : json(nullptr)},
              {"r50_limits", {{"none_max", t.r50_limits.none_max}, {"minor_max", t.r50_limits.minor_max}}},
              {"d2cm_pct", json_number(t.d2cm_pct)},
              {"d2cm_level", t.d2cm_level ? json(to_string(*t.d2cm_level)) : json(nullptr)},
              {"d2cm_limits", {{"none_max", t.d2cm_limits.none_max}, {"minor_max", t.d2cm_limits.minor_max}}},
              {"hi", json_number(t.hi)},
              {"warnings", t.warnings}};
    if (t.radiobiology) {
      const auto& b = *t.radiobiology;
      o["radiobiology"] = {{"alpha_beta_gy", b.alpha_beta_gy}, {"fractions", b.fractions},
                           {"rx_bed_gy", b.rx_bed_gy},         {"rx_eqd2_gy", b.rx_eqd2_gy},
                           {"D98%[EQD2Gy]", b.d98_eqd2_gy},    {"D95%[EQD2Gy]", b.d95_eqd2_gy},
                           {"D50%[EQD2Gy]", b.d50_eqd2_gy},    {"D2%[EQD2Gy]", b.d2_eqd2_gy},
                           {"Mean[EQD2Gy]", b.mean_eqd2_gy},   {"D95%[BEDGy]", b.d95_bed_gy},
                           {"Mean[BEDGy]", b.mean_bed_gy}};
    } else {
      o["radiobiology"] = nullptr;
    }
    targets.push_back(o);
  }
  j["targets"] = targets;
  std::vector<std::string> warnings = r.inputs.warnings;
  warnings.insert(warnings.end(), r.quality.warnings.begin(), r.quality.warnings.end());
  j["notes"] = r.inputs.notes;
  j["warnings"] = warnings;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string format_qa_csv(const QaResult& r) {
  std::string out =
      "roi_number,name,prescription_gy,tv_cc,v100_pct,d98_gy,d95_gy,d50_gy,d2_gy,near_max_gy,near_max_metric,mean_gy,"
      "piv_cc,piv50_cc,rtog_ci,paddick_ci,gradient_index,r50,r50_level,d2cm_pct,d2cm_level,hi\n";
  for (const auto& t : r.quality.targets)
    out += fmt::format("{},{},{:g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{:.6g},{:.6g},{:.6g},{},{},{},{},{},{},{},{}\n",
                       t.roi_number, t.name, t.prescription_gy, t.tv_cc, t.v100_pct, t.d98_gy, t.d95_gy, t.d50_gy,
                       t.d2_gy, t.near_max_gy, t.near_max_metric, t.mean_gy, t.piv_cc, t.piv50_cc, csv_number(t.rtog_ci),
                       csv_number(t.paddick_ci), csv_number(t.gradient_index), csv_number(t.r50), t.r50_level ? to_string(*t.r50_level) : "",
                       csv_number(t.d2cm_pct), t.d2cm_level ? to_string(*t.d2cm_level) : "", csv_number(t.hi));
  return out;
}

}  // namespace sbrtkit
