// Tables of `sbrtkit response`: CSV (one row per lesion) and JSON (rows, groups, patient calls, rules).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sbrtkit/pipelines/response_report.h"
#include "sbrtkit/io/csv.h"
#include "io/output_values.h"

namespace sbrtkit {
namespace {

using nlohmann::json;

/// Most columns are mm and %: 3 decimals unless a column says otherwise.
std::string num(std::optional<double> v, int digits = 3) { return csv_fixed(v, digits); }

const ResponseLesion* lesion(const std::vector<ResponseLesion>& ls, std::optional<int> i) {
  return i ? &ls[*i] : nullptr;
}

json lesion_json(const ResponseLesion& l) {
  return {{"id", l.id},
          {"name", l.name},
          {"centroid_planning_mm", {l.centroid.x, l.centroid.y, l.centroid.z}},
          {"volume_cc", l.volume_cc},
          {"suv_max", l.suv_max},
          {"suv_peak", l.suv_peak},
          {"suv_mean", l.suv_mean},
          {"tlg", l.tlg},
          {"nearest_ptv", l.ptv},
          {"ptv_distance_mm", json_number(l.ptv_distance_mm)},
          {"prescription_gy", json_number(l.prescription_gy)},
          {"centroid_dose_gy", json_number(l.centroid_dose_gy)}};
}

}  // namespace

std::string format_response_csv(const ResponseReport& rep) {
  std::string out =
      "followup,baseline,status,change,location,treated,match,group,overlap_cc,centroid_shift_mm,"
      "suv_max_baseline,suv_max_followup,suv_peak_baseline,suv_peak_followup,uptake_change_pct,uptake_change_suv,"
      "volume_baseline_cc,volume_followup_cc,volume_change_pct,tlg_change_pct,nearest_ptv,ptv_distance_mm,"
      "centroid_dose_gy,prescription_gy,in_field_fraction,x_mm,y_mm,z_mm,treated_by,location_rule,notes\n";
  for (const auto& r : rep.assessment.lesions) {
    const ResponseLesion* b = lesion(rep.baseline.lesions, r.baseline);
    const ResponseLesion* f = lesion(rep.followup.lesions, r.followup);
    const ResponseLesion* here = f ? f : b;
    std::string notes;
    for (const auto& n : r.notes) notes += (notes.empty() ? "" : "; ") + n;
    auto bv = [&](double ResponseLesion::*m) { return b ? fmt::format("{:.3f}", b->*m) : std::string(); };
    auto fv = [&](double ResponseLesion::*m) { return f ? fmt::format("{:.3f}", f->*m) : std::string(); };
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{:.3f},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.1f},{:.1f},{:.1f},{},{},{}\n",
        f ? f->name : "", b ? b->name : "", status_name(r.status), change_name(r.change), location_name(r.location),
        r.treated ? "yes" : "no", match_name(r.match), r.group ? std::to_string(r.group) : "", r.overlap_cc,
        num(r.centroid_shift_mm, 1), bv(&ResponseLesion::suv_max), fv(&ResponseLesion::suv_max),
        bv(&ResponseLesion::suv_peak), fv(&ResponseLesion::suv_peak), num(r.uptake_change_pct, 1),
        num(r.uptake_change_suv, 2), bv(&ResponseLesion::volume_cc), fv(&ResponseLesion::volume_cc),
        num(r.volume_change_pct, 1), num(r.tlg_change_pct, 1), csv_cell(here->ptv), num(here->ptv_distance_mm, 1),
        num(here->centroid_dose_gy, 2), num(here->prescription_gy, 2), num(r.in_field_fraction, 3), here->centroid.x,
        here->centroid.y, here->centroid.z, csv_cell(r.treated_by), csv_cell(r.location_rule), csv_cell(notes));
  }
  return out;
}

std::string format_response_json(const ResponseReport& rep) {
  json j;
  j["schema"] = {{"name", "sbrtkit-response"}, {"version", 2}};
  // Positions, surfaces (VTP) and doses in the planning frame; the status label map and SEG on the
  // follow-up PET grid, in its frame (followup.translation_mm / rotation_deg map it to planning).
  j["frames"] = {{"planning_frame_of_reference_uid", rep.followup.report.planning_frame_of_reference_uid},
                 {"followup_pet_frame_of_reference_uid", rep.followup.report.pet_frame_of_reference_uid},
                 {"positions_and_surfaces_in", "planning"},
                 {"label_map_and_seg_in", "followup_pet"}};
  j["rules"] = rep.rules_text;
  const auto& p = rep.assessment.patient;
  j["patient"] = {{"baseline_lesions", p.baseline_lesions},
                  {"followup_lesions", p.followup_lesions},
                  {"progressing", p.progressing},
                  {"new", p.new_lesions},
                  {"responding", p.responding},
                  {"stable", p.stable},
                  {"complete_response", p.complete_response},
                  {"in_field", p.in_field},
                  {"marginal", p.marginal},
                  {"out_of_field", p.out_of_field},
                  {"oligoprogressive", p.oligoprogressive},
                  {"oligoprogression", p.oligo_call},
                  {"ppp", p.ppp_call},
                  {"ppp_by_imaging", p.ppp_by_imaging},
                  {"total_volume_baseline_cc", p.total_volume_baseline_cc},
                  {"total_volume_followup_cc", p.total_volume_followup_cc},
                  {"total_volume_change_pct", json_number(p.total_volume_change_pct)},
                  {"recip", recip_name(p.recip)},
                  {"recip_call", p.recip_call}};
  json rows = json::array();
  for (const auto& r : rep.assessment.lesions) {
    json o = {{"status", status_name(r.status)},
              {"status_code", static_cast<int>(r.status)},
              {"change", change_name(r.change)},
              {"location", location_name(r.location)},
              {"location_rule", r.location_rule},
              {"treated", r.treated},
              {"treated_by", r.treated_by},
              {"match", match_name(r.match)},
              {"group", r.group},
              {"overlap_cc", r.overlap_cc},
              {"centroid_shift_mm", json_number(r.centroid_shift_mm)},
              {"uptake_change_pct", json_number(r.uptake_change_pct)},
              {"uptake_change_suv", json_number(r.uptake_change_suv)},
              {"volume_change_pct", json_number(r.volume_change_pct)},
              {"tlg_change_pct", json_number(r.tlg_change_pct)},
              {"in_field_fraction", json_number(r.in_field_fraction)},
              {"notes", r.notes}};
    o["baseline"] = r.baseline ? lesion_json(rep.baseline.lesions[*r.baseline]) : json(nullptr);
    o["followup"] = r.followup ? lesion_json(rep.followup.lesions[*r.followup]) : json(nullptr);
    // A baseline lesion without a follow-up lesion: the follow-up uptake measured at its place.
    o["followup_at_place"] = nullptr;
    if (r.baseline && !r.followup)
      if (const auto& at = rep.baseline.lesions[*r.baseline].followup_at_place)
        o["followup_at_place"] = {{"suv_max", at->suv_max},
                                  {"suv_peak", at->suv_peak},
                                  {"background_median_suv", at->background_median_suv},
                                  {"background_level_suv", at->background_level_suv},
                                  {"voxels_measured", at->voxels_measured},
                                  {"voxels_near_other_lesion", at->voxels_near_other_lesion}};
    rows.push_back(std::move(o));
  }
  j["lesions"] = std::move(rows);
  json groups = json::array();
  for (const auto& g : rep.assessment.groups) {
    json b = json::array(), f = json::array();
    for (int i : g.baseline) b.push_back(rep.baseline.lesions[i].name);
    for (int i : g.followup) f.push_back(rep.followup.lesions[i].name);
    groups.push_back({{"id", g.id}, {"kind", match_name(g.kind)}, {"baseline", b}, {"followup", f}});
  }
  j["groups"] = std::move(groups);
  json legend = json::object();
  for (int c = 1; c <= kResponseStatusCount; ++c) {
    const auto s = static_cast<ResponseStatus>(c);
    const StatusRgb rgb = status_colour(s);
    legend[std::to_string(c)] = {{"status", status_name(s)}, {"rgb", {rgb.r, rgb.g, rgb.b}}};
  }
  j["label_legend"] = std::move(legend);
  for (const auto* tp : {&rep.baseline, &rep.followup}) {
    const auto& lr = tp->report;
    j[tp == &rep.baseline ? "baseline" : "followup"] = {
        {"pet_series_uid", lr.pet_series_uid},
        {"pet_frame_of_reference_uid", lr.pet_frame_of_reference_uid},
        {"mapping", lr.mapping.method},
        {"mapping_metric", json_number(lr.mapping.metric_value)},
        {"translation_mm",
         {lr.mapping.to_planning.translation_mm.x, lr.mapping.to_planning.translation_mm.y,
          lr.mapping.to_planning.translation_mm.z}},
        {"rotation_deg", lr.mapping.to_planning.angle_deg()},
        {"lesions", tp->lesions.size()},
        {"dropped", tp->dropped}};
  }
  j["notes"] = rep.notes;
  j["warnings"] = rep.warnings;
  j["seconds"] = rep.seconds;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sbrtkit
