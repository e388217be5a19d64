#include "sbrtkit/report/dvh_output.h"
#include "sbrtkit/io/csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sbrtkit/version.h"

namespace sbrtkit {
namespace {

std::string number(std::optional<double> value, int decimals) {
  return value ? fmt::format("{:.{}f}", *value, decimals) : std::string("-");
}

/// Volumes and doses are printed to 1e-3 (cc, Gy); cGy to 0.1 cGy; percentages to 0.01%.
int decimals_for(const std::string& key) {
  if (key.ends_with("[cGy]")) return 1;
  if (key.ends_with("[%]")) return 2;
  return 3;
}

}  // namespace

std::string format_dvh_table(const DvhReport& report) {
  std::string out;
  out += fmt::format("RTSTRUCT  {}\nRTDOSE    {}\n", report.rtstruct, report.rtdose);
  if (report.rtplan) out += fmt::format("RTPLAN    {}\n", *report.rtplan);
  out += report.prescription_gy
             ? fmt::format("Rx        {:g} Gy ({})\n", *report.prescription_gy, report.prescription_source)
             : std::string("Rx        none (relative metrics need --rx or an RTPLAN)\n");
  for (const auto& n : report.notes) out += "note: " + n + "\n";
  out += "\n";

  std::size_t name_width = 9;
  for (const auto& s : report.structures) name_width = std::max(name_width, s.name.size());
  out += fmt::format("{:>4}  {:<{}}  {:<8}  {:>8}  {:>6}", "ROI", "Structure", name_width, "Type", "Coverage",
                     "Rx[Gy]");
  std::vector<std::size_t> widths;
  if (!report.structures.empty())
    for (const auto& m : report.structures.front().metrics) {
      widths.push_back(std::max<std::size_t>(m.key.size(), 9));
      out += fmt::format("  {:>{}}", m.key, widths.back());
    }
  out += "\n";
  for (const auto& s : report.structures) {
    out += fmt::format("{:>4}  {:<{}}  {:<8}  {:>7.1f}%  {:>6}", s.roi_number, s.name, name_width,
                       s.interpreted_type, 100 * s.coverage,
                       s.prescription_gy ? fmt::format("{:g}", *s.prescription_gy) : std::string("-"));
    for (std::size_t m = 0; m < s.metrics.size(); ++m)
      out += fmt::format("  {:>{}}", number(s.metrics[m].value, decimals_for(s.metrics[m].key)), widths[m]);
    out += "\n";
  }
  bool any_warning = !report.warnings.empty();
  for (const auto& s : report.structures) any_warning |= !s.warnings.empty();
  if (any_warning) {
    out += "\nwarnings:\n";
    for (const auto& w : report.warnings) out += "  " + w + "\n";
    for (const auto& s : report.structures)
      for (const auto& w : s.warnings) out += fmt::format("  {} {}: {}\n", s.roi_number, s.name, w);
  }
  return out;
}

std::string format_dvh_json(const DvhReport& report) {
  using nlohmann::json;
  json root;
  root["sbrtkit_version"] = kVersion;
  root["inputs"] = {{"rtstruct", report.rtstruct},
                    {"rtdose", report.rtdose},
                    {"rtplan", report.rtplan ? json(*report.rtplan) : json(nullptr)}};
  root["prescription_gy"] = report.prescription_gy ? json(*report.prescription_gy) : json(nullptr);
  root["prescription_source"] = report.prescription_source.empty() ? json(nullptr) : json(report.prescription_source);
  json structures = json::array();
  for (const auto& s : report.structures) {
    json row;
    row["roi_number"] = s.roi_number;
    row["name"] = s.name;
    row["interpreted_type"] = s.interpreted_type;
    row["volume_cc"] = s.volume_cc;
    row["coverage"] = s.coverage;
    row["prescription_gy"] = s.prescription_gy ? json(*s.prescription_gy) : json(nullptr);
    row["prescription_source"] = s.prescription_source;
    json metrics = json::object();
    for (const auto& m : s.metrics) metrics[m.key] = m.value ? json(*m.value) : json(nullptr);
    row["metrics"] = metrics;
    if (!s.cumulative.empty()) {
      auto curve = [&](const std::vector<Dvh::Point>& points) {
        json dose = json::array(), volume = json::array(), percent = json::array();
        for (const auto& p : points) {
          dose.push_back(p.dose_gy);
          volume.push_back(p.volume_cc);
          percent.push_back(s.covered_volume_cc > 0 ? 100 * p.volume_cc / s.covered_volume_cc : 0.0);
        }
        return json{{"dose_gy", dose}, {"volume_cc", volume}, {"volume_pct", percent}};
      };
      row["dvh"] = curve(s.cumulative);
      row["dvh"]["differential"] = curve(s.differential);
    }
    row["warnings"] = s.warnings;
    structures.push_back(row);
  }
  root["structures"] = structures;
  root["notes"] = report.notes;
  root["warnings"] = report.warnings;
  return root.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string format_dvh_csv(const DvhReport& report) {
  std::string out = "roi_number,name,interpreted_type,volume_cc,coverage,prescription_gy";
  if (!report.structures.empty())
    for (const auto& m : report.structures.front().metrics) out += "," + csv_cell(m.key);
  out += ",warnings\n";
  for (const auto& s : report.structures) {
    out += fmt::format("{},{},{},{:.6f},{:.6f},{}", s.roi_number, csv_cell(s.name), csv_cell(s.interpreted_type),
                       s.volume_cc, s.coverage, s.prescription_gy ? fmt::format("{:g}", *s.prescription_gy) : "");
    for (const auto& m : s.metrics) out += "," + (m.value ? fmt::format("{:.6f}", *m.value) : std::string());
    std::string joined;
    for (const auto& w : s.warnings) joined += (joined.empty() ? "" : "; ") + w;
    out += "," + csv_cell(joined) + "\n";
  }
  return out;
}

}  // namespace sbrtkit
