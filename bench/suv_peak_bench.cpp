// SUVpeak search on a whole-body PET: 200 x 200 x 300 voxels of 2 x 2 x 3 mm with 10 spherical lesions
// (radius 6..24 mm, ~0.9..58 cc), SUV 4..22 over a background of 1 with a smooth gradient, candidates = the
// 41% segmentation of each lesion. Times the peak search alone, and segmentation (with the local
// background) + all uptake metrics as `sbrtkit lesions` computes them.
#include <benchmark/benchmark.h>

#include <cmath>

#include "sbrtkit/lesion.h"

namespace {

sbrtkit::Volume<float> whole_body() {
  using namespace sbrtkit;
  Volume<float> v(ImageGeometry({200, 200, 300}, PatientPoint{0, 0, 0}, Vec3{2, 2, 3},
                                {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}));
  for (std::int64_t k = 0; k < 300; ++k)
    for (std::int64_t j = 0; j < 200; ++j)
      for (std::int64_t i = 0; i < 200; ++i) v.at(i, j, k) = static_cast<float>(1.0 + 0.3 * std::sin(0.02 * double(i + j + k)));
  for (int l = 0; l < 10; ++l) {
    const double cx = 40 + 32.0 * l, cy = 200 + 8.0 * l, cz = 80 + 75.0 * l, r = 6 + 2.0 * l, suv = 4 + 2.0 * l;
    for (std::int64_t k = 0; k < 300; ++k)
      for (std::int64_t j = 0; j < 200; ++j)
        for (std::int64_t i = 0; i < 200; ++i) {
          const double dx = 2.0 * double(i) - cx, dy = 2.0 * double(j) - cy, dz = 3.0 * double(k) - cz;
          if (dx * dx + dy * dy + dz * dz <= r * r) v.at(i, j, k) = static_cast<float>(suv);
        }
  }
  return v;
}

const sbrtkit::Volume<float>& pet() {
  static const auto v = whole_body();
  return v;
}

void BM_SuvPeakSearch(benchmark::State& state) {
  const auto& suv = pet();
  auto seg = sbrtkit::segment_lesions(suv, nullptr, {});
  const auto kernel = sbrtkit::make_peak_kernel(suv.geometry);
  std::size_t candidates = 0;
  for (const auto& l : seg->lesions) candidates += l.index.size();
  for (auto _ : state)
    for (const auto& l : seg->lesions) benchmark::DoNotOptimize(sbrtkit::suv_peak(suv, l.index, kernel));
  state.counters["lesions"] = static_cast<double>(seg->lesions.size());
  state.counters["candidates"] = static_cast<double>(candidates);
  state.counters["taps"] = static_cast<double>(kernel.weight.size());
}
BENCHMARK(BM_SuvPeakSearch)->Unit(benchmark::kMillisecond);

void BM_SegmentAndMeasure(benchmark::State& state) {
  const auto& suv = pet();
  for (auto _ : state) {
    auto seg = sbrtkit::segment_lesions(suv, nullptr, {});
    const auto kernel = sbrtkit::make_peak_kernel(suv.geometry);
    // As `sbrtkit lesions` does: local background, sub-voxel MTV/SUVmean, recovered mean, SUVpeak.
    benchmark::DoNotOptimize(sbrtkit::measure_lesion_set(suv, seg->lesions, nullptr, kernel, {}, &*seg));
  }
}
BENCHMARK(BM_SegmentAndMeasure)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
