#include "check_command.h"

#include <cstdio>
#include <memory>

#include "check_report.h"
#include "cli_common.h"

namespace sbrtkit::cli {
namespace {

struct CheckArguments {
  std::string directory, plan, rtstruct, rtdose, rtplan, protocol, format = "table", output;
  double rx_gy = 0;
  int fractions = 0;
};

int run(const CheckArguments& a) {
  CheckRequest request;
  if (!a.directory.empty()) request.plan.directory = a.directory;
  if (!a.plan.empty()) request.plan.plan_uid = a.plan;
  if (!a.rtstruct.empty()) request.plan.rtstruct = a.rtstruct;
  if (!a.rtdose.empty()) request.plan.rtdose = a.rtdose;
  if (!a.rtplan.empty()) request.plan.rtplan = a.rtplan;
  if (a.rx_gy != 0) request.plan.rx_gy = a.rx_gy;
  if (a.fractions != 0) request.plan.fractions = a.fractions;
  request.protocol = a.protocol;
  auto result = run_check(request);
  if (!result) return report_error("check", result.error());
  const std::string text = a.format == "json" ? format_check_json(*result)
                           : a.format == "csv" ? format_check_csv(*result)
                                               : format_check_table(*result);
  if (a.format != "table" || !a.output.empty()) {
    for (const auto& w : result->inputs.warnings) std::fprintf(stderr, "sbrtkit check: warning: %s\n", w.c_str());
    for (const auto& w : result->report.warnings) std::fprintf(stderr, "sbrtkit check: warning: %s\n", w.c_str());
  }
  const int written = emit("check", a.output.empty() ? std::nullopt : std::optional<std::string>(a.output), text);
  if (written != kExitOk) return written;
  return result->report.overall == ComplianceLevel::major ? kExitFailedCheck : kExitOk;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CheckArguments>();
  CLI::App* cmd = app.add_subcommand("check", "check a plan against a protocol's constraints (TG-101, RTOG 0915, ...)");
  cmd->add_option("PLAN", args->directory, "folder with the plan's DICOM files (indexed recursively)");
  cmd->add_option("--protocol", args->protocol, "bundled protocol id (see `sbrtkit protocols`) or a YAML file")
      ->required();
  cmd->add_option("--plan", args->plan, "RTPLAN SOP instance UID, when the folder holds several plans");
  cmd->add_option("--rtstruct", args->rtstruct, "RTSTRUCT file (instead of PLAN)");
  cmd->add_option("--rtdose", args->rtdose, "RTDOSE file (instead of PLAN)");
  cmd->add_option("--rtplan", args->rtplan, "RTPLAN file, for prescriptions and fractions (instead of PLAN)");
  cmd->add_option("--rx", args->rx_gy, "prescription dose in Gy for every target (overrides the RTPLAN's)");
  cmd->add_option("--fractions", args->fractions, "number of fractions (overrides the RTPLAN's)");
  cmd->add_option("--format", args->format, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("-o,--output", args->output, "write to this file (atomically) instead of stdout");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
