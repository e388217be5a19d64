#include "qa_command.h"

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "sbrtkit/pipelines/qa.h"
#include "sbrtkit/report/qa_output.h"

namespace sbrtkit::cli {
namespace {

struct QaArguments {
  PlanSourceArguments source;
  std::string body, format = "table", output;
  std::vector<std::string> targets;
  double alpha_beta = 0;
};

int run(const QaArguments& a) {
  QaRequest request;
  request.plan = a.source.request();
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
  add_plan_source_options(cmd, args->source, "PLAN", true);
  cmd->add_option("--target", args->targets, "target structure (name or ROI number); repeat; default: every PTV");
  cmd->add_option("--body", args->body, "body structure (default: the EXTERNAL one)");
  cmd->add_option("--alpha-beta", args->alpha_beta, "alpha/beta in Gy: adds BED and EQD2 (voxel-by-voxel DVH)");
  cmd->add_option("--format", args->format, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("-o,--output", args->output, "write to this file (atomically) instead of stdout");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
