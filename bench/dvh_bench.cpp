// DVH engine speed on the benchmark plan (bench_plan.h): 30 structures, 512 x 512 x 100 CT,
// 2.5 mm dose grid. Target (issue 2): every structure's DVH and default metrics in <= 0.5 s on 2 cores
// (BM_RunDvh, reading included), >= 10x faster than plastimatch dvh (scripts/bench.sh).
//
// Each benchmark runs 3 repetitions and reports mean, median and min ("best of 3": the machine is
// shared). Wall-clock time (UseRealTime), since the engine runs OpenMP threads. The "samples" counter
// is an estimate of the engine's volume samples: nominal volume / step^3 with the engine's step rule
// (DvhOptions defaults), so items_per_second is roughly samples per second.
#include <benchmark/benchmark.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench_plan.h"
#include "sbrtkit/contour_stack.h"
#include "sbrtkit/dicom/rtdose.h"
#include "sbrtkit/dicom/rtstruct.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/pipelines/dvh_report.h"

namespace {

using namespace sbrtkit;
using namespace sbrtkit::bench;

const BenchPlan& plan() {
  static const BenchPlan p = make_bench_plan();
  return p;
}

// The plan as DICOM: $SBRTKIT_BENCH_PLAN_DIR when set (scripts/bench.sh writes it once), else written
// to a temporary folder on first use and removed at exit.
const std::filesystem::path& plan_dir() {
  struct Dir {
    std::filesystem::path path;
    bool owned = false;
    ~Dir() {
      std::error_code ec;
      if (owned) std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir = [] {
    Dir d;
    if (const char* env = std::getenv("SBRTKIT_BENCH_PLAN_DIR"); env && *env) {
      d.path = env;
      if (std::filesystem::exists(d.path / "rtdose.dcm")) return d;
    } else {
      d.path = std::filesystem::temp_directory_path() / ("sbrtkit_dvh_bench_" + std::to_string(::getpid()));
      d.owned = true;
    }
    if (auto st = write_bench_plan(plan(), d.path); !st) d.path.clear();
    return d;
  }();
  return dir.path;
}

double estimated_samples(const Structure& s, const DoseVolume& dose, const DvhOptions& o) {
  auto stack = build_contour_stack(s, o.end_cap, o.single_plane_thickness_mm);
  if (!stack) return 0;
  const double v = stack->nominal_volume_mm3();
  const auto& sp = dose.geometry.spacing_mm();
  const double max_step = o.max_step_fraction_of_dose_spacing * std::min({sp.x, sp.y, sp.z});
  const double step = std::clamp(std::cbrt(v / double(o.target_samples)), o.min_step_mm, std::max(max_step, o.min_step_mm));
  return v / (step * step * step);
}

const std::vector<Metric>& default_metrics() {
  static const std::vector<Metric> m = [] {
    std::vector<Metric> out;
    for (const auto& text : kDefaultDvhMetrics) out.push_back(*parse_metric(text));
    return out;
  }();
  return m;
}

double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

// One representative structure per class: 0.1 cc GTV, 480 cc liver, 20,000 cc body.
const char* const kClassStructure[] = {"GTV_1", "Liver", "BODY"};

void BM_StructureDvh(benchmark::State& state) {
  const Structure* s = plan().structures.find(kClassStructure[state.range(0)]);
  const int threads = int(state.range(1));
  omp_set_num_threads(threads);
  const DoseField field(plan().dose);
  const DvhOptions options;
  for (auto _ : state) {
    auto r = compute_dvh(*s, field, options);
    if (!r) state.SkipWithError(r.error().message().c_str());
    benchmark::DoNotOptimize(r);
  }
  const double samples = estimated_samples(*s, plan().dose, options);
  state.counters["samples"] = samples;
  state.SetItemsProcessed(std::int64_t(samples) * state.iterations());
  state.SetLabel(s->name + " " + std::to_string(threads) + "T");
}
BENCHMARK(BM_StructureDvh)
    ->ArgsProduct({{0, 1, 2}, {1, 2}})
    ->ArgNames({"class", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(3)
    ->ComputeStatistics("min", min_of);

// All 30 structures on one prepared DoseField plus the default metrics: the engine part of `sbrtkit dvh`.
// Second argument: histogram bin width in mGy (1 = the DvhOptions default; 10 = the coarsest the issue
// allows, "dose resolution at least 0.01 Gy"), to measure what the 67k-bin histogram costs.
void BM_WholePlanEngine(benchmark::State& state) {
  const int threads = int(state.range(0));
  omp_set_num_threads(threads);
  DvhOptions options;
  options.bin_width_gy = double(state.range(1)) / 1000;
  double samples = 0;
  for (const auto& s : plan().structures.structures) samples += estimated_samples(s, plan().dose, options);
  for (auto _ : state) {
    const DoseField field(plan().dose);
    for (const auto& s : plan().structures.structures) {
      auto r = compute_dvh(s, field, options);
      if (!r) {
        state.SkipWithError(r.error().message().c_str());
        break;
      }
      for (const auto& m : default_metrics()) benchmark::DoNotOptimize(evaluate(m, r->dvh, 54.0));
    }
  }
  state.counters["samples"] = samples;
  state.SetItemsProcessed(std::int64_t(samples) * state.iterations());
  state.SetLabel("30 structures " + std::to_string(threads) + "T, bins " + std::to_string(state.range(1)) + " mGy");
}
BENCHMARK(BM_WholePlanEngine)
    ->ArgNames({"threads", "bin_mGy"})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({1, 10})
    ->Args({2, 10})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(3)
    ->ComputeStatistics("min", min_of);

// The whole use case of `sbrtkit dvh DIR`: index the folder, read RTSTRUCT, RTDOSE, RTPLAN and the CT
// headers, compute every structure's DVH and the default metrics (no output formatting).
void BM_RunDvh(benchmark::State& state) {
  const int threads = int(state.range(0));
  omp_set_num_threads(threads);
  if (plan_dir().empty()) {
    state.SkipWithError("could not write the benchmark plan");
    return;
  }
  DvhRequest request;
  request.directory = plan_dir();
  for (auto _ : state) {
    auto report = run_dvh(request);
    if (!report) {
      state.SkipWithError(report.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(report);
  }
  state.SetLabel("DICOM folder, 30 structures " + std::to_string(threads) + "T");
}
BENCHMARK(BM_RunDvh)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(3)
    ->ComputeStatistics("min", min_of);

// Reading alone, to split BM_RunDvh into I/O and computation.
void BM_ReadRtstruct(benchmark::State& state) {
  if (plan_dir().empty()) {
    state.SkipWithError("could not write the benchmark plan");
    return;
  }
  for (auto _ : state) {
    auto s = read_rtstruct(plan_dir() / "rtstruct.dcm");
    if (!s) state.SkipWithError(s.error().message().c_str());
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_ReadRtstruct)->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3)->ComputeStatistics("min", min_of);

void BM_ReadRtdose(benchmark::State& state) {
  if (plan_dir().empty()) {
    state.SkipWithError("could not write the benchmark plan");
    return;
  }
  for (auto _ : state) {
    auto d = read_rtdose(plan_dir() / "rtdose.dcm");
    if (!d) state.SkipWithError(d.error().message().c_str());
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_ReadRtdose)->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3)->ComputeStatistics("min", min_of);

}  // namespace

BENCHMARK_MAIN();
