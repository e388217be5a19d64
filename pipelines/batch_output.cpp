#include "batch_output.h"
#include "core/fnv1a64.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sbrtkit/version.h"
#include "io/output_values.h"

namespace sbrtkit {
namespace {

using nlohmann::json;

}  // namespace

std::string plan_json_name(const std::string& plan_key) {
  std::string name;
  bool changed = false;
  for (char c : plan_key) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '-' || c == '_';
    name += keep ? c : '_';
    changed |= !keep;
  }
  if (name.empty() || name.front() == '.') changed = true, name = "plan" + name;
  if (changed) name += fmt::format("-{:08x}", detail::fnv1a64(plan_key) & 0xffffffffu);
  return name + ".json";
}

std::string format_plan_json(const PlanResult& r, const std::filesystem::path& root) {
  const PlanJob& j = r.job;
  json out;
  out["schema"] = "sbrtkit-batch-plan/1";
  out["sbrtkit_version"] = kVersion;
  out["plan"] = {{"key", j.key},
                 {"uid", j.plan_uid},
                 {"label", j.plan_label},
                 {"patient_id", j.patient_id},
                 {"patient_name", j.patient_name},
                 {"frame_of_reference_uid", j.frame_of_reference_uid}};
  json doses = json::array();
  for (const auto& d : j.rtdoses) doses.push_back(path_under(d, root));
  out["inputs"] = {{"rtplan", j.rtplan ? json(path_under(*j.rtplan, root)) : json(nullptr)},
                   {"rtstruct", j.rtstruct ? json(path_under(*j.rtstruct, root)) : json(nullptr)},
                   {"rtdoses", doses},
                   {"image_count", j.images.size()},
                   {"fingerprint", j.input_fingerprint}};
  out["status"] = to_string(r.status);
  out["error"] = r.status == PlanStatus::error ? json(r.error) : json(nullptr);
  out["protocol"] = {{"id", r.protocol_id}, {"version", r.protocol_version}};
  if (r.status == PlanStatus::evaluated)
    out["summary"] = {{"result", r.overall},
                      {"pass", r.passed},
                      {"minor", r.minor},
                      {"major", r.major},
                      {"not_evaluable", r.not_evaluable},
                      {"missing_required", r.missing_required},
                      {"fractions", r.fractions ? json(*r.fractions) : json(nullptr)},
                      {"prescription_gy", json_number(r.prescription_gy)}};
  else
    out["summary"] = nullptr;
  json structures = json::array();
  for (const auto& s : r.structures) {
    json metrics = json::object();
    for (const auto& m : s.metrics) metrics[m.key] = json_number(m.value);
    structures.push_back({{"roi_number", s.roi_number},
                          {"name", s.name},
                          {"interpreted_type", s.interpreted_type},
                          {"volume_cc", s.volume_cc},
                          {"coverage", s.coverage},
                          {"prescription_gy", json_number(s.prescription_gy)},
                          {"metrics", metrics}});
  }
  out["structures"] = structures;
  out["check"] = r.check_json.empty() ? json(nullptr) : json::parse(r.check_json, nullptr, false);
  out["notes"] = r.notes;
  out["warnings"] = r.warnings;
  out["seconds"] = r.seconds;
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string format_summary_json(const BatchSummary& s, const BatchOptions& o, const BatchEvaluator& e) {
  json unreadable = json::array();
  for (const auto& u : s.unreadable) unreadable.push_back(u.message());
  json out = {{"schema", "sbrtkit-batch-run/1"},
              {"sbrtkit_version", kVersion},
              {"root", o.root.string()},
              {"protocol", {{"id", e.protocol_id}, {"version", e.protocol_version}, {"asked", o.protocol}}},
              {"shard", fmt::format("{}/{}", o.shard.index, o.shard.count)},
              {"force", o.force},
              {"jobs", s.jobs},
              {"plans", {{"discovered", s.discovered},
                         {"in_shard", s.in_shard},
                         {"skipped", s.skipped},
                         {"evaluated", s.evaluated},
                         {"removed", s.removed},
                         {"failed", s.failed},
                         {"major", s.major}}},
              {"files", {{"dicom", s.dicom_files}, {"non_dicom", s.non_dicom_files}, {"unreadable", unreadable}}},
              {"discovery_seconds", s.discovery_s},
              {"seconds", s.seconds}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sbrtkit
