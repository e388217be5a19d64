// Throughput of `sbrtkit batch` (issue 5 target: at least 30 clinical-size plans per minute on 2 cores):
// discovery, `check` against mdt-ompc, DVH metrics of every structure, JSON, SQLite and CSV, on synthetic
// clinical-size patients (512 x 512 CT, write_phantom size clinical). The patients are written once into
// the temp folder and reused by later runs. Counter plans_per_min is per wall-clock minute.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "sbrtkit/phantom/phantom_writer.h"
#include "sbrtkit/pipelines/batch.h"
#include "sbrtkit/report/check_output.h"

namespace {

namespace fs = std::filesystem;
constexpr int kPatients = 6;

const fs::path& clinical_trial() {
  static const fs::path dir = [] {
    const fs::path root = fs::temp_directory_path() / ("sbrtkit-bench-batch-clinical-" + std::to_string(kPatients));
    for (int seed = 1; seed <= kPatients; ++seed) {
      const fs::path patient = root / ("patient_" + std::to_string(seed));
      if (fs::exists(patient / "ground_truth.json")) continue;
      auto written = sbrtkit::write_phantom({.out_dir = patient, .seed = std::uint64_t(seed),
                                             .size = sbrtkit::phantom::PhantomSize::clinical});
      if (!written) fs::remove_all(patient);
    }
    return root;
  }();
  return dir;
}

void BM_BatchClinicalPlans(benchmark::State& state) {
  const int jobs = int(state.range(0));
  auto evaluator = sbrtkit::make_check_evaluator("mdt-ompc", sbrtkit::format_check_json);
  if (!evaluator) {
    state.SkipWithError(evaluator.error().message().c_str());
    return;
  }
  const fs::path root = clinical_trial();  // written before the timing starts
  const fs::path out = fs::temp_directory_path() / ("sbrtkit-bench-batch-out-" + std::to_string(::getpid()));
  double plans = 0, seconds = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    sbrtkit::BatchOptions options;
    options.root = root;
    options.out_dir = out;
    options.protocol = "mdt-ompc";
    options.jobs = jobs;
    options.force = true;  // every iteration evaluates every plan
    auto summary = sbrtkit::run_batch(options, *evaluator, nullptr);
    if (!summary) {
      state.SkipWithError(summary.error().message().c_str());
      break;
    }
    plans += double(summary->evaluated);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::error_code ec;
  fs::remove_all(out, ec);
  state.counters["plans"] = plans;
  state.counters["plans_per_min"] = seconds > 0 ? plans * 60.0 / seconds : 0;  // wall clock
}
BENCHMARK(BM_BatchClinicalPlans)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
