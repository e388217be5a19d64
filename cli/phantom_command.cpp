#include "phantom_command.h"

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "sbrtkit/phantom/longitudinal.h"
#include "sbrtkit/phantom/phantom_writer.h"

namespace sbrtkit::cli {
namespace {

struct PhantomArguments {
  std::string out, size = "clinical";
  std::uint64_t seed = 1;
  bool longitudinal = false;
};

int run_longitudinal(const PhantomArguments& a, phantom::PhantomSize size) {
  auto summary = write_longitudinal_phantom({a.out, a.seed, size});
  if (!summary) return report_error("phantom", summary.error());
  std::printf("sbrtkit phantom: longitudinal %s patient (2 courses, 3 PET/CT studies), seed %llu, in %s\n",
              a.size.c_str(), static_cast<unsigned long long>(a.seed), summary->out_dir.string().c_str());
  std::printf("  %zu files, %.1f MB, %.1f s\n", summary->files.size(), static_cast<double>(summary->bytes) / 1e6,
              summary->seconds);
  std::printf("  ground truth: %s\n", summary->ground_truth.string().c_str());
  return kExitOk;
}

int run(const PhantomArguments& a) {
  const auto size = phantom::parse_size(a.size);
  if (!size) return report_error("phantom", Error::bad_argument("--size", "small, clinical or large", a.size));
  if (a.longitudinal) return run_longitudinal(a, *size);
  auto summary = write_phantom({a.out, a.seed, *size});
  if (!summary) return report_error("phantom", summary.error());
  std::printf("sbrtkit phantom: %s patient, seed %llu, in %s\n", a.size.c_str(),
              static_cast<unsigned long long>(a.seed), summary->out_dir.string().c_str());
  std::printf("  %zu files, %.1f MB; model %.1f s, writing %.1f s\n", summary->files.size(),
              static_cast<double>(summary->bytes) / 1e6, summary->model_seconds, summary->write_seconds);
  std::printf("  %-16s %10s\n", "structure", "volume_cc");
  for (const auto& s : summary->structures) std::printf("  %-16s %10.3f\n", s.def.name.c_str(), s.volume_cc);
  std::printf("  expected TG-101 (3 fx) results:\n");
  for (const auto& c : summary->constraints)
    std::printf("  %-14s %-14s %6.2f Gy  limit %5.1f  %s\n", c.structure.c_str(), c.metric.c_str(), c.expected_gy,
                c.limit_gy, c.expected_pass ? "pass" : "FAIL (on purpose)");
  std::printf("  ground truth: %s\n", summary->ground_truth.string().c_str());
  return kExitOk;
}

}  // namespace

void add_phantom_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PhantomArguments>();
  CLI::App* cmd = app.add_subcommand(
      "phantom", "Write the synthetic oligoprogressive mCRPC patient (planning CT, RTSTRUCT, RTPLAN, RTDOSE, "
                 "PET/CT at two time points, ground_truth.json)");
  cmd->add_option("--out", args->out, "output folder (created; an earlier phantom there is replaced)")->required();
  cmd->add_option("--seed", args->seed, "random seed: same seed, same bytes")->capture_default_str();
  cmd->add_option("--size", args->size, "small (fast tests), clinical (512 x 512, 3 mm) or large (1 mm slices)")
      ->check(CLI::IsMember({"small", "clinical", "large"}))
      ->capture_default_str();
  cmd->add_flag("--longitudinal", args->longitudinal,
                "the longitudinal patient instead: two SBRT courses (L3 + node, then L4 re-irradiating next to "
                "it), three PET/CT studies, each in its own frame (input of `sbrtkit history`)");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
