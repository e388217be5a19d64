// `sbrtkit history` on a two-course, three-study patient (tests/support/history_patient.h): discovery,
// registration of course 1 and of the three PET/CT studies onto the reference CT (ITK: no Spatial
// Registration object in the folder, the slow path), accumulation, per-structure DVHs, limits and
// history.json. Target (issue 14): <= 20 s on 2 cores. The patient is written once, outside the timing.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <unistd.h>

#include "history_patient.h"
#include "sbrtkit/pipelines/history.h"
#include "sbrtkit/report/history_output.h"

namespace {

using namespace sbrtkit;

const std::filesystem::path& patient(testing::FrameLink link) {
  static std::map<int, std::filesystem::path> dirs;
  auto& dir = dirs[int(link)];
  if (dir.empty()) {
    dir = std::filesystem::temp_directory_path() /
          ("sbrtkit-history-bench-" + std::to_string(::getpid()) + "-" + std::to_string(int(link)));
    std::filesystem::remove_all(dir);
    testing::HistoryPatientOptions o;
    o.link = link;
    o.studies = 3;
    testing::write_history_patient(dir, o);
  }
  return dir;
}

void BM_History(benchmark::State& state) {
  const auto link = static_cast<testing::FrameLink>(state.range(0));
  HistoryRequest r;
  r.patient_dir = patient(link);
  for (auto _ : state) {
    auto rep = run_history(r);
    if (!rep) {
      state.SkipWithError(rep.error().message().c_str());
      return;
    }
    auto json = format_history_json(*rep);
    benchmark::DoNotOptimize(json.data());
  }
  state.SetLabel(link == testing::FrameLink::ct_registration ? "ITK registration (1 course + 3 studies)"
                                                             : "spatial registration object");
}
BENCHMARK(BM_History)
    ->Arg(int(testing::FrameLink::ct_registration))
    ->Arg(int(testing::FrameLink::spatial_registration))
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->Repetitions(3)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (auto link : {testing::FrameLink::ct_registration, testing::FrameLink::spatial_registration}) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                    ("sbrtkit-history-bench-" + std::to_string(::getpid()) + "-" + std::to_string(int(link))),
                                ec);
  }
  return 0;
}
