#include "qa_command.h"

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "qa_report.h"

namespace sbrtkit::cli {
namespace {

struct QaArguments {
  std::string directory, plan, rtstruct, rtdose, rtplan, body, format = "table", output;
  std::vector<std::string> targets;
  double rx_gy = 0, alpha_beta = 0;
  int fractions = 0;
};

int run(const QaArguments& a) {
  QaRequest request;
  if (!a.directory.empty()) request.plan.directory = a.directory;
  if (!a.plan.empty()) request.plan.plan_uid = a.plan;
  if (!a.rtstruct.empty()) request.plan.rtstruct = a.rtstruct;
  if (!a.rtdose.empty()) request.plan.rtdose = a.rtdose;
  if (!a.rtplan.empty()) request.plan.rtplan = a.rtplan;
  if (a.rx_gy != 0) request.plan.rx_gy = a.rx_gy;
  if (a.fractions != 0) request.plan.fractions = a.fractions;
  if (a.alpha_beta != 0) request.alpha_beta_gy = a.alpha_beta;
  if (!a.body.empty()) request.body = a.body;
  request.targets = a.targets;
  auto result = run_qa(request);
  if (!result) return report_error("qa", result.error());
  const std::string text = a.format == "json" ? format_qa_json(*result)
                           : a.format == "csv" ? format_qa_csv(*result)
                                               : format_qa_table(*result);
  if (a.format != "table" || !a.output.empty()) {
    for (const auto& w : result->inputs.warnings) std::fprintf(stderr, "sbrtkit qa: warning: %s\n", w.c_str());
    for (const auto& w : result->quality.warnings) std::fprintf(stderr, "sbrtkit qa: warning: %s\n", w.c_str());
  }
  return emit("qa", a.output.empty() ? std::nullopt : std::optional<std::string>(a.output), text);
}

}  // namespace

void add_qa_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<QaArguments>();
  CLI::App* cmd = app.add_subcommand("qa", "SBRT plan-quality indices per target: coverage, CI, GI, R50%, D2cm, HI");
  cmd->add_option("PLAN", args->directory, "folder with the plan's DICOM files (indexed recursively)");
  cmd->add_option("--plan", args->plan, "RTPLAN SOP instance UID, when the folder holds several plans");
  cmd->add_option("--rtstruct", args->rtstruct, "RTSTRUCT file (instead of PLAN)");
  cmd->add_option("--rtdose", args->rtdose, "RTDOSE file (instead of PLAN)");
  cmd->add_option("--rtplan", args->rtplan, "RTPLAN file (instead of PLAN)");
  cmd->add_option("--target", args->targets, "target structure (name or ROI number); repeat; default: every PTV");
  cmd->add_option("--body", args->body, "body structure (default: the EXTERNAL one)");
  cmd->add_option("--rx", args->rx_gy, "prescription dose in Gy for every target (overrides the RTPLAN's)");
  cmd->add_option("--fractions", args->fractions, "number of fractions (overrides the RTPLAN's)");
  cmd->add_option("--alpha-beta", args->alpha_beta, "alpha/beta in Gy: adds BED and EQD2 (voxel-by-voxel DVH)");
  cmd->add_option("--format", args->format, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("-o,--output", args->output, "write to this file (atomically) instead of stdout");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
