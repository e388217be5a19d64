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
#include <map>
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

}  // namespace
}  // namespace sbrtkit
