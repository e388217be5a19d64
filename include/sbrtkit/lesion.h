#pragma once
/// PET lesions on the native PET grid: segmentation (absolute SUV, % of the lesion's SUVmax above its
/// local background, or a liver-based threshold), 26-connected components, and per-lesion uptake metrics
/// (SUVmax, SUVpeak, SUVmean and MTV on the interpolated image's isosurface, TLG, the activity-recovered
/// mean, volume, centroid, longest diameter). Pure computation; coordinates are those of the image's own
/// frame (the pipeline maps them into the planning frame). docs/lesions.md has the definitions and the
/// accuracy measured against closed forms.
///
///   auto seg = segment_lesions(suv, exclude_mask, {});  // 41% above the local background
///   auto kernel = make_peak_kernel(suv.geometry);
///   std::vector<LesionUptake> rows = measure_lesion_set(suv, seg->lesions, exclude_mask, kernel, {}, &*seg);

#include <cstddef>
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

/// The mask grown by margin_mm: every voxel whose centre is within margin_mm of a set voxel's centre.
/// Used to widen organ masks by the scanner's spill-out (a bladder of SUV 45 still reads SUV 3 four
/// millimetres outside its wall at 6 mm FWHM).
MaskVolume dilate_mask(const MaskVolume& mask, double margin_mm);

/// The voxels of one lesion (linear indices into its grid, ascending) and the fraction of each that
/// belongs to it (1 for a segmented voxel; the occupancy for an ROI sampled on the grid).
struct LesionVoxels {
  std::vector<std::int64_t> index;
  std::vector<float> weight;
};

/// Physiological uptake to leave out of segmentation: the organs' voxels (any occupancy), and for each
/// organ hot enough to seed lesions (SUVmax >= seed_suv: bladder, kidneys, bowel) every voxel within
/// margin_mm of it too, because its blurred rim outside the ROI would seed lesions; a cold organ (rectum)
/// is not grown, so a lesion against it keeps its edge.
struct ExclusionMask {
  MaskVolume mask;
  std::vector<float> suv_max;  // per organ
  std::vector<bool> grown;     // per organ
};
ExclusionMask exclusion_mask(const Volume<float>& suv, const std::vector<LesionVoxels>& organs, double seed_suv,
                             double margin_mm);

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
  /// percent_of_max: the cut is B + percent x (SUVmax - B), with B the median SUV in a shell
  /// background_inner_mm..background_outer_mm around the lesion as the plain percent cut finds it.
  /// Without it (local_background = false) the cut is percent x SUVmax, the classic rule, which takes
  /// in more and more background as the contrast falls (+40% volume at a lesion-to-background of 4).
  bool local_background = true;
  double background_inner_mm = 8;   // beyond the spill-out of a 6-7 mm FWHM scanner (about 1.3 FWHM)
  double background_outer_mm = 16;
  double liver_factor = 1.5;
  double liver_sd_factor = 2.0;
  double min_volume_cc = 0.1;
};

struct Segmentation {
  std::vector<LesionVoxels> lesions;  // ordered by decreasing SUVmax (ties: lower voxel index first)
  std::vector<double> threshold_suv;  // the threshold each lesion was cut at
  std::vector<double> background_suv;  // the local background B of each lesion (0 without one)
  std::size_t rejected_small = 0;     // components below min_volume_cc
  std::vector<std::string> notes;     // thresholds used, seeds merged into a hotter lesion
};

/// Liver reference for ThresholdMode::liver: occupancy-weighted mean and SD of the SUV in the liver.
struct LiverReference {
  double mean_suv = 0, sd_suv = 0, volume_cc = 0;
};
LiverReference liver_reference(const Volume<float>& suv, const LesionVoxels& liver);

/// Physiological uptake that is not a lesion (PSMA PET: kidneys, bladder, bowel, rectum), one definition
/// for `lesions`, `response` and `history`: ROIs masked out of the segmentation (grown by a margin for
/// their spill-out), and segmented components larger than any plausible metastasis.
struct PhysiologicalUptakeRules {
  std::string exclude_rois = "Bladder*,Bowel*,Kidney*,Rectum*";
  double exclude_margin_mm = 8;  // about 1.3 FWHM of a 6-7 mm scanner: the organs' spill-out
  double max_volume_cc = 50;     // larger components are organs (a kidney), not lesions; <= 0 keeps all
};

/// Segments lesions. `exclude` (same grid, may be null) removes physiological uptake (bladder, kidneys);
/// `liver` is required by ThresholdMode::liver. Errors: options out of range (bad_argument), a mask on a
/// different grid, liver mode without a liver reference.
Expected<Segmentation> segment_lesions(const Volume<float>& suv, const MaskVolume* exclude,
                                       const SegmentationOptions& options,
                                       std::optional<LiverReference> liver = std::nullopt);

/// Median SUV of the voxels whose centres lie between inner_mm (excluded) and outer_mm (included) from
/// the nearest voxel centre of `region` (linear indices), leaving out voxels set in `not_background`
/// (other lesions, hot organs; may be null). nullopt when no voxel is left.
std::optional<double> shell_background(const Volume<float>& suv, const std::vector<std::int64_t>& region,
                                       const MaskVolume* not_background, double inner_mm, double outer_mm);

/// Voxels whose centres lie at a distance in (inner_mm, outer_mm] from the nearest voxel centre of
/// `region` (ascending linear indices; inner_mm < 0 includes the region itself). Exact Euclidean distances.
std::vector<std::int64_t> voxels_around(const ImageGeometry& grid, const std::vector<std::int64_t>& region,
                                        double inner_mm, double outer_mm);

/// The same shell's median, robust spread (1.4826 x median absolute deviation: the SD for normal noise,
/// insensitive to a hot neighbour in part of the shell) and the given percentile of its voxels (nearest
/// rank). nullopt when no voxel is left.
struct BackgroundStats {
  double median_suv = 0, robust_sd_suv = 0, percentile_suv = 0;
  std::size_t voxels = 0;
};
std::optional<BackgroundStats> shell_background_stats(const Volume<float>& suv, const std::vector<std::int64_t>& region,
                                                      const MaskVolume* not_background, double inner_mm,
                                                      double outer_mm, double percentile = 95);

/// Activity-recovered (partial-volume-corrected) mean SUV: B + (sum of SUV - B over the region and every
/// voxel within margin_mm of it, except those set in `not_lesion`) x voxel volume / volume_cc. The
/// scanner's blur moves activity out of the lesion but does not destroy it, so for a uniform lesion of
/// known volume on a uniform background this returns its true SUV whatever its size; it is as good as
/// volume_cc (an RTSTRUCT volume, or the MTV) and the background. The margin must cover the spill-out
/// (about 1.3 FWHM).
double recovered_mean_suv(const Volume<float>& suv, const std::vector<std::int64_t>& region, double volume_cc,
                          double background_suv, double margin_mm, const MaskVolume* not_lesion);

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
  double mtv_cc = 0;    // volume at or above mtv_threshold_suv (sub-voxel or whole voxels, UptakeOptions)
  double mtv_threshold_suv = 0;
  double tlg = 0;       // SUVmean x MTV [g]
  double background_suv = 0;      // the local background the MTV cut used
  double suv_mean_recovered = 0;  // recovered_mean_suv over the lesion's volume (see there)
};

/// How measure_uptake cuts the MTV and recovers the mean.
struct UptakeOptions {
  /// MTV region: the lesion's voxels with SUV >= background_suv + mtv_percent % x (SUVmax - background_suv),
  /// or >= mtv_threshold_suv when given (a segmented lesion passes its own cut, so its MTV is its volume).
  double mtv_percent = 41;
  double background_suv = 0;
  std::optional<double> mtv_threshold_suv;
  /// MTV and SUVmean on the isosurface of the interpolated image (4^3 sub-samples per voxel), or on whole
  /// voxels (the count other tools report; off by the voxel lattice, up to 10-20% for a 2 cm lesion at 4 mm).
  bool sub_voxel = true;
  /// recovered_mean_suv: spill margin, and the voxels that are not this lesion's (other lesions,
  /// excluded organs; may be null).
  double spill_margin_mm = 8;
  const MaskVolume* not_lesion = nullptr;
};

/// Uptake metrics of one lesion. SUVmax and the SUVpeak centres are taken over voxels with weight >= 0.5
/// (all voxels of a segmented lesion). Empty lesions give zeros.
LesionUptake measure_uptake(const Volume<float>& suv, const LesionVoxels& lesion, const PeakKernel& kernel,
                            const UptakeOptions& options);

/// Measures a set of lesions of one source (the selected ROIs, or one segmentation) together, so that
/// each lesion's background shell leaves out the other lesions, excluded organs and every voxel hot
/// enough to seed a lesion, and its recovered mean leaves out the other lesions and excluded organs.
/// With a segmentation, each lesion keeps the background and cut it was segmented with; otherwise the
/// background comes from the shell (segmentation.local_background) or is 0. The spill margin of the
/// recovered mean is the shell's inner distance (beyond it the lesion's spill-out is negligible).
struct LesionSetOptions {
  double mtv_percent = 41;
  bool sub_voxel = true;
  /// The same settings the lesions were (or would be) segmented with: local_background and its shell,
  /// seed_suv (voxels at or above it are never background).
  SegmentationOptions segmentation;
};
std::vector<LesionUptake> measure_lesion_set(const Volume<float>& suv, const std::vector<LesionVoxels>& lesions,
                                             const MaskVolume* exclude, const PeakKernel& kernel,
                                             const LesionSetOptions& options,
                                             const Segmentation* segmentation = nullptr);

}  // namespace sbrtkit
