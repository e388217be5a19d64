#include "check_command.h"

#include <cstdio>
#include <memory>

#include "sbrtkit/pipelines/check.h"
#include "sbrtkit/report/check_output.h"
#include "cli_common.h"

namespace sbrtkit::cli {
namespace {

struct CheckArguments {
  PlanSourceArguments source;
  std::string protocol, format = "table", output;
};

int run(const CheckArguments& a) {
  CheckRequest request;
  request.plan = a.source.request();
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
  add_plan_source_options(cmd, args->source, "PLAN", true);
  cmd->add_option("--protocol", args->protocol, "bundled protocol id (see `sbrtkit protocols`) or a YAML file")
      ->required();
  cmd->add_option("--format", args->format, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("-o,--output", args->output, "write to this file (atomically) instead of stdout");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
