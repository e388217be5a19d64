// `sbrtkit check` on the clinical-size sample patient with the mdt-ompc protocol: DICOM reading, every
// matched structure's DVH, the plan-quality indices of the three targets (body split between them) and
// the organ limits. Target (issue 4): under 2 s on 2 cores. Also `qa` on the same patient.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "sbrtkit/pipelines/check.h"
#include "sbrtkit/pipelines/qa.h"
#include "sbrtkit/phantom/phantom_writer.h"

namespace {

using namespace sbrtkit;

/// The clinical-size patient, written once per process under the temp directory.
const std::filesystem::path& clinical_patient() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("sbrtkit-check-bench-" + std::to_string(getpid()));
    auto written = write_phantom({d, 1, phantom::PhantomSize::clinical});
    if (!written) std::fprintf(stderr, "phantom: %s\n", written.error().message().c_str());
    return d;
  }();
  return dir;
}

void BM_CheckMdtOmpcClinical(benchmark::State& state) {
  CheckRequest request;
  request.plan.directory = clinical_patient() / "planning";
  request.protocol = "mdt-ompc";
  for (auto _ : state) {
    auto result = run_check(request);
    if (!result) {
      state.SkipWithError(result.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(result->report.rows.data());
    state.counters["rows"] = double(result->report.rows.size());
    state.counters["major"] = result->report.major;
  }
}
BENCHMARK(BM_CheckMdtOmpcClinical)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_QaClinical(benchmark::State& state) {
  QaRequest request;
  request.plan.directory = clinical_patient() / "planning";
  for (auto _ : state) {
    auto result = run_qa(request);
    if (!result) {
      state.SkipWithError(result.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(result->quality.targets.data());
  }
}
BENCHMARK(BM_QaClinical)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
