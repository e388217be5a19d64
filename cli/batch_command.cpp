#include "batch_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "progress_bar.h"
#include "sbrtkit/pipelines/batch.h"
#include "sbrtkit/report/check_output.h"

namespace sbrtkit::cli {
namespace {

struct BatchArguments {
  std::string root, protocol, out, shard = "1/1", metrics, progress = "auto";
  int jobs = 0;
  bool force = false;
};

int run(const BatchArguments& a) {
  auto shard = parse_shard(a.shard);
  if (!shard) return report_error("batch", shard.error());
  if (a.jobs < 0) return report_error("batch", Error::bad_argument("--jobs", "0 (all cores) or more", std::to_string(a.jobs)));
  auto evaluator =
      make_check_evaluator(a.protocol, format_check_json, a.metrics.empty() ? kDefaultDvhMetrics : split_list(a.metrics));
  if (!evaluator) return report_error("batch", evaluator.error());
  BatchOptions options;
  options.root = a.root;
  options.out_dir = a.out;
  options.protocol = a.protocol;
  options.jobs = a.jobs;
  options.shard = *shard;
  options.force = a.force;

  const bool show = a.progress != "none";
  const bool terminal = a.progress == "bar" || (a.progress == "auto" && is_terminal(stderr));
  ProgressBar bar(stderr, terminal, "batch");
  ProgressSink sink;
  if (show) sink = [&bar](const BatchProgress& p) { bar.update(p); };
  auto summary = run_batch(options, *evaluator, sink);
  bar.finish();
  if (!summary) return report_error("batch", summary.error());
  for (const auto& e : summary->unreadable)
    std::fprintf(stderr, "sbrtkit batch: warning: unreadable DICOM file skipped: %s\n", e.message().c_str());
  auto plans = [](std::size_t n) { return fmt::format("{} plan{}", n, n == 1 ? "" : "s"); };
  std::printf("%s under %s (%zu DICOM files, %zu other files, %zu unreadable; indexed in %s)\n",
              plans(summary->discovered).c_str(), a.root.c_str(), summary->dicom_files, summary->non_dicom_files,
              summary->unreadable.size(), format_duration(summary->discovery_s).c_str());
  std::printf("shard %d/%d: %s, %zu evaluated, %zu up to date; %zu failed, %zu with a major deviation\n",
              shard->index, shard->count, plans(summary->in_shard).c_str(), summary->evaluated, summary->skipped, summary->failed,
              summary->major);
  if (!summary->removed.empty())
    std::printf("removed from the results: %s no longer in the tree (%s)\n", plans(summary->removed.size()).c_str(),
                fmt::format("{}", fmt::join(summary->removed, ", ")).c_str());
  std::printf("results in %s (results.sqlite, plans.csv, constraints.csv, plans/); %s with %d jobs\n", a.out.c_str(),
              format_duration(summary->seconds).c_str(), summary->jobs);
  if (summary->discovered == 0)
    return report_error("batch", Error::bad_argument("ROOT", "a folder holding at least one plan (RTPLAN or RTDOSE)",
                                                     fmt::format("none under {}", a.root)));
  return batch_exit_code(summary->failed, summary->major);
}

}  // namespace

int batch_exit_code(std::size_t failed_plans, std::size_t major_plans) {
  if (failed_plans > 0) return 2 + int(std::min<std::size_t>(failed_plans, 123));
  return major_plans > 0 ? kExitFailedCheck : kExitOk;
}

void add_batch_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<BatchArguments>();
  CLI::App* cmd = app.add_subcommand(
      "batch", "check every plan under a folder tree against a protocol: JSON per plan, results.sqlite, CSVs");
  cmd->add_option("ROOT", args->root, "folder tree of patients (indexed recursively)")->required();
  cmd->add_option("--protocol", args->protocol, "bundled protocol id (see `sbrtkit protocols`) or a YAML file")
      ->required();
  cmd->add_option("--out", args->out, "output folder (created; a rerun resumes into it)")->required();
  cmd->add_option("-j,--jobs", args->jobs, "plans evaluated in parallel (0 = all cores)");
  cmd->add_option("--shard", args->shard, "process shard I of N (1-based), a deterministic 1/N of the plans");
  cmd->add_flag("--force", args->force, "re-evaluate plans whose stored result is up to date");
  cmd->add_option("--metrics", args->metrics, "DVH metrics stored per structure (default: those of `sbrtkit dvh`)");
  cmd->add_option("--progress", args->progress, "auto (bar on a terminal, else log lines), bar, log or none")
      ->check(CLI::IsMember({"auto", "bar", "log", "none"}));
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
