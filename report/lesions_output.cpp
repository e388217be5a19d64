// CSV and JSON tables of `sbrtkit lesions`.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "io/output_values.h"
#include "sbrtkit/io/csv.h"
#include "sbrtkit/pipelines/lesions_report.h"

namespace sbrtkit {
namespace {

/// Most columns are SUVs and cc: 4 decimals unless a column says otherwise.
std::string num(std::optional<double> v, int digits = 4) { return csv_fixed(v, digits); }
nlohmann::json point(PatientPoint p) { return {p.x, p.y, p.z}; }

}  // namespace

std::string format_lesions_csv(const LesionsReport& rep) {
  std::string out =
      "id,source,name,volume_cc,centroid_x_mm,centroid_y_mm,centroid_z_mm,longest_diameter_mm,suv_max,suv_peak,"
      "suv_mean,suv_mean_recovered,background_suv,mtv_cc,tlg,threshold_suv,in_roi,covering_ptv,ptv_distance_mm,rx_gy,dose_mean_gy,dose_min_gy,dose_max_gy,"
      "d98_gy,d95_gy,d50_gy,d2_gy,d0.03cc_gy,v100_pct,bed_d95_gy,eqd2_d95_gy,eqd2_mean_gy,segmented_volume_cc,"
      "frame_of_reference_uid,warnings\n";
  for (const auto& l : rep.lesions) {
    const auto& u = l.uptake;
    const auto& d = l.dose;
    std::string warnings;
    for (const auto& w : l.warnings) warnings += (warnings.empty() ? "" : "; ") + w;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                       l.id, l.source, csv_cell(l.name), num(u.volume_cc), num(l.centroid_planning.x, 2),
                       num(l.centroid_planning.y, 2), num(l.centroid_planning.z, 2), num(u.longest_diameter_mm, 2),
                       num(u.suv_max), num(u.suv_peak.suv), num(u.suv_mean), num(u.suv_mean_recovered),
                       num(u.background_suv), num(u.mtv_cc), num(u.tlg),
                       num(l.threshold_suv), csv_cell(l.in_roi), csv_cell(l.covering_ptv), num(l.ptv_distance_mm, 2),
                       num(l.prescription_gy, 2), num(d.mean_gy, 3), num(d.min_gy, 3), num(d.max_gy, 3),
                       num(d.d98_gy, 3), num(d.d95_gy, 3), num(d.d50_gy, 3), num(d.d2_gy, 3), num(d.d0_03cc_gy, 3),
                       num(d.v100_pct, 2), num(d.bed_d95_gy, 3), num(d.eqd2_d95_gy, 3), num(d.eqd2_mean_gy, 3),
                       num(l.segmented_volume_cc), csv_cell(rep.planning_frame_of_reference_uid), csv_cell(warnings));
  }
  return out;
}

std::string format_lesions_json(const LesionsReport& rep) {
  nlohmann::json j;
  j["schema"] = {{"name", "sbrtkit-lesions"}, {"version", 2}};
  // Two frames: every position and dose in the planning frame; the label map, SEG and voxel indices on the
  // PET grid in the PET's frame (frame_mapping carries the map between them).
  j["frames"] = {{"planning_frame_of_reference_uid", rep.planning_frame_of_reference_uid},
                 {"pet_frame_of_reference_uid", rep.pet_frame_of_reference_uid},
                 {"positions_in", "planning"},
                 {"label_map_and_seg_in", "pet"}};
  j["plan"] = {{"plan_uid", rep.plan_uid}, {"rtstruct", rep.rtstruct}, {"rtdose", rep.rtdose}, {"rtplan", rep.rtplan}};
  j["pet"] = {{"series_instance_uid", rep.pet_series_uid}, {"frame_of_reference_uid", rep.pet_frame_of_reference_uid}};
  const auto& c = rep.suv;
  j["suv"] = {{"type", c.type == SuvType::body_weight ? "SUVbw" : "SUL (James)"},
              {"units", c.units},
              {"factor_per_unit", c.factor},
              {"uptake_s", json_number(c.uptake_s)},
              {"decayed_dose_bq", json_number(c.decayed_dose_bq)},
              {"mass_kg", json_number(c.mass_kg)},
              {"notes", c.notes}};
  const auto& m = rep.mapping;
  j["frame_mapping"] = {{"method", m.method},
                        {"pet_to_planning_rotation", m.to_planning.rotation},
                        {"pet_to_planning_translation_mm",
                         {m.to_planning.translation_mm.x, m.to_planning.translation_mm.y, m.to_planning.translation_mm.z}},
                        {"rotation_deg", m.to_planning.angle_deg()},
                        {"metric_value", json_number(m.metric_value)},
                        {"landmark_residual_mm", json_number(m.landmark_residual_mm)},
                        {"notes", m.notes}};
  j["lesions"] = nlohmann::json::array();
  for (const auto& l : rep.lesions) {
    const auto& u = l.uptake;
    const auto& d = l.dose;
    j["lesions"].push_back({{"id", l.id},
                            {"source", l.source},
                            {"name", l.name},
                            {"volume_cc", u.volume_cc},
                            {"centroid_mm", point(l.centroid_planning)},
                            {"longest_diameter_mm", u.longest_diameter_mm},
                            {"suv_max", u.suv_max},
                            {"suv_peak", u.suv_peak.suv},
                            {"suv_peak_centre_mm", point(l.suv_peak_planning)},
                            {"suv_mean", u.suv_mean},
                            {"suv_mean_recovered", u.suv_mean_recovered},
                            {"background_suv", u.background_suv},
                            {"mtv_cc", u.mtv_cc},
                            {"tlg", u.tlg},
                            {"threshold_suv", l.threshold_suv},
                            {"in_roi", l.in_roi.empty() ? nlohmann::json(nullptr) : nlohmann::json(l.in_roi)},
                            {"segmented_volume_cc", json_number(l.segmented_volume_cc)},
                            {"covering_ptv", l.covering_ptv},
                            {"ptv_distance_mm", json_number(l.ptv_distance_mm)},
                            {"prescription_gy", json_number(l.prescription_gy)},
                            {"dose",
                             {{"Mean[Gy]", json_number(d.mean_gy)},
                              {"Min[Gy]", json_number(d.min_gy)},
                              {"Max[Gy]", json_number(d.max_gy)},
                              {"D98%[Gy]", json_number(d.d98_gy)},
                              {"D95%[Gy]", json_number(d.d95_gy)},
                              {"D50%[Gy]", json_number(d.d50_gy)},
                              {"D2%[Gy]", json_number(d.d2_gy)},
                              {"D0.03cc[Gy]", json_number(d.d0_03cc_gy)},
                              {"V100%[%]", json_number(d.v100_pct)},
                              {"BED(D95%)[Gy]", json_number(d.bed_d95_gy)},
                              {"EQD2(D95%)[Gy]", json_number(d.eqd2_d95_gy)},
                              {"EQD2 mean[Gy]", json_number(d.eqd2_mean_gy)},
                              {"outside_dose_grid_cc", d.outside_dose_grid_cc}}},
                            {"warnings", l.warnings}});
  }
  j["excluded"] = nlohmann::json::array();
  for (const auto& e : rep.excluded) {
    const bool roi = e.kind == LesionsReport::Excluded::Kind::organ_roi;
    j["excluded"].push_back({{"kind", roi ? "organ_roi" : "too_large"},
                             {"name", roi ? nlohmann::json(e.name) : nlohmann::json(nullptr)},
                             {"volume_cc", e.volume_cc},
                             {"suv_max", e.suv_max},
                             {"centroid_mm", roi ? nlohmann::json(nullptr) : point(e.centroid_planning)},
                             {"reason", e.reason}});
  }
  j["notes"] = rep.notes;
  j["warnings"] = rep.warnings;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sbrtkit
