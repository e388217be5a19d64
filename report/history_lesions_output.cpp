// lesions_history.csv, the lesion sections of history.json and the terminal lines of the lesion side of
// `sbrtkit history`.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "report/history_json.h"
#include "report/history_lesions_json.h"
#include "sbrtkit/io/csv.h"
#include "sbrtkit/report/history_lesions_output.h"

namespace sbrtkit {
namespace {

using nlohmann::json;

json opt(std::optional<double> v) { return v ? json(*v) : json(nullptr); }
json opt_int(std::optional<int> v) { return v ? json(*v) : json(nullptr); }
json opt_date(const std::optional<CalendarDate>& d) { return d ? json(to_iso(*d)) : json(nullptr); }
json point(PatientPoint p) { return json::array({p.x, p.y, p.z}); }
std::string num(std::optional<double> v, int digits = 3) { return v ? fmt::format("{:.{}f}", *v, digits) : ""; }

std::string treated_by_text(const HistoryLesions& h, const LesionTrack& t, const char* sep) {
  std::string s;
  for (int c : t.treated_by) s += (s.empty() ? "" : sep) + h.course_plan_uids[std::size_t(c)];
  return s;
}

json outcome_json(const HistoryLesions& h, const LesionCourseOutcome& o, const LesionDoseSummary& d) {
  const auto c = std::size_t(o.course);
  return {{"plan_uid", h.course_plan_uids[c]},
          {"treated", o.treated},
          {"treated_rule", o.treated_rule},
          {"eqd2_d98_gy", opt(d.course_eqd2_d98_gy[c])},
          {"eqd2_mean_gy", opt(d.course_eqd2_mean_gy[c])},
          {"outcome", outcome_name(o.outcome)},
          {"failure_date", opt_date(o.failure_date)},
          {"days_to_failure", opt_int(o.days_to_failure)},
          {"days_followed", opt_int(o.days_followed)},
          {"censored_at", opt_date(o.censored_at)},
          {"location_rule", o.location_rule},
          {"note", o.note}};
}

}  // namespace

json history_lesion_sections(const HistoryLesions& h) {
  json lesions = json::array();
  for (std::size_t n = 0; n < h.history.lesions.size(); ++n) {
    const LesionTrack& t = h.history.lesions[n];
    const LesionDoseSummary& d = h.dose[n];
    json timeline = json::array();
    for (const auto& a : t.timeline)
      timeline.push_back({{"study_series_uid", h.study_series_uids[std::size_t(a.study)]},
                          {"date", to_iso(a.date)},
                          {"suvmax", a.suv_max},
                          {"suvpeak", a.suv_peak},
                          {"mtv_ml", a.mtv_ml},
                          {"tlg", a.tlg},
                          {"centroid_mm", point(a.centroid)},
                          {"change", a.change},
                          {"progressing", a.progressing}});
    json treated = json::array();
    for (int c : t.treated_by) treated.push_back(h.course_plan_uids[std::size_t(c)]);
    json per_course = json::array();
    for (const auto& o : t.outcomes) per_course.push_back(outcome_json(h, o, d));
    const LesionCourseOutcome* head = headline_outcome(t);
    lesions.push_back({{"id", t.id},
                       {"centre_mm", point(d.centre_mm)},
                       {"dose_study_series_uid", h.study_series_uids[std::size_t(d.study)]},
                       {"split_from", t.split_from ? json(*t.split_from) : json(nullptr)},
                       {"merged_into", t.merged_into ? json(*t.merged_into) : json(nullptr)},
                       {"timeline", timeline},
                       {"treated_by", treated},
                       {"cumulative_eqd2_d98_gy", opt(d.cumulative_eqd2_d98_gy)},
                       {"cumulative_eqd2_mean_gy", opt(d.cumulative_eqd2_mean_gy)},
                       {"eqd2_alpha_beta_gy", h.alpha_beta_gy},
                       {"outcome", head ? json(outcome_name(head->outcome)) : json(nullptr)},
                       {"outcome_plan_uid", head ? json(h.course_plan_uids[std::size_t(head->course)]) : json(nullptr)},
                       {"failure_date", head ? opt_date(head->failure_date) : json(nullptr)},
                       {"days_to_failure", head ? opt_int(head->days_to_failure) : json(nullptr)},
                       {"per_course", per_course}});
  }
  json lineage = json::array();
  for (const auto& e : h.history.lineage)
    lineage.push_back({{"kind", lineage_name(e.kind)},
                       {"study_series_uid", h.study_series_uids[std::size_t(e.study)]},
                       {"from", e.from},
                       {"to", e.to}});
  json courses = json::array();
  for (const auto& c : h.history.courses)
    courses.push_back({{"plan_uid", h.course_plan_uids[std::size_t(c.course)]},
                       {"planning_study_series_uid",
                        c.planning_study ? json(h.study_series_uids[std::size_t(*c.planning_study)]) : json(nullptr)},
                       {"progression_date", opt_date(c.progression_date)},
                       {"days_to_progression", opt_int(c.days_to_progression)},
                       {"censored", c.censored},
                       {"censored_at", opt_date(c.censored_at)},
                       {"days_followed", opt_int(c.days_followed)},
                       {"percist_call", c.percist_call},
                       {"ppp_call", c.ppp_call},
                       {"days_to_ppp_by_imaging", opt_int(c.days_to_ppp)}});
  json studies = json::array();
  for (const auto& s : h.history.studies)
    studies.push_back({{"study_series_uid", h.study_series_uids[std::size_t(s.study)]},
                       {"date", to_iso(s.date)},
                       {"lesions", s.lesions},
                       {"assessed", s.assessed},
                       {"progressing", s.progressing},
                       {"new_lesions", s.new_lesions},
                       {"percist_progression", s.percist_progression},
                       {"ppp_by_imaging", s.ppp_by_imaging},
                       {"ppp_call", s.ppp_call},
                       {"progression_pattern", !s.assessed              ? "not_assessed"
                                               : s.polyprogression      ? "polyprogression"
                                               : s.oligoprogression     ? "oligoprogression"
                                                                        : "no_progression"},
                       {"oligo_call", s.oligo_call}});
  json notes = json::array();
  for (const auto& n : h.notes) notes.push_back(n);
  return {{"lesions", lesions},
          {"lesion_lineage", lineage},
          {"patient_events", {{"courses", courses}, {"studies", studies}}},
          {"lesion_rules", h.rules_text},
          {"lesion_notes", notes},
          {"lesion_seconds", h.seconds}};
}

std::string format_history_json_with_lesions(const HistoryReport& report, const HistoryLesions& lesions) {
  json doc = history_json_document(report);
  const json sections = history_lesion_sections(lesions);  // a named object: items() must not outlive it
  for (const auto& [key, value] : sections.items()) doc[key] = value;
  for (const auto& w : lesions.warnings) doc["warnings"].push_back(w);
  return doc.dump(2) + "\n";
}

std::string format_lesions_history_csv(const HistoryLesions& h) {
  std::string out =
      "lesion_id,study_series_uid,study_date,centroid_x_mm,centroid_y_mm,centroid_z_mm,suv_max,suv_peak,mtv_ml,tlg,"
      "change,progressing,split_from,merged_into,treated_by,cumulative_eqd2_d98_gy,outcome,failure_date,"
      "days_to_failure\n";
  for (std::size_t n = 0; n < h.history.lesions.size(); ++n) {
    const LesionTrack& t = h.history.lesions[n];
    const LesionCourseOutcome* head = headline_outcome(t);
    for (const auto& a : t.timeline)
      out += fmt::format("{},{},{},{:.2f},{:.2f},{:.2f},{:.4f},{:.4f},{:.4f},{:.4f},{},{},{},{},{},{},{},{},{}\n",
                         csv_cell(t.id), csv_cell(h.study_series_uids[std::size_t(a.study)]), to_iso(a.date),
                         a.centroid.x, a.centroid.y, a.centroid.z, a.suv_max, a.suv_peak, a.mtv_ml, a.tlg,
                         csv_cell(a.change), a.progressing ? "yes" : "no", csv_cell(t.split_from.value_or("")),
                         csv_cell(t.merged_into.value_or("")), csv_cell(treated_by_text(h, t, ";")),
                         num(h.dose[n].cumulative_eqd2_d98_gy, 2), head ? outcome_name(head->outcome) : "",
                         head && head->failure_date ? to_iso(*head->failure_date) : "",
                         head && head->days_to_failure ? std::to_string(*head->days_to_failure) : "");
  }
  return out;
}

std::string format_history_lesions_summary(const HistoryLesions& h) {
  std::string out = fmt::format("  lesions over {} PET studies: {}\n", h.studies.size(), h.history.lesions.size());
  for (std::size_t n = 0; n < h.history.lesions.size(); ++n) {
    const LesionTrack& t = h.history.lesions[n];
    const LesionCourseOutcome* head = headline_outcome(t);
    std::string treated;
    for (int c : t.treated_by) treated += (treated.empty() ? "course " : ", ") + std::to_string(c + 1);
    out += fmt::format("  {:<5} seen {}x  {:<12} EQD2 D98 {:>7} Gy  {}{}\n", t.id, t.timeline.size(),
                       treated.empty() ? "untreated" : treated, num(h.dose[n].cumulative_eqd2_d98_gy, 1),
                       head ? outcome_name(head->outcome) : "-",
                       head && head->days_to_failure ? fmt::format(" at {} d", *head->days_to_failure) : "");
  }
  for (const auto& c : h.history.courses)
    out += fmt::format("  course {}: {}\n", c.course + 1,
                       c.progression_date ? fmt::format("progression {} ({} d)", to_iso(*c.progression_date),
                                                        *c.days_to_progression)
                       : c.censored       ? fmt::format("no progression, censored {} ({} d)", to_iso(*c.censored_at),
                                                        *c.days_followed)
                                          : std::string("no PET after it"));
  return out;
}

}  // namespace sbrtkit
