#include "merge_command.h"

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "sbrtkit/pipelines/batch.h"

namespace sbrtkit::cli {
namespace {

struct MergeArguments {
  std::string out;
  std::vector<std::string> shards;
};

int run(const MergeArguments& a) {
  std::vector<std::filesystem::path> shards(a.shards.begin(), a.shards.end());
  auto summary = merge_batches(a.out, shards);
  if (!summary) return report_error("merge", summary.error());
  for (const auto& w : summary->warnings) std::fprintf(stderr, "sbrtkit merge: warning: %s\n", w.c_str());
  std::printf("%zu plans from %zu batch outputs merged into %s (results.sqlite, plans.csv, constraints.csv, plans/)\n",
              summary->plans, summary->shards, a.out.c_str());
  return kExitOk;
}

}  // namespace

void add_merge_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<MergeArguments>();
  CLI::App* cmd = app.add_subcommand("merge", "combine the outputs of `sbrtkit batch --shard` runs into one");
  cmd->add_option("OUT", args->out, "output folder (created)")->required();
  cmd->add_option("SHARD_DIR", args->shards, "output folders of the batch runs")->required();
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
