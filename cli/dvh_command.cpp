#include "dvh_command.h"

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "sbrtkit/report/dvh_output.h"
#include "sbrtkit/pipelines/dvh_report.h"

namespace sbrtkit::cli {
namespace {

struct DvhArguments {
  PlanSourceArguments source;
  std::string metrics, format = "table", output, end_cap = "half", between_planes = "slab";
  std::vector<std::string> rois;
  double curve_step_gy = 0.01;
  bool curves = false, require_full_coverage = false;
};

int run(const DvhArguments& a) {
  const PlanInputRequest source = a.source.request();
  DvhRequest request;
  copy_plan_source(source, request);
  request.rois = a.rois;
  request.metrics = split_list(a.metrics);
  request.engine.end_cap = a.end_cap == "none" ? EndCap::none : EndCap::half;
  request.engine.between_planes = a.between_planes == "shape" ? BetweenPlanes::shape : BetweenPlanes::slab;
  request.with_curves = a.curves;
  if (!(a.curve_step_gy > 0))
    return report_error("dvh", Error::bad_argument("--curve-step", "a positive dose step in Gy",
                                                   std::to_string(a.curve_step_gy)));
  request.curve_step_gy = a.curve_step_gy;
  request.require_full_coverage = a.require_full_coverage;

  auto report = run_dvh(request);
  if (!report) return report_error("dvh", report.error());
  const std::string text = a.format == "json" ? format_dvh_json(*report)
                           : a.format == "csv" ? format_dvh_csv(*report)
                                               : format_dvh_table(*report);
  if (a.format != "table" || !a.output.empty()) {
    // Machine-readable output keeps stdout clean; the person at the terminal still sees warnings.
    for (const auto& w : report->warnings) std::fprintf(stderr, "sbrtkit dvh: warning: %s\n", w.c_str());
    for (const auto& s : report->structures)
      for (const auto& w : s.warnings)
        std::fprintf(stderr, "sbrtkit dvh: warning: %d %s: %s\n", s.roi_number, s.name.c_str(), w.c_str());
  }
  return emit("dvh", a.output.empty() ? std::nullopt : std::optional<std::string>(a.output), text);
}

}  // namespace

void add_dvh_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DvhArguments>();
  CLI::App* cmd = app.add_subcommand("dvh", "DVHs and TG-263 metrics of every structure, from DICOM-RT");
  add_plan_source_options(cmd, args->source, "DIR", false);
  cmd->add_option("--roi", args->rois, "structure name or ROI number; repeat for several (default: all)");
  cmd->add_option("--metrics", args->metrics,
                  "comma-separated TG-263 metrics, e.g. \"D95%[Gy],V20Gy[cc],D0.03cc[Gy]\"");
  cmd->add_option("--format", args->format, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("-o,--output", args->output, "write to this file (atomically) instead of stdout");
  cmd->add_flag("--dvh-curves", args->curves, "include cumulative and differential DVH curves (json)");
  cmd->add_option("--curve-step", args->curve_step_gy, "dose step of the curves in Gy")->capture_default_str();
  cmd->add_option("--end-cap", args->end_cap, "extent beyond the outer contours: half (half a slice) or none")
      ->check(CLI::IsMember({"half", "none"}));
  cmd->add_option("--between-planes", args->between_planes,
                  "solid between contour planes: slab (each contour extruded half-way, as most planning "
                  "systems) or shape (interpolated signed distances, rounded end caps)")
      ->check(CLI::IsMember({"slab", "shape"}))
      ->capture_default_str();
  cmd->add_flag("--require-full-coverage", args->require_full_coverage,
                "fail when a structure extends outside the dose grid");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
