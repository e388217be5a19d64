#include "sbrtkit/report/check_output.h"
#include "sbrtkit/io/csv.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sbrtkit/io/protocol_loader.h"
#include "sbrtkit/version.h"
#include "io/output_values.h"

namespace sbrtkit {
namespace {

using nlohmann::json;

std::string cell(const std::optional<double>& v, const char* pattern = "{:.4g}") {
  return v ? fmt::format(fmt::runtime(pattern), *v) : std::string("-");
}

}  // namespace

std::string format_check_table(const CheckResult& r) {
  const ComplianceReport& c = r.report;
  std::string out;
  out += fmt::format("PROTOCOL  {} {} ({})\n", c.protocol_id, c.protocol_version, c.protocol_name);
  out += fmt::format("SOURCE    {}\n", c.protocol_source);
  out += fmt::format("RTSTRUCT  {}\nRTDOSE    {}\n", r.inputs.rtstruct_file, r.inputs.rtdose_file);
  if (r.inputs.rtplan_file) out += fmt::format("RTPLAN    {}\n", *r.inputs.rtplan_file);
  out += fmt::format("FRACTIONS {}\n", c.plan_fractions ? std::to_string(*c.plan_fractions) + " (" +
                                                              r.inputs.fractions_source + ")"
                                                        : std::string("unknown"));
  out += fmt::format("RESULT    {}: {} pass, {} minor, {} major, {} not evaluable{}\n", to_string(c.overall), c.passed,
                     c.minor, c.major, c.not_evaluable,
                     c.missing_required.empty() ? std::string()
                                                : fmt::format("; {} required structure(s) missing",
                                                              c.missing_required.size()));
  if (c.eqd2_applied)
    out += fmt::format("EQD2      limits converted (default a/b {:g} Gy, protocol written for {} fx)\n",
                       c.eqd2_applied->alpha_beta_gy, c.eqd2_applied->reference_fractions);
  if (!c.attribution.empty()) out += "TARGETS   body attributed by " + c.attribution + "\n";
  out += "\n";
  out += fmt::format("{:<22} {:<18} {:<20} {:>10} {:>3} {:>9} {:>9} {:<6} {:<14} {}\n", "Structure", "Protocol name",
                     "Metric", "Value", "", "Limit", "Minor", "Unit", "Result", "Reason");
  for (const auto& row : c.rows) {
    out += fmt::format("{:<22} {:<18} {:<20} {:>10} {:>3} {:>9} {:>9} {:<6} {:<14} {}\n",
                       row.structure.empty() ? "(missing)" : row.structure, row.protocol_structure, row.metric,
                       cell(row.value), row.comparison, cell(row.limit), cell(row.minor_limit), row.unit,
                       std::string(to_string(row.result)) + (row.unconfirmed ? " *" : ""), row.reason);
  }
  bool any_unconfirmed = false;
  for (const auto& row : c.rows) any_unconfirmed |= row.unconfirmed;
  if (any_unconfirmed) out += "\n* limit marked unconfirmed in the protocol file: verify before clinical use\n";
  std::vector<std::string> notes = r.inputs.notes;
  notes.insert(notes.end(), c.notes.begin(), c.notes.end());
  if (!notes.empty()) {
    out += "\nnotes:\n";
    for (const auto& n : notes) out += "  " + n + "\n";
  }
  std::vector<std::string> warnings = r.inputs.warnings;
  warnings.insert(warnings.end(), c.warnings.begin(), c.warnings.end());
  if (!warnings.empty()) {
    out += "\nwarnings:\n";
    for (const auto& w : warnings) out += "  " + w + "\n";
  }
  return out;
}

std::string format_check_json(const CheckResult& r) {
  const ComplianceReport& c = r.report;
  json j;
  j["schema"] = "sbrtkit-check/1";
  j["sbrtkit_version"] = kVersion;
  j["inputs"] = {{"rtstruct", r.inputs.rtstruct_file},
                 {"rtdose", r.inputs.rtdose_file},
                 {"rtplan", r.inputs.rtplan_file ? json(*r.inputs.rtplan_file) : json(nullptr)}};
  j["protocol"] = {{"id", c.protocol_id},         {"name", c.protocol_name}, {"version", c.protocol_version},
                   {"source", c.protocol_source}, {"file", r.protocol.file}, {"fractions", c.protocol_fractions}};
  j["plan"] = {{"fractions", c.plan_fractions ? json(*c.plan_fractions) : json(nullptr)},
               {"fractions_source", r.inputs.fractions_source},
               {"prescription_gy", json_number(r.inputs.prescription_gy)},
               {"prescription_source", r.inputs.prescription_source}};
  j["summary"] = {{"result", to_string(c.overall)},
                  {"pass", c.passed},
                  {"minor", c.minor},
                  {"major", c.major},
                  {"not_evaluable", c.not_evaluable},
                  {"missing_required", c.missing_required}};
  j["eqd2"] = c.eqd2_applied ? json{{"alpha_beta_gy", c.eqd2_applied->alpha_beta_gy},
                                    {"reference_fractions", c.eqd2_applied->reference_fractions}}
                             : json(nullptr);
  j["attribution"] = c.attribution.empty() ? json(nullptr) : json(c.attribution);
  json rows = json::array();
  for (const auto& row : c.rows) {
    rows.push_back({{"structure", row.structure.empty() ? json(nullptr) : json(row.structure)},
                    {"roi_number", row.roi_number ? json(row.roi_number) : json(nullptr)},
                    {"protocol_structure", row.protocol_structure},
                    {"from", row.from},
                    {"matched_by", row.matched_by.empty() ? json(nullptr) : json(row.matched_by)},
                    {"role", row.role},
                    {"required", row.required},
                    {"constraint", row.constraint},
                    {"metric", row.metric},
                    {"unit", row.unit},
                    {"value", json_number(row.value)},
                    {"comparison", row.comparison},
                    {"limit", json_number(row.limit)},
                    {"minor_limit", json_number(row.minor_limit)},
                    {"prescription_gy", json_number(row.prescription_gy)},
                    {"eqd2", row.eqd2},
                    {"result", to_string(row.result)},
                    {"reason", row.reason},
                    {"unconfirmed", row.unconfirmed}});
  }
  j["rows"] = rows;
  std::vector<std::string> notes = r.inputs.notes, warnings = r.inputs.warnings;
  notes.insert(notes.end(), c.notes.begin(), c.notes.end());
  warnings.insert(warnings.end(), c.warnings.begin(), c.warnings.end());
  j["notes"] = notes;
  j["warnings"] = warnings;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string format_check_csv(const CheckResult& r) {
  std::string out =
      "structure,roi_number,protocol_structure,from,metric,value,comparison,limit,minor_limit,unit,result,eqd2,"
      "unconfirmed,reason\n";
  for (const auto& row : r.report.rows)
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_cell(row.structure),
                       row.roi_number ? std::to_string(row.roi_number) : std::string(), csv_cell(row.protocol_structure),
                       csv_cell(row.from), csv_cell(row.metric), csv_number(row.value), row.comparison, csv_number(row.limit),
                       csv_number(row.minor_limit), row.unit, to_string(row.result), row.eqd2 ? "true" : "false",
                       row.unconfirmed ? "true" : "false", csv_cell(row.reason));
  return out;
}

}  // namespace sbrtkit
