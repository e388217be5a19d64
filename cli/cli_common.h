#pragma once
// Shared conventions of the sbrtkit subcommands: exit codes, error printing, output destination.

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/pipelines/plan_inputs.h"
#include "sbrtkit/expected.h"

namespace sbrtkit::cli {

/// Exit codes: 0 success; 1 the check itself failed (e.g. a major protocol deviation); 2 bad input.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailedCheck = 1;
inline constexpr int kExitBadInput = 2;

/// Prints "sbrtkit <command>: error: <message>" on stderr and returns kExitBadInput.
int report_error(const std::string& command, const Error& error);

/// Writes text to `output` atomically, or to stdout when no file is given.
int emit(const std::string& command, const std::optional<std::string>& output, const std::string& text);

/// The plan a command works on, as typed: a folder, or explicit RTSTRUCT / RTDOSE [/ RTPLAN] files, with
/// the prescription and fractionation overrides.
struct PlanSourceArguments {
  std::string directory, plan_uid, rtstruct, rtdose, rtplan;
  double rx_gy = 0;
  int fractions = 0;

  PlanInputRequest request() const;
};

/// Copies the plan source into a use-case request that spells the same fields (DvhRequest, ReportRequest).
template <class Request>
void copy_plan_source(const PlanInputRequest& source, Request& request) {
  request.directory = source.directory;
  request.plan_uid = source.plan_uid;
  request.rtstruct = source.rtstruct;
  request.rtdose = source.rtdose;
  request.rtplan = source.rtplan;
  request.rx_gy = source.rx_gy;
}

/// Registers the positional folder (named `positional`), --plan, --rtstruct, --rtdose, --rtplan, --rx and,
/// when with_fractions, --fractions: the same spelling and help in every plan-level command.
void add_plan_source_options(CLI::App* command, PlanSourceArguments& arguments, const std::string& positional,
                             bool with_fractions);

/// The plan folder of the lesion-level commands, spelled as in dvh/qa/check/report: the first argument,
/// with --plan-uid choosing among several plans. The old `--plan DIR` still works for one release, with a
/// deprecation warning (in dvh/qa/check/report --plan was a UID: see add_plan_source_options).
struct PlanFolderArguments {
  std::string folder, deprecated_folder, plan_uid;
  /// The folder, or an error naming the argument when it is missing or given twice.
  Expected<std::string> resolve() const;
};
void add_plan_folder_options(CLI::App* command, PlanFolderArguments& arguments);

/// "D95%[Gy], V20Gy[cc]" -> {"D95%[Gy]", "V20Gy[cc]"}.
std::vector<std::string> split_list(const std::string& comma_separated);

}  // namespace sbrtkit::cli
