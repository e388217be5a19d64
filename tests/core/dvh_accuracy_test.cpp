// DVH accuracy against closed-form solids, after Nelms et al. 2015 (Med Phys 42:4435): spheres,
// cylinders and cones of radius 12 mm in 1 Gy/mm linear gradients along and across their axes, contoured
// at 0.2, 1, 2 and 3 mm, on 1, 2 and 3 mm dose grids, unshifted and shifted by half a voxel.
// Endpoints: Volume, Min, Max, Mean, D99%, D95%, D5%, D1%, D0.03cc. Target (issue 2): >= 99% of the
// endpoints within 3% of the closed form and >= 95% within 1%.
//
// The closed form is the true solid. Contour planes sit at z_low + h/2 + k h, so half-slice end caps
// reach exactly the solid's extent: a cylinder is then represented exactly by its contour stack, while
// spheres and cones carry the stack's staircase error (each plane stands for its slab): that error, not
// the sampling, is what the per-shape bounds below allow for.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <algorithm>
#include <map>
#include <utility>
#include <string>
#include <vector>

#include "sbrtkit/dvh_engine.h"
#include "support/analytic_phantom.h"

namespace sbrtkit {
namespace {

using testing::AnalyticDvh;
using testing::DoseModel;
using testing::Gradient;
using testing::Shape;
using testing::Solid;

struct Endpoint {
  std::string label;
  double truth;
  double measured;
  double relative_error() const { return std::abs(measured - truth) / std::abs(truth); }
};

/// Truth values of the endpoints, in the order of `measured_endpoints` (computed once per solid and
/// dose model: each D needs a bisection over the quadrature).
std::vector<double> true_endpoints(const AnalyticDvh& truth) {
  return {truth.volume_cc(),          truth.min_gy(),           truth.max_gy(),
          truth.mean_gy(),            truth.dose_at_percent(99), truth.dose_at_percent(95),
          truth.dose_at_percent(5),   truth.dose_at_percent(1),  truth.dose_at_volume_cc(0.03)};
}

std::vector<Endpoint> endpoints(const StructureDvh& result, const std::vector<double>& truth) {
  const Dvh& dvh = result.dvh;
  const double v = dvh.covered_volume_cc();
  auto d_percent = [&](double p) { return dvh.dose_at_volume_cc(p / 100 * v).value_or(NAN); };
  return {
      {"Volume", truth[0], dvh.total_volume_cc()},
      {"Min", truth[1], dvh.min_gy()},
      {"Max", truth[2], dvh.max_gy()},
      {"Mean", truth[3], dvh.mean_gy()},
      {"D99%", truth[4], d_percent(99)},
      {"D95%", truth[5], d_percent(95)},
      {"D5%", truth[6], d_percent(5)},
      {"D1%", truth[7], d_percent(1)},
      {"D0.03cc", truth[8], dvh.dose_at_volume_cc(0.03).value_or(NAN)},
  };
}

// SBRTKIT_VERBOSE_SWEEP=1 lists every endpoint beyond 1% instead of 3%.
TEST(DvhAccuracy, NelmsSweepMeetsTheTargets) {
  const PatientPoint centre{3.3, -7.1, 12.4};
  int total = 0, within_1 = 0, within_3 = 0;
  std::map<std::string, std::pair<int, double>> worst_by_endpoint;  // count beyond 1%, worst error
  double worst_cylinder = 0;
  for (Shape shape : {Shape::sphere, Shape::cylinder, Shape::cone}) {
    const Solid solid{shape, 12, 24, centre};
    for (Gradient gradient : {Gradient::along_z, Gradient::along_x}) {
      const DoseModel model{gradient, 30, 1, centre};
      const std::vector<double> truth = true_endpoints(AnalyticDvh(solid, model));
      for (double contour_mm : {0.2, 1.0, 2.0, 3.0}) {
        const Structure structure = testing::contour_solid(solid, contour_mm);
        for (double grid_mm : {1.0, 2.0, 3.0}) {
          for (double shift : {0.0, 0.5}) {
            const DoseVolume dose = testing::make_dose_grid(solid, model, grid_mm, shift);
            auto result = compute_dvh(structure, dose);
            ASSERT_TRUE(result.has_value()) << result.error().message();
            for (const auto& e : endpoints(*result, truth)) {
              const double err = e.relative_error();
              ++total;
              within_1 += err <= 0.01;
              within_3 += err <= 0.03;
              auto& w = worst_by_endpoint[e.label];
              w.first += err > 0.01;
              w.second = std::max(w.second, err);
              if (shape == Shape::cylinder) worst_cylinder = std::max(worst_cylinder, err);
              if (err > (std::getenv("SBRTKIT_VERBOSE_SWEEP") ? 0.01 : 0.03))
                std::printf("  beyond 3%%: %s %s contours %.1f mm grid %.0f mm shift %.1f %s truth %.4f got %.4f\n",
                            to_string(shape).c_str(), to_string(gradient).c_str(), contour_mm, grid_mm, shift,
                            e.label.c_str(), e.truth, e.measured);
            }
          }
        }
      }
    }
  }
  std::printf("Nelms sweep: %d endpoints, %.2f%% within 1%%, %.2f%% within 3%%\n", total, 100.0 * within_1 / total,
              100.0 * within_3 / total);
  for (const auto& [label, w] : worst_by_endpoint)
    std::printf("  %-8s beyond 1%%: %3d   worst %.3f%%\n", label.c_str(), w.first, 100 * w.second);
  std::printf("  worst cylinder endpoint: %.3f%%\n", 100 * worst_cylinder);
  EXPECT_GE(double(within_3) / total, 0.99);
  EXPECT_GE(double(within_1) / total, 0.95);
}

// --- The benchmark as published: planes not aligned with the solid's ends (issue 15) ----------------
// Nelms 2015 contours its solids on planes that fall where the slice grid puts them: the first and last
// planes lie anywhere within one spacing of the solid's ends. Here planes sit at z_low + phase h + k h
// for two phases, every plane where the solid has a cross-section, at 2 and 3 mm (the spacings where an
// independent check of the published data finds the misses). Shapes: sphere R 12 mm, cylinder R 12 mm
// x 24 mm along the stack and across it (axis x, rectangles on the planes), cone R 12 mm x 24 mm; 1 Gy/mm
// gradients along and across the stack; 1, 2, 3 mm dose grids unshifted and shifted by half a voxel.
// The truth is the true solid, not a stack with half-slice caps.

struct Cell {
  int total = 0, within_1 = 0, within_3 = 0;
  double worst = 0;
};
using Table = std::map<std::pair<double, std::string>, Cell>;  // (spacing mm, shape) -> counts

Table offset_plane_benchmark(BetweenPlanes mode) {
  const PatientPoint centre{3.3, -7.1, 12.4};
  Table table;
  for (Shape shape : {Shape::sphere, Shape::cylinder, Shape::cylinder_across, Shape::cone}) {
    const Solid solid{shape, 12, 24, centre};
    for (Gradient gradient : {Gradient::along_z, Gradient::along_x}) {
      const DoseModel model{gradient, 30, 1, centre};
      const std::vector<double> truth = true_endpoints(AnalyticDvh(solid, model));
      for (double contour_mm : {2.0, 3.0}) {
        for (double phase : {0.3, 0.55}) {
          const Structure structure = testing::contour_solid_offset(solid, contour_mm, phase);
          for (double grid_mm : {1.0, 2.0, 3.0}) {
            for (double shift : {0.0, 0.5}) {
              const DoseVolume dose = testing::make_dose_grid(solid, model, grid_mm, shift);
              DvhOptions options;
              options.between_planes = mode;
              auto result = compute_dvh(structure, dose, options);
              EXPECT_TRUE(result.has_value()) << result.error().message();
              if (!result) continue;
              Cell& cell = table[{contour_mm, to_string(shape)}];
              for (const auto& e : endpoints(*result, truth)) {
                const double err = e.relative_error();
                ++cell.total;
                cell.within_1 += err <= 0.01;
                cell.within_3 += err <= 0.03;
                cell.worst = std::max(cell.worst, err);
                if (std::getenv("SBRTKIT_VERBOSE_SWEEP") && err > 0.01)
                  std::printf("  beyond 1%%: %s %s contours %.0f mm phase %.2f grid %.0f mm shift %.1f %s truth "
                              "%.4f got %.4f\n",
                              to_string(shape).c_str(), to_string(gradient).c_str(), contour_mm, phase, grid_mm,
                              shift, e.label.c_str(), e.truth, e.measured);
              }
            }
          }
        }
      }
    }
  }
  return table;
}

Cell print_table(const char* title, const Table& table) {
  std::printf("%s\n  spacing shape              endpoints  within 1%%  within 3%%  worst\n", title);
  Cell all;
  for (const auto& [key, c] : table) {
    std::printf("  %4.0f mm %-17s %9d  %4d %5.1f%%  %4d %5.1f%%  %6.2f%%\n", key.first, key.second.c_str(), c.total,
                c.within_1, 100.0 * c.within_1 / c.total, c.within_3, 100.0 * c.within_3 / c.total, 100 * c.worst);
    all.total += c.total;
    all.within_1 += c.within_1;
    all.within_3 += c.within_3;
    all.worst = std::max(all.worst, c.worst);
  }
  std::printf("  all                        %9d  %4d %5.1f%%  %4d %5.1f%%  %6.2f%%\n", all.total, all.within_1,
              100.0 * all.within_1 / all.total, all.within_3, 100.0 * all.within_3 / all.total, 100 * all.worst);
  return all;
}

/// Floors: what each mode achieved when this test was written (issue 15), per spacing and shape, so a
/// regression in any family fails. They record a measurement, not a target: raise them when the engine
/// improves, never lower them.
struct Floor {
  double spacing;
  const char* shape;
  int within_1, within_3;
};

void expect_floors(const Table& table, const std::vector<Floor>& floors) {
  for (const auto& f : floors) {
    const auto it = table.find({f.spacing, f.shape});
    ASSERT_NE(it, table.end()) << f.shape;
    EXPECT_GE(it->second.within_1, f.within_1) << f.shape << " at " << f.spacing << " mm";
    EXPECT_GE(it->second.within_3, f.within_3) << f.shape << " at " << f.spacing << " mm";
  }
}

TEST(DvhAccuracy, OffsetPlaneBenchmarkSlab) {
  const Table table = offset_plane_benchmark(BetweenPlanes::slab);
  print_table("Offset-plane benchmark, slab model:", table);
  // {spacing, shape, within 1%, within 3%} of 216 endpoints each, measured 2026-12-08 (issue 15).
  expect_floors(table, {
      {2, "cone", 150, 198},
      {2, "cylinder", 192, 216},
      {2, "cylinder-across", 192, 210},
      {2, "sphere", 198, 216},
      {3, "cone", 132, 186},
      {3, "cylinder", 168, 198},
      {3, "cylinder-across", 156, 204},
      {3, "sphere", 180, 198},
  });
}

TEST(DvhAccuracy, OffsetPlaneBenchmarkShape) {
  const Table table = offset_plane_benchmark(BetweenPlanes::shape);
  print_table("Offset-plane benchmark, shape-based interpolation:", table);
  expect_floors(table, {
      {2, "cone", 150, 198},
      {2, "cylinder", 192, 216},
      {2, "cylinder-across", 204, 216},
      {2, "sphere", 210, 216},
      {3, "cone", 126, 186},
      {3, "cylinder", 168, 198},
      {3, "cylinder-across", 186, 204},
      {3, "sphere", 162, 210},
  });
}

}  // namespace
}  // namespace sbrtkit
