// sbrtkit_bench_plan DIR: writes the benchmark plan (bench_plan.h) as DICOM into DIR and prints its
// structures (class, planes, vertices per loop, contour-stack volume) and the bytes of dose grid and CT.
#include <cstdio>
#include <filesystem>

#include "bench_plan.h"

int main(int argc, char** argv) {
  using namespace sbrtkit::bench;
  if (argc != 2) {
    std::fprintf(stderr, "usage: sbrtkit_bench_plan DIR\n");
    return 2;
  }
  const BenchPlan plan = make_bench_plan();
  if (auto st = write_bench_plan(plan, argv[1]); !st) {
    std::fprintf(stderr, "sbrtkit_bench_plan: %s\n", st.error().message().c_str());
    return 1;
  }
  std::printf("roi,name,class,planes,vertices_per_loop,contour_volume_cc\n");
  for (std::size_t n = 0; n < plan.info.size(); ++n) {
    const auto& s = plan.structures.structures[n];
    const auto& i = plan.info[n];
    std::printf("%d,%s,%s,%d,%d,%.4f\n", s.roi_number, s.name.c_str(), to_string(i.structure_class), i.planes,
                i.vertices_per_loop, i.contour_volume_cc);
  }
  const auto& d = plan.dose.geometry.size();
  const auto& c = plan.ct_geometry.size();
  std::printf("# dose grid %lld x %lld x %lld float32 = %zu bytes; CT %lld x %lld x %lld int16 = %zu bytes; "
              "sum = %zu bytes\n",
              (long long)d[0], (long long)d[1], (long long)d[2], dose_grid_bytes(plan), (long long)c[0],
              (long long)c[1], (long long)c[2], ct_bytes(plan), dose_grid_bytes(plan) + ct_bytes(plan));
  return 0;
}
