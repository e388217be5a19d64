#include "report_command.h"

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "sbrtkit/pipelines/output_file.h"
#include "sbrtkit/pipelines/report.h"

namespace sbrtkit::cli {
namespace {

struct ReportArguments {
  std::string directory, plan, rtstruct, rtdose, rtplan, ct, protocol, output;
  double rx_gy = 0;
  int fractions = 0;
  double window_hu = 400, level_hu = 40, wash_pct = 10;
  int pixels = 320;
};

int run(const ReportArguments& a) {
  ReportRequest request;
  if (!a.directory.empty()) request.directory = a.directory;
  if (!a.plan.empty()) request.plan_uid = a.plan;
  if (!a.rtstruct.empty()) request.rtstruct = a.rtstruct;
  if (!a.rtdose.empty()) request.rtdose = a.rtdose;
  if (!a.rtplan.empty()) request.rtplan = a.rtplan;
  if (!a.ct.empty()) request.ct_directory = a.ct;
  if (!a.protocol.empty()) request.protocol = a.protocol;
  if (a.rx_gy != 0) request.rx_gy = a.rx_gy;
  if (a.fractions != 0) request.fractions = a.fractions;
  request.window_width_hu = a.window_hu;
  request.window_level_hu = a.level_hu;
  request.wash_threshold_pct = a.wash_pct;
  request.slice_pixels = a.pixels;
  auto report = run_report(request);
  if (!report) return report_error("report", report.error());
  for (const auto& w : report->warnings) std::fprintf(stderr, "sbrtkit report: warning: %s\n", w.c_str());
  if (auto written = write_file_atomically(a.output, report->html); !written)
    return report_error("report", written.error());
  return report->verdict == ComplianceLevel::major ? kExitFailedCheck : kExitOk;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArguments>();
  CLI::App* cmd = app.add_subcommand("report", "one self-contained HTML page per plan: DVHs, constraints, slices");
  cmd->add_option("PLAN", args->directory, "folder with the plan's DICOM files (indexed recursively)");
  cmd->add_option("-o,--output", args->output, "HTML file to write (atomically)")->required();
  cmd->add_option("--protocol", args->protocol,
                  "bundled protocol id (see `sbrtkit protocols`) or a YAML file: adds constraints and a verdict");
  cmd->add_option("--plan", args->plan, "RTPLAN SOP instance UID, when the folder holds several plans");
  cmd->add_option("--rtstruct", args->rtstruct, "RTSTRUCT file (instead of PLAN)");
  cmd->add_option("--rtdose", args->rtdose, "RTDOSE file (instead of PLAN)");
  cmd->add_option("--rtplan", args->rtplan, "RTPLAN file (instead of PLAN)");
  cmd->add_option("--ct", args->ct, "folder with the CT series (with --rtstruct/--rtdose)");
  cmd->add_option("--rx", args->rx_gy, "prescription dose in Gy for every target (overrides the RTPLAN's)");
  cmd->add_option("--fractions", args->fractions, "number of fractions (overrides the RTPLAN's)");
  cmd->add_option("--window", args->window_hu, "CT window width in HU")->capture_default_str();
  cmd->add_option("--level", args->level_hu, "CT window level in HU")->capture_default_str();
  cmd->add_option("--wash-threshold", args->wash_pct, "dose wash hidden below this % of the target's Rx")
      ->capture_default_str();
  cmd->add_option("--slice-pixels", args->pixels, "width and height of each slice picture")->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
