#include "sbrtkit/structure_samples.h"

#include <omp.h>

#include <numeric>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/radiobiology.h"
#include "region_sampler.h"
#include "slab_sampler.h"

namespace sbrtkit {
namespace {

/// Collects one task's samples; tasks are concatenated in task order afterwards.
struct CollectVisitor {
  const ContourStack& stack;
  StructureSamples part;

  void volume_sample(double u, double v, double w, double dose, double weight_mm3) {
    part.points.push_back(stack.to_patient(u, v, w));
    part.dose_gy.push_back(float(dose));
    part.weight_mm3.push_back(float(weight_mm3));
  }
  void outside_sample(double, double, double, double weight_mm3) { part.outside_volume_mm3 += weight_mm3; }
  void outside_run(double, double, std::int64_t count, double, double, double weight_mm3) {
    part.outside_volume_mm3 += double(count) * weight_mm3;
  }
  void boundary_dose(double) {}
};

/// Collects a region's samples (already in patient coordinates of the dose frame).
struct RegionCollectVisitor {
  StructureSamples part;
  void volume_sample(double x, double y, double z, double dose, double weight_mm3) {
    part.points.push_back({x, y, z});
    part.dose_gy.push_back(float(dose));
    part.weight_mm3.push_back(float(weight_mm3));
  }
  void outside_sample(double, double, double, double weight_mm3) { part.outside_volume_mm3 += weight_mm3; }
};

/// Concatenates per-task parts in task order.
template <class Part>
void concatenate(std::vector<Part>& parts, StructureSamples& out) {
  std::size_t total = 0;
  for (const auto& p : parts) total += p.part.points.size();
  out.points.reserve(total);
  out.dose_gy.reserve(total);
  out.weight_mm3.reserve(total);
  for (const auto& p : parts) {
    out.points.insert(out.points.end(), p.part.points.begin(), p.part.points.end());
    out.dose_gy.insert(out.dose_gy.end(), p.part.dose_gy.begin(), p.part.dose_gy.end());
    out.weight_mm3.insert(out.weight_mm3.end(), p.part.weight_mm3.begin(), p.part.weight_mm3.end());
    out.outside_volume_mm3 += p.part.outside_volume_mm3;
  }
}

}  // namespace

double StructureSamples::covered_volume_mm3() const {
  return std::accumulate(weight_mm3.begin(), weight_mm3.end(), 0.0);
}

Expected<StructureSamples> sample_structure(const Structure& structure, const DoseVolume& dose_gy,
                                            const DvhOptions& options) {
  auto stack = build_contour_stack(structure, options.end_cap, options.single_plane_thickness_mm);
  if (!stack) return stack.error();
  StructureSamples out;
  if (stack->planes.empty() || stack->nominal_volume_mm3() <= 0) return out;

  const detail::SlabSampler sampler(*stack, dose_gy, detail::choose_step_mm(*stack, dose_gy.geometry, options));
  out.sample_step_mm = sampler.step_mm();
  std::vector<CollectVisitor> parts(sampler.tasks().size(), CollectVisitor{*stack, {}});
#pragma omp parallel for schedule(dynamic, 1) if (!omp_in_parallel())
  for (std::int64_t t = 0; t < std::int64_t(parts.size()); ++t) sampler.run(std::size_t(t), parts[std::size_t(t)]);

  concatenate(parts, out);
  return out;
}

Expected<StructureSamples> sample_region(const ImageGeometry& grid, const LesionVoxels& region,
                                         const RigidMap& grid_to_dose, const DoseVolume& dose_gy,
                                         const DvhOptions& options) {
  if (auto s = detail::check_region(grid, region); !s) return s.error();
  double volume_mm3 = 0;
  for (float w : region.weight) volume_mm3 += std::max(0.0f, w) * grid.voxel_volume_mm3();
  StructureSamples out;
  if (volume_mm3 <= 0) return out;
  const double step_mm = detail::choose_region_step_mm(volume_mm3, dose_gy.geometry, options);
  const detail::RegionSampler sampler(grid, region, grid_to_dose, dose_gy, step_mm);
  out.sample_step_mm = step_mm;
  std::vector<RegionCollectVisitor> parts(sampler.task_count());
#pragma omp parallel for schedule(dynamic, 1) if (!omp_in_parallel())
  for (std::int64_t t = 0; t < std::int64_t(parts.size()); ++t) sampler.run(std::size_t(t), parts[std::size_t(t)]);
  concatenate(parts, out);
  return out;
}

std::optional<double> eqd2_mean_gy(const StructureSamples& samples, int fractions, double alpha_beta_gy) {
  const double covered = samples.covered_volume_mm3();
  if (!(covered > 0)) return std::nullopt;
  double sum = 0;
  for (std::size_t n = 0; n < samples.dose_gy.size(); ++n)
    sum += eqd2_of_physical_dose(samples.dose_gy[n], fractions, alpha_beta_gy) * samples.weight_mm3[n];
  return sum / covered;
}

}  // namespace sbrtkit
