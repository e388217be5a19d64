// Generation time of the synthetic mCRPC patient: the in-memory model (CT, structures, dose, PET) and
// the full DICOM + ground-truth output. Target (issue 3): clinical size under 30 s, large under 2 min
// on 2 cores.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <unistd.h>

#include "sbrtkit/phantom/phantom.h"
#include "sbrtkit/phantom/phantom_writer.h"

namespace {

using namespace sbrtkit;
using namespace sbrtkit::phantom;

void BM_PhantomModel(benchmark::State& state) {
  const auto size = static_cast<PhantomSize>(state.range(0));
  for (auto _ : state) {
    const Model m = build_model(1);
    const Grids g = planning_grids(size);
    const auto planes = plane_positions(g.ct);
    auto ct = render_ct(m, g.ct, RigidTransform{});
    auto structures = contour_structures(m, planes);
    auto dose = render_dose(m, g.dose);
    auto constraints = evaluate_constraints(m, planes);
    for (const auto& tp : pet_time_points(m, size)) {
      auto pet = render_pet(m, tp);
      auto pet_ct = render_ct(m, tp.ct_geometry, tp.planning_to_frame);
      benchmark::DoNotOptimize(pet.voxels.data());
      benchmark::DoNotOptimize(pet_ct.voxels.data());
    }
    benchmark::DoNotOptimize(ct.voxels.data());
    benchmark::DoNotOptimize(dose.voxels.data());
    benchmark::DoNotOptimize(structures.truth.data());
    benchmark::DoNotOptimize(constraints.data());
  }
  state.SetLabel(std::string(to_string(size)));
}
BENCHMARK(BM_PhantomModel)
    ->Arg(static_cast<int>(PhantomSize::small))
    ->Arg(static_cast<int>(PhantomSize::clinical))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

void BM_WritePhantom(benchmark::State& state) {
  const auto size = static_cast<PhantomSize>(state.range(0));
  const auto dir = std::filesystem::temp_directory_path() / ("sbrtkit_phantom_bench_" + std::to_string(::getpid()));
  for (auto _ : state) {
    auto summary = write_phantom({dir, 1, size});
    if (!summary) state.SkipWithError(summary.error().message().c_str());
  }
  std::filesystem::remove_all(dir);
  state.SetLabel(std::string(to_string(size)));
}
BENCHMARK(BM_WritePhantom)
    ->Arg(static_cast<int>(PhantomSize::small))
    ->Arg(static_cast<int>(PhantomSize::clinical))
    ->Arg(static_cast<int>(PhantomSize::large))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
