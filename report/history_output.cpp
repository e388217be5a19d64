// history.json, structures_cumulative.csv and the terminal summary of `sbrtkit history`.
#include <fmt/format.h>

#include <cmath>

#include "report/history_json.h"
#include "sbrtkit/io/csv.h"
#include "sbrtkit/report/history_output.h"
#include "sbrtkit/version.h"

namespace sbrtkit {
namespace {

using nlohmann::json;

json opt(std::optional<double> v) { return v ? json(*v) : json(nullptr); }
std::string num(std::optional<double> v, int digits = 3) { return v ? fmt::format("{:.{}f}", *v, digits) : ""; }

json matrix(const RigidMap& m) {
  const auto& r = m.rotation;
  const Vec3& t = m.translation_mm;
  return json::array({json::array({r[0], r[1], r[2], t.x}), json::array({r[3], r[4], r[5], t.y}),
                      json::array({r[6], r[7], r[8], t.z}), json::array({0.0, 0.0, 0.0, 1.0})});
}

json registration(const HistoryRegistration& g) {
  json j = {{"method", g.method}, {"poor", g.poor}};
  j["file"] = g.file.empty() ? json(nullptr) : json(g.file);
  j["metric"] = g.metric_value ? json{{"name", "Mattes mutual information (ITK, final)"}, {"value", *g.metric_value}}
                               : json(nullptr);
  j["iterations"] = g.iterations ? json(*g.iterations) : json(nullptr);
  j["stop_condition"] = g.stop_condition.empty() ? json(nullptr) : json(g.stop_condition);
  j["ct_correlation"] = opt(g.correlation);
  j["ct_overlap_fraction"] = opt(g.overlap_fraction);
  return j;
}

json grid(const ImageGeometry& g) {
  const auto& a = g.axes();
  return {{"size", {g.size()[0], g.size()[1], g.size()[2]}},
          {"origin_mm", {g.origin().x, g.origin().y, g.origin().z}},
          {"spacing_mm", {g.spacing_mm().x, g.spacing_mm().y, g.spacing_mm().z}},
          {"axes", {{a[0].x, a[0].y, a[0].z}, {a[1].x, a[1].y, a[1].z}, {a[2].x, a[2].y, a[2].z}}}};
}

json stats(const DoseStatistics& s) {
  return {{"max_gy", opt(s.max_gy)}, {"d0_035cc_gy", opt(s.d0_035cc_gy)}, {"mean_gy", opt(s.mean_gy)}};
}

}  // namespace

json history_json_document(const HistoryReport& r) {
  json doc;
  doc["schema"] = "sbrtkit-history/1";
  doc["sbrtkit_version"] = kVersion;
  doc["patient"] = {{"id", r.patient_id}, {"name", r.patient_name}};
  doc["reference"] = {{"plan_uid", r.reference_plan_uid},
                      {"frame_of_reference_uid", r.reference_frame_of_reference_uid},
                      {"ct_series_uid", r.reference_ct_series_uid},
                      {"course_index", r.reference_course},
                      {"chosen_by", r.reference_choice}};
  json courses = json::array();
  for (const auto& c : r.courses)
    courses.push_back({{"plan_uid", c.plan_uid},
                       {"label", c.label},
                       {"date", c.date},
                       {"date_source", c.date_source},
                       {"fractions", c.fractions},
                       {"frame_of_reference_uid", c.frame_of_reference_uid},
                       {"rtplan_file", c.rtplan_file},
                       {"rtstruct_file", c.rtstruct_file},
                       {"ct_series_uid", c.ct_series_uid},
                       {"dose_files", c.dose_files},
                       {"dose_composition", c.dose_composition},
                       {"dose_grid", grid(c.dose_grid)},
                       {"to_reference", matrix(c.to_reference)},
                       {"registration", registration(c.registration)}});
  doc["courses"] = courses;
  json studies = json::array();
  for (const auto& s : r.studies)
    studies.push_back({{"series_uid", s.series_uid},
                       {"modality", s.modality},
                       {"date", s.date},
                       {"date_source", s.date_source},
                       {"frame_of_reference_uid", s.frame_of_reference_uid},
                       {"ct_series_uid", s.ct_series_uid},
                       {"placed", s.placed},
                       {"to_reference", s.placed ? matrix(s.to_reference) : json(nullptr)},
                       {"registration", s.placed ? registration(s.registration) : json(nullptr)}});
  doc["studies"] = studies;
  doc["accumulation"] = {{"grid", grid(r.accumulated.physical_gy.geometry)},
                         {"alpha_beta",
                          {{"origin", r.alpha_beta_origin},
                           {"elsewhere_gy", r.alpha_beta_elsewhere_gy},
                           {"elsewhere_source", r.alpha_beta_elsewhere_source},
                           {"overlaps", "the smallest a/b of the structures in a voxel wins"}}},
                         {"recovery_applied", r.recovery_applied},
                         {"notes", r.accumulated.notes}};
  json structures = json::array();
  for (const auto& s : r.structures) {
    json per_course = json::array();
    for (const auto& d : s.per_course)
      per_course.push_back({{"plan_uid", d.plan_uid},
                            {"max_gy", opt(d.max_gy)},
                            {"d0_035cc_gy", opt(d.d0_035cc_gy)},
                            {"eqd2_max_gy", opt(d.eqd2_max_gy)},
                            {"eqd2_d0_035cc_gy", opt(d.eqd2_d0_035cc_gy)},
                            {"outside_grid_cc", d.outside_grid_cc}});
    structures.push_back({{"name", s.name},
                          {"roi_number", s.roi_number},
                          {"interpreted_type", s.interpreted_type},
                          {"category", s.category},
                          {"alpha_beta_gy", opt(s.alpha_beta_gy)},
                          {"alpha_beta_rule", s.alpha_beta_rule},
                          {"alpha_beta_source", s.alpha_beta_source},
                          {"recovery_fraction", s.recovery_fraction},
                          {"recovery_source", s.recovery_source},
                          {"volume_cc", s.volume_cc},
                          {"cumulative_physical", stats(s.cumulative_physical)},
                          {"cumulative_eqd2", stats(s.cumulative_eqd2)},
                          {"per_course", per_course}});
  }
  doc["structures"] = structures;
  doc["limits_protocol"] = r.limits_protocol_id.empty()
                               ? json(nullptr)
                               : json{{"id", r.limits_protocol_id}, {"name", r.limits_protocol_name},
                                      {"file", r.limits_protocol_file}};
  json limits = json::array();
  for (const auto& l : r.limits)
    limits.push_back({{"structure", l.structure},
                      {"protocol_structure", l.protocol_structure},
                      {"metric", l.metric},
                      {"constraint", l.constraint},
                      {"scope", to_string(l.scope)},
                      {"plan_uid", l.plan_uid.empty() ? json(nullptr) : json(l.plan_uid)},
                      {"eqd2_alpha_beta_gy", opt(l.eqd2_alpha_beta_gy)},
                      {"relative_to_cumulative", l.relative_to_cumulative},
                      {"comparison", l.comparison},
                      {"limit_gy", opt(l.limit_gy)},
                      {"value_gy", opt(l.value_gy)},
                      {"margin_gy", opt(l.margin_gy)},
                      {"sum_of_courses_gy", opt(l.sum_of_courses_gy)},
                      {"passed", l.passed ? json(*l.passed) : json(nullptr)},
                      {"source", l.source},
                      {"note", l.note},
                      {"reason", l.reason}});
  doc["limits"] = limits;
  json intervals = json::array();
  for (const auto& i : r.intervals)
    intervals.push_back({{"from_plan_uid", i.from_plan_uid},
                         {"to_plan_uid", i.to_plan_uid},
                         {"from_date", i.from_date},
                         {"to_date", i.to_date},
                         {"days", i.days},
                         {"min_months", i.months},
                         {"earliest_date", i.earliest_date},
                         {"margin_days", i.margin_days},
                         {"passed", i.passed},
                         {"source", i.source}});
  doc["course_intervals"] = intervals;
  doc["lesions"] = json::array();
  doc["notes"] = r.notes;
  doc["warnings"] = r.warnings;
  doc["seconds"] = r.seconds;
  return doc;
}

std::string format_history_json(const HistoryReport& r) { return history_json_document(r).dump(2) + "\n"; }

std::string format_structures_cumulative_csv(const HistoryReport& r) {
  std::string out =
      "structure,roi_number,category,alpha_beta_gy,dose,course,date,fractions,physical_max_gy,physical_d0_035cc_gy,"
      "eqd2_max_gy,eqd2_d0_035cc_gy,outside_grid_cc\n";
  for (const auto& s : r.structures) {
    const std::string head = fmt::format("{},{},{},{}", csv_cell(s.name), s.roi_number, s.category, num(s.alpha_beta_gy, 2));
    out += fmt::format("{},cumulative,,,,{},{},{},{},\n", head, num(s.cumulative_physical.max_gy),
                       num(s.cumulative_physical.d0_035cc_gy), num(s.cumulative_eqd2.max_gy),
                       num(s.cumulative_eqd2.d0_035cc_gy));
    for (std::size_t c = 0; c < s.per_course.size() && c < r.courses.size(); ++c) {
      const auto& d = s.per_course[c];
      out += fmt::format("{},{},{},{},{},{},{},{},{},{:.3f}\n", head, csv_cell(d.plan_uid), c + 1, r.courses[c].date,
                         r.courses[c].fractions, num(d.max_gy), num(d.d0_035cc_gy), num(d.eqd2_max_gy),
                         num(d.eqd2_d0_035cc_gy), d.outside_grid_cc);
    }
  }
  return out;
}

std::string format_history_summary(const HistoryReport& r) {
  std::string out;
  for (std::size_t c = 0; c < r.courses.size(); ++c) {
    const auto& k = r.courses[c];
    out += fmt::format("  course {} {} plan {} ({} fx){}: {}", c + 1, k.date, k.plan_uid, k.fractions,
                       c == r.reference_course ? " [reference]" : "", k.registration.method);
    if (c != r.reference_course)
      out += fmt::format(", {:.2f} deg, {:.2f} mm", k.to_reference.angle_deg(),
                         std::sqrt(k.to_reference.translation_mm.x * k.to_reference.translation_mm.x +
                                   k.to_reference.translation_mm.y * k.to_reference.translation_mm.y +
                                   k.to_reference.translation_mm.z * k.to_reference.translation_mm.z));
    if (k.registration.correlation) out += fmt::format(", CT r = {:.3f}", *k.registration.correlation);
    if (k.registration.poor) out += " (POOR)";
    out += "\n";
  }
  for (const auto& s : r.studies) {
    out += fmt::format("  study {} {} {}: {}", s.date, s.modality, s.series_uid,
                       s.placed ? s.registration.method : std::string("not placed"));
    if (s.placed && s.registration.correlation) out += fmt::format(", CT r = {:.3f}", *s.registration.correlation);
    if (s.registration.poor) out += " (POOR)";
    out += "\n";
  }
  out += fmt::format("  {:<24} {:>6} {:>12} {:>12} {:>12}\n", "structure", "a/b", "phys max Gy", "EQD2 max Gy",
                     "EQD2 D0.035cc");
  for (const auto& s : r.structures) {
    if (!s.alpha_beta_gy) continue;
    out += fmt::format("  {:<24} {:>6} {:>12} {:>12} {:>12}\n", s.name, num(s.alpha_beta_gy, 1),
                       num(s.cumulative_physical.max_gy, 2), num(s.cumulative_eqd2.max_gy, 2),
                       num(s.cumulative_eqd2.d0_035cc_gy, 2));
  }
  for (const auto& l : r.limits) {
    if (l.structure.empty()) continue;
    out += fmt::format("  limit {} {}{} {}{}: {} Gy {} {} Gy, margin {} Gy: {}\n", l.structure, to_string(l.scope),
                       l.plan_uid.empty() ? "" : " (plan " + l.plan_uid + ")",
                       l.metric, l.eqd2_alpha_beta_gy ? fmt::format(" EQD2(a/b {:g})", *l.eqd2_alpha_beta_gy) : "",
                       num(l.value_gy, 2), l.comparison, num(l.limit_gy, 2), num(l.margin_gy, 2),
                       !l.passed ? "not evaluable" : *l.passed ? "pass" : "FAIL");
  }
  for (const auto& i : r.intervals)
    out += fmt::format("  interval {} -> {}: {} days (at least {} months: from {}): {}\n", i.from_date, i.to_date,
                       i.days, i.months, i.earliest_date, i.passed ? "pass" : "FAIL");
  return out;
}

}  // namespace sbrtkit
