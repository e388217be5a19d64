// Layout of the plan report: one HTML page with inline CSS, inline SVG and PNG data URIs only.
#include <fmt/format.h>

#include <string>

#include "io/png_writer.h"
#include "report/html_text.h"
#include "sbrtkit/report/dvh_plot.h"
#include "sbrtkit/report/html_report.h"
#include "sbrtkit/version.h"

namespace sbrtkit {
namespace {

constexpr const char* kStyle = R"css(
body { font-family: sans-serif; margin: 24px; color: #222; background: #fafafa; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 12px 0; }
h2 { font-size: 18px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 28px; }
h3 { font-size: 15px; margin: 18px 0 6px 0; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.facts th { width: 150px; }
.verdict { display: inline-block; padding: 4px 12px; border-radius: 4px; font-weight: bold; color: #fff; }
.verdict.pass { background: #2e7d32; color: #fff; }
.verdict.minor { background: #f9a825; color: #222; }
.verdict.major { background: #c62828; color: #fff; }
.verdict.not-evaluable { background: #9e9e9e; color: #fff; }
.verdict.none { background: #607d8b; color: #fff; }
tr.pass td.result, tr.minor td.result, tr.major td.result, tr.not-evaluable td.result { font-weight: bold; }
tr.pass td { background: #e8f5e9; } tr.minor td { background: #fff8e1; }
tr.major td { background: #ffebee; } tr.not-evaluable td { background: #f0f0f0; }
tr.pass td.result { background: #2e7d32; color: #fff; } tr.minor td.result { background: #f9a825; }
tr.major td.result { background: #c62828; color: #fff; } tr.not-evaluable td.result { background: #9e9e9e; color: #fff; }
.swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #555; vertical-align: middle; margin-right: 4px; }
.slices { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; }
figure.slice .frame { display: grid; grid-template-columns: 18px auto 18px; grid-template-rows: 18px auto 18px;
  align-items: center; justify-items: center; background: #111; color: #ffeb3b; font-weight: bold; font-size: 13px; }
figure.slice img { display: block; grid-column: 2; grid-row: 2; }
.ori-top { grid-column: 2; grid-row: 1; } .ori-bottom { grid-column: 2; grid-row: 3; }
.ori-left { grid-column: 1; grid-row: 2; } .ori-right { grid-column: 3; grid-row: 2; }
figcaption { font-size: 12px; color: #444; margin-top: 4px; }
.legend { font-size: 12px; margin: 6px 0 0 0; display: flex; flex-wrap: wrap; gap: 14px; align-items: center; }
.line { display: inline-block; width: 26px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 4px; }
.colourbar { display: inline-block; width: 160px; height: 12px; vertical-align: middle; border: 1px solid #555;
  background: linear-gradient(to right, rgb(0,0,255), rgb(0,255,255), rgb(0,255,0), rgb(255,255,0), rgb(255,0,0)); }
.small { font-size: 12px; color: #555; }
ul.messages { font-size: 13px; }
)css";

std::string e(const std::string& s) { return html_escape(s); }
std::string css(Rgb c) { return fmt::format("rgb({},{},{})", c.r, c.g, c.b); }
std::string gy(const std::optional<double>& v) { return v ? fmt::format("{:.4g} Gy", *v) : std::string("—"); }
std::string num(const std::optional<double>& v, int decimals = 2) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : std::string("—");
}
/// DICOM person name "FAMILY^GIVEN^MIDDLE" for reading.
std::string person_name(std::string pn) {
  std::string out;
  std::size_t part = 0, start = 0;
  while (start <= pn.size()) {
    const std::size_t end = std::min(pn.find('^', start), pn.size());
    const std::string piece = pn.substr(start, end - start);
    if (!piece.empty()) out += (out.empty() ? "" : part == 1 ? ", " : " ") + piece;
    ++part;
    start = end + 1;
  }
  return out;
}
std::string level_class(ComplianceLevel level) {
  switch (level) {
    case ComplianceLevel::pass: return "pass";
    case ComplianceLevel::minor: return "minor";
    case ComplianceLevel::major: return "major";
    case ComplianceLevel::not_evaluable: return "not-evaluable";
  }
  return "not-evaluable";
}
std::string comparison_symbol(const std::string& c) {
  if (c == "<=") return "≤";
  if (c == ">=") return "≥";
  return c;
}

void header(std::string& h, const ReportContent& c) {
  h += "<header>\n<h1>SBRT plan report";
  if (!c.plan_label.empty()) h += " — " + e(c.plan_label);
  h += "</h1>\n<table class=\"facts\">\n";
  auto row = [&](const std::string& key, const std::string& value_html) {
    h += "<tr><th>" + key + "</th><td>" + value_html + "</td></tr>\n";
  };
  std::string patient = c.patient_name.empty() ? "—" : e(person_name(c.patient_name));
  if (!c.patient_id.empty()) patient += " (ID " + e(c.patient_id) + ")";
  row("Patient", patient);
  std::string plan = c.plan_label.empty() ? "—" : e(c.plan_label);
  if (!c.plan_name.empty() && c.plan_name != c.plan_label) plan += " / " + e(c.plan_name);
  if (!c.plan_uid.empty()) plan += " <span class=\"small\">" + e(c.plan_uid) + "</span>";
  row("Plan", plan);
  std::string rx;
  if (c.prescriptions.empty()) {
    rx = c.plan_prescription_gy ? gy(c.plan_prescription_gy) + " (" + e(c.prescription_source) + ")" : "none";
  } else {
    for (const auto& p : c.prescriptions)
      rx += (rx.empty() ? "" : "<br>") + e(p.target) + ": " + fmt::format("{:.4g} Gy", p.dose_gy) +
            (p.source.empty() ? "" : " <span class=\"small\">(" + e(p.source) + ")</span>");
  }
  row("Prescription", rx);
  row("Fractions", c.fractions ? fmt::format("{}", *c.fractions) + (c.fractions_source.empty() ? "" : " (" + e(c.fractions_source) + ")")
                               : std::string("unknown"));
  if (c.compliance) {
    const auto& r = *c.compliance;
    row("Protocol", e(r.protocol_name) + " <span class=\"small\">(" + e(r.protocol_id) + " " + e(r.protocol_version) +
                        ")</span>");
    row("Verdict", fmt::format("<span class=\"verdict {}\" id=\"verdict\">{}</span> {} pass, {} minor, {} major, {} not "
                               "evaluable",
                               level_class(r.overall), e(to_string(r.overall)), r.passed, r.minor, r.major,
                               r.not_evaluable));
  } else {
    row("Protocol", "none (run with <code>--protocol</code> for the constraint table and a verdict)");
    row("Verdict", "<span class=\"verdict none\" id=\"verdict\">not checked</span>");
  }
  h += "</table>\n</header>\n";
}

void compliance(std::string& h, const ComplianceReport& r) {
  h += "<section id=\"constraints\">\n<h2>Protocol constraints</h2>\n";
  h += "<p class=\"small\">" + e(r.protocol_name) + " " + e(r.protocol_version);
  if (!r.protocol_source.empty()) h += " — " + e(r.protocol_source);
  h += "</p>\n";
  if (!r.missing_required.empty()) {
    h += "<p><span class=\"verdict major\">missing required structures</span> ";
    for (std::size_t k = 0; k < r.missing_required.size(); ++k) h += (k ? ", " : "") + e(r.missing_required[k]);
    h += "</p>\n";
  }
  h += "<table class=\"constraints\">\n<tr><th>Protocol structure</th><th>Plan ROI</th><th>Constraint</th>"
       "<th>Value</th><th>Limit</th><th>Minor limit</th><th>Result</th><th>Notes</th></tr>\n";
  for (const auto& row : r.rows) {
    const std::string unit = row.unit.empty() ? "" : " " + row.unit;
    auto with_unit = [&](const std::optional<double>& v) {
      return v ? fmt::format("{:.4g}", *v) + e(unit) : std::string("—");
    };
    std::string notes = e(row.reason);
    if (row.eqd2) notes += (notes.empty() ? "" : "; ") + std::string("EQD2");
    if (row.unconfirmed) notes += (notes.empty() ? "" : "; ") + std::string("limit not confirmed against its source");
    h += fmt::format(
        "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} {}</td>"
        "<td class=\"num\">{}</td><td class=\"result\">{}</td><td>{}</td></tr>\n",
        level_class(row.result), e(row.protocol_structure), row.structure.empty() ? "<i>missing</i>" : e(row.structure),
        e(row.constraint), with_unit(row.value), e(comparison_symbol(row.comparison)), with_unit(row.limit),
        row.minor_limit ? with_unit(row.minor_limit) : "", e(to_string(row.result)), notes);
  }
  h += "</table>\n";
  if (r.eqd2_applied)
    h += fmt::format("<p class=\"small\">Plan fractionation differs from the protocol's: values and limits compared as "
                     "EQD2 (α/β {:g} Gy unless the structure has its own).</p>\n",
                     r.eqd2_applied->alpha_beta_gy);
  h += "</section>\n";
}

void structures_table(std::string& h, const ReportContent& c) {
  h += "<section id=\"dvh-metrics\">\n<h2>DVH metrics</h2>\n<table class=\"metrics\">\n<tr><th>ROI</th><th>Structure</th>"
       "<th>Type</th><th>Volume [cc]</th><th>In dose grid</th><th>Rx [Gy]</th>";
  for (const auto& m : c.metric_names) h += "<th>" + e(m) + "</th>";
  h += "</tr>\n";
  for (const auto& s : c.structures) {
    h += fmt::format("<tr><td class=\"num\">{}</td><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td>"
                     "<td>{}</td><td class=\"num\">{:.3f}</td><td class=\"num\">{:.1f}%</td><td class=\"num\">{}</td>",
                     s.roi_number, css(s.colour), e(s.name), e(s.interpreted_type), s.volume_cc, 100 * s.coverage,
                     s.prescription_gy ? fmt::format("{:g}", *s.prescription_gy) : "—");
    for (const auto& v : s.metrics) h += "<td class=\"num\">" + num(v) + "</td>";
    h += "</tr>\n";
  }
  h += "</table>\n</section>\n";
}

/// `png_base64[k]` is the encoded picture of t.figures[k].
void target_section(std::string& h, const ReportTarget& t, const std::vector<std::string>& png_base64) {
  h += "<section class=\"target\">\n<h3>" + e(t.name);
  if (t.prescription_gy) h += fmt::format(" — Rx {:.4g} Gy", *t.prescription_gy);
  h += fmt::format("</h3>\n<p class=\"small\">Slices through the centroid ({:.1f}, {:.1f}, {:.1f}) mm (DICOM patient "
                   "coordinates); field {:.0f} mm, {:.2f} mm per pixel; scale bar {:g} mm.</p>\n",
                   t.centre.x, t.centre.y, t.centre.z, t.field_mm, t.pixel_mm, t.scale_bar_mm);
  h += "<div class=\"slices\">\n";
  for (std::size_t k = 0; k < t.figures.size(); ++k) {
    const ReportFigure& f = t.figures[k];
    h += "<figure class=\"slice\">\n<div class=\"frame\">";
    h += "<span class=\"ori-top\">" + e(f.top) + "</span><span class=\"ori-left\">" + e(f.left) + "</span>";
    h += fmt::format("<img src=\"data:image/png;base64,{}\" width=\"{}\" height=\"{}\" alt=\"{} slice through {}\">",
                     png_base64[k], f.image.width, f.image.height, e(f.view), e(t.name));
    h += "<span class=\"ori-right\">" + e(f.right) + "</span><span class=\"ori-bottom\">" + e(f.bottom) + "</span>";
    h += "</div>\n<figcaption>" + e(f.caption) + "</figcaption>\n</figure>\n";
  }
  h += "</div>\n<div class=\"legend\">";
  for (const auto& i : t.isodoses)
    h += fmt::format("<span><span class=\"line\" style=\"border-color:{}\"></span>isodose {}</span>", css(i.colour),
                     e(i.label));
  h += fmt::format("<span>dose wash {:.3g} Gy <span class=\"colourbar\"></span> {:.3g} Gy</span>", t.wash_min_gy,
                   t.wash_max_gy);
  h += "<span>outlines in ROI colours (see the structures table)</span></div>\n</section>\n";
}

}  // namespace

Expected<std::string> format_report_html(const ReportContent& c) {
  // Pictures first: an encoding failure is an error before any of the page exists.
  std::vector<std::vector<std::string>> pictures;
  for (const auto& t : c.targets) {
    auto& encoded = pictures.emplace_back();
    for (const auto& f : t.figures) {
      auto png = encode_png(f.image);
      if (!png) return png.error();
      encoded.push_back(base64_encode(*png));
    }
  }
  auto dvh = dvh_png(c.dvh_plot);
  if (!dvh) return dvh.error();
  const DvhPlotFrame dvh_frame = dvh_plot_frame(c.dvh_plot);
  std::string h;
  h.reserve(1 << 20);
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<meta name=\"generator\" content=\"sbrtkit " + std::string(kVersion) + "\">\n";
  h += "<title>SBRT plan report" + (c.plan_label.empty() ? std::string() : " — " + e(c.plan_label)) + "</title>\n";
  h += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  header(h, c);

  h += "<section id=\"dvh\">\n<h2>Dose-volume histograms</h2>\n<figure>\n";
  std::string names;
  for (const auto& s : c.dvh_plot.series) names += (names.empty() ? "" : ", ") + s.name;
  h += fmt::format("<img class=\"dvh-plot\" src=\"data:image/png;base64,{}\" width=\"{:.0f}\" height=\"{:.0f}\" "
                   "data-curves=\"{}\" alt=\"Cumulative dose-volume histograms of {}\">\n",
                   base64_encode(*dvh), dvh_frame.width_px, dvh_frame.height_px, c.dvh_plot.series.size(), e(names));
  h += "<figcaption>Cumulative DVHs, volume in % of each structure's volume inside the dose grid; red dashed "
       "lines: prescriptions. Colours from a colour-blind-safe palette (Tol muted), targets solid, organs at risk "
       "dashed.</figcaption>\n</figure>\n</section>\n";

  if (c.compliance) compliance(h, *c.compliance);

  h += "<section id=\"targets\">\n<h2>Targets</h2>\n";
  if (c.targets.empty()) h += "<p>No target (PTV) found in the structure set.</p>\n";
  h += "<p class=\"small\">Radiological convention: axial seen from the feet (patient left on image right), coronal "
       "seen from the front, sagittal seen from the patient's left; head up. Letters give the patient direction at "
       "each edge.</p>\n";
  for (std::size_t k = 0; k < c.targets.size(); ++k) target_section(h, c.targets[k], pictures[k]);
  h += "</section>\n";

  structures_table(h, c);

  h += "<section id=\"notes\">\n<h2>Inputs and notes</h2>\n<table class=\"facts\">\n";
  h += "<tr><th>RTSTRUCT</th><td>" + e(c.rtstruct_file) + "</td></tr>\n";
  h += "<tr><th>RTDOSE</th><td>" + e(c.rtdose_file) + "</td></tr>\n";
  h += "<tr><th>RTPLAN</th><td>" + (c.rtplan_file.empty() ? std::string("—") : e(c.rtplan_file)) + "</td></tr>\n";
  h += "<tr><th>CT</th><td>" + (c.ct_description.empty() ? std::string("—") : e(c.ct_description)) + "</td></tr>\n";
  h += "</table>\n";
  std::vector<std::string> notes = c.notes, warnings = c.warnings;
  for (const auto& s : c.structures)
    for (const auto& w : s.warnings) warnings.push_back(fmt::format("ROI {} {}: {}", s.roi_number, s.name, w));
  if (c.compliance) {
    if (!c.compliance->attribution.empty()) notes.push_back("protocol check: " + c.compliance->attribution);
    for (const auto& n : c.compliance->notes) notes.push_back("protocol check: " + n);
    for (const auto& w : c.compliance->warnings) warnings.push_back("protocol check: " + w);
  }
  if (!notes.empty()) {
    h += "<h3>Notes</h3>\n<ul class=\"messages\">\n";
    for (const auto& n : notes) h += "<li>" + e(n) + "</li>\n";
    h += "</ul>\n";
  }
  if (!warnings.empty()) {
    h += "<h3>Warnings</h3>\n<ul class=\"messages\">\n";
    for (const auto& w : warnings) h += "<li>" + e(w) + "</li>\n";
    h += "</ul>\n";
  }
  h += "<p class=\"small\">Generated by sbrtkit " + std::string(kVersion) + ".</p>\n";
  h += "</section>\n</body>\n</html>\n";
  return h;
}

}  // namespace sbrtkit
