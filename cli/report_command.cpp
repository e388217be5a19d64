#include "report_command.h"

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "io/output_file.h"
#include "sbrtkit/pipelines/report.h"
#include "sbrtkit/report/html_report.h"

namespace sbrtkit::cli {
namespace {

struct ReportArguments {
  PlanSourceArguments source;
  std::string ct, protocol, output;
  double window_hu = 400, level_hu = 40, wash_pct = 10;
  int pixels = 320;
};

int run(const ReportArguments& a) {
  const PlanInputRequest source = a.source.request();
  ReportRequest request;
  copy_plan_source(source, request);
  request.fractions = source.fractions;
  if (!a.ct.empty()) request.ct_directory = a.ct;
  if (!a.protocol.empty()) request.protocol = a.protocol;
  request.window_width_hu = a.window_hu;
  request.window_level_hu = a.level_hu;
  request.wash_threshold_pct = a.wash_pct;
  request.slice_pixels = a.pixels;
  auto report = run_report(request);
  if (!report) return report_error("report", report.error());
  for (const auto& w : report->warnings) std::fprintf(stderr, "sbrtkit report: warning: %s\n", w.c_str());
  auto html = format_report_html(report->content);
  if (!html) return report_error("report", html.error());
  if (auto written = write_file_atomically(a.output, *html); !written)
    return report_error("report", written.error());
  return report->verdict == ComplianceLevel::major ? kExitFailedCheck : kExitOk;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArguments>();
  CLI::App* cmd = app.add_subcommand("report", "one self-contained HTML page per plan: DVHs, constraints, slices");
  add_plan_source_options(cmd, args->source, "PLAN", true);
  cmd->add_option("-o,--output", args->output, "HTML file to write (atomically)")->required();
  cmd->add_option("--protocol", args->protocol,
                  "bundled protocol id (see `sbrtkit protocols`) or a YAML file: adds constraints and a verdict");
  cmd->add_option("--ct", args->ct, "folder with the CT series (with --rtstruct/--rtdose)");
  cmd->add_option("--window", args->window_hu, "CT window width in HU")->capture_default_str();
  cmd->add_option("--level", args->level_hu, "CT window level in HU")->capture_default_str();
  cmd->add_option("--wash-threshold", args->wash_pct, "dose wash hidden below this % of the target's Rx")
      ->capture_default_str();
  cmd->add_option("--slice-pixels", args->pixels, "width and height of each slice picture")->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
