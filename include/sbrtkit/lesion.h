#pragma once
/// PET lesions on the native PET grid: segmentation (absolute SUV, % of the lesion's SUVmax, or a
/// liver-based threshold), 26-connected components, and per-lesion uptake metrics (SUVmax, SUVpeak,
/// SUVmean, MTV, TLG, volume, centroid, longest diameter). Pure computation; coordinates are those of
/// the image's own frame (the pipeline maps them into the planning frame).
///
///   auto seg = segment_lesions(suv, exclude_mask, {.mode = ThresholdMode::percent_of_max});
///   auto kernel = make_peak_kernel(suv.geometry);
///   for (const auto& voxels : seg->lesions) LesionUptake u = measure_uptake(suv, voxels, kernel, 41);

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

using LabelVolume = Volume<std::int32_t>;  // 0 background, 1..n lesions
using MaskVolume = Volume<std::uint8_t>;   // 0 outside, non-zero inside

/// 26-connected components of mask != 0, labelled 1..count in the raster order (k, then j, then i) of
/// each component's first voxel, so the labelling is the same on every run.
struct Components {
  LabelVolume labels;
  int count = 0;
};
Components connected_components(const MaskVolume& mask);

/// The voxels of one lesion (linear indices into its grid, ascending) and the fraction of each that
/// belongs to it (1 for a segmented voxel; the occupancy for an ROI sampled on the grid).
struct LesionVoxels {
  std::vector<std::int64_t> index;
  std::vector<float> weight;
};

enum class ThresholdMode {
  absolute,        // SUV >= absolute_suv
  percent_of_max,  // per local-maximum region: SUV >= percent x that region's SUVmax
  liver,           // SUV >= liver_factor x liver SUVmean + liver_sd_factor x liver SD (PERCIST-style)
};

struct SegmentationOptions {
  ThresholdMode mode = ThresholdMode::percent_of_max;
  double absolute_suv = 4.0;
  double percent = 41.0;
  /// percent_of_max: a region must reach this SUV to seed a lesion (physiological background stays
  /// below); each seed's lesion then grows to percent x its own maximum.
  double seed_suv = 3.0;
  double liver_factor = 1.5;
  double liver_sd_factor = 2.0;
  double min_volume_cc = 0.1;
};

struct Segmentation {
  std::vector<LesionVoxels> lesions;  // ordered by decreasing SUVmax (ties: lower voxel index first)
  std::vector<double> threshold_suv;  // the threshold each lesion was cut at
  std::size_t rejected_small = 0;     // components below min_volume_cc
  std::vector<std::string> notes;     // thresholds used, seeds merged into a hotter lesion
};

/// Liver reference for ThresholdMode::liver: occupancy-weighted mean and SD of the SUV in the liver.
struct LiverReference {
  double mean_suv = 0, sd_suv = 0, volume_cc = 0;
};
LiverReference liver_reference(const Volume<float>& suv, const LesionVoxels& liver);

/// Segments lesions. `exclude` (same grid, may be null) removes physiological uptake (bladder, kidneys);
/// `liver` is required by ThresholdMode::liver. Errors: options out of range (bad_argument), a mask on a
/// different grid, liver mode without a liver reference.
Expected<Segmentation> segment_lesions(const Volume<float>& suv, const MaskVolume* exclude,
                                       const SegmentationOptions& options,
                                       std::optional<LiverReference> liver = std::nullopt);

/// Weights of a sphere of volume_cc (1 cc: radius 6.2035 mm) on a grid's voxels: each offset's weight is
/// the fraction of that voxel inside the sphere (10 x 10 x 10 sub-samples per voxel), so the weights sum to
/// the sphere's volume in voxels within the sub-sampling error.
struct PeakKernel {
  std::vector<std::int64_t> di, dj, dk;
  std::vector<float> weight;
  double radius_mm = 0;
};
PeakKernel make_peak_kernel(const ImageGeometry& grid, double volume_cc = 1.0);

struct SuvPeak {
  double suv = 0;
  VoxelIndex centre;  // voxel the sphere is centred on
};
/// SUVpeak (PERCIST): the highest mean SUV of the sphere centred on any voxel in `centres`. Voxels of
/// the sphere outside the image are left out of the mean. Deterministic; ties go to the lower index.
SuvPeak suv_peak(const Volume<float>& suv, const std::vector<std::int64_t>& centres, const PeakKernel& kernel);

struct LesionUptake {
  double volume_cc = 0;  // sum of weights x voxel volume
  PatientPoint centroid;  // weighted centroid, in the image's frame
  double longest_diameter_mm = 0;  // largest distance between the centres of two lesion voxels
  double suv_max = 0;
  VoxelIndex suv_max_voxel;
  SuvPeak suv_peak;
  double suv_mean = 0;  // over the MTV region
  double mtv_cc = 0;    // volume of the lesion's voxels at or above mtv_threshold_suv
  double mtv_threshold_suv = 0;
  double tlg = 0;       // SUVmean x MTV [g]
};

/// Uptake metrics of one lesion. SUVmax and the SUVpeak centres are taken over voxels with weight >= 0.5
/// (all voxels of a segmented lesion). The MTV region is the lesion's voxels with SUV >= mtv_percent % of
/// SUVmax, or >= mtv_threshold_suv when given (a segmented lesion passes its own threshold, so its MTV is
/// its volume). Empty lesions give zeros.
LesionUptake measure_uptake(const Volume<float>& suv, const LesionVoxels& lesion, const PeakKernel& kernel,
                            double mtv_percent, std::optional<double> mtv_threshold_suv = std::nullopt);

}  // namespace sbrtkit
