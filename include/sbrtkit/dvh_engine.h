#pragma once
/// DVH of a planar-contour structure on a dose grid, without binary voxel masks: the structure is
/// sampled with fractional occupancy (exact row intervals in-plane, adaptive sub-sampling across rows and
/// through each contour slab), and dose is trilinearly interpolated at every sample.
/// Results are bit-identical whatever the number of OpenMP threads.

#include <cstddef>
#include <string>
#include <optional>
#include <vector>

#include "sbrtkit/dvh.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/registration.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

/// How far a structure extends beyond its first and last contour planes.
enum class EndCap {
  half,  // half the neighbouring plane gap (what most planning systems display)
  none,  // the stack ends at the outer contour planes
};

/// How the solid is read between contour planes.
enum class BetweenPlanes {
  slab,   // each contour extruded half-way to its neighbours (what most planning systems report)
  shape,  // shape-based: signed distances of adjacent contours interpolated along the stack
};

struct DvhOptions {
  EndCap end_cap = EndCap::half;
  /// slab keeps every result of the slab model bit for bit; shape: see core/shape_interpolation.h.
  BetweenPlanes between_planes = BetweenPlanes::slab;
  /// Slab thickness for a structure contoured on a single plane, where no neighbour gives a gap
  /// (typically the CT slice thickness). 0 means unknown: such a structure gets no volume and a warning.
  double single_plane_thickness_mm = 0;
  /// Sampling density: aim for about this many volume samples per structure (more for tiny ones is
  /// bounded by min_step_mm, fewer for huge ones by max_step_mm).
  std::size_t target_samples = 400000;
  double min_step_mm = 0.05;
  /// Upper bound on the sample step, as a fraction of the smallest dose-grid spacing.
  double max_step_fraction_of_dose_spacing = 1.0;
  double bin_width_gy = 0.001;
};

/// What a DVH warning is about, so that callers select warnings by kind, never by their wording.
enum class DvhWarningKind {
  open_contours,      // OPEN_PLANAR / OPEN_NONPLANAR contours listed but given no volume
  point_contours,     // POINT contours listed but given no volume
  single_plane,       // contoured on one plane: an assumed slab thickness, or no volume
  empty_structure,    // no closed contour with an area, or a region without occupancy
  outside_dose_grid,  // part of the structure lies outside the dose grid; metrics use the covered part
};

struct DvhWarning {
  DvhWarningKind kind;
  std::string text;  // for people: "0.123 cc (1.2%) of the structure lies outside the dose grid; ..."
};

/// The texts of warnings, in order (for outputs that list them).
std::vector<std::string> warning_texts(const std::vector<DvhWarning>& warnings);

struct StructureDvh {
  Dvh dvh;
  /// Volume-weighted centroid of the whole structure (inside and outside the dose grid), patient mm.
  PatientPoint centroid;
  std::vector<DvhWarning> warnings;  // e.g. open contours ignored, part outside the dose grid
};

/// A dose grid prepared once for many structures (its maximum fixes the histogram range).
class DoseField {
 public:
  explicit DoseField(const DoseVolume& dose_gy);
  const DoseVolume& volume() const { return *dose_; }
  double max_gy() const { return max_gy_; }

 private:
  const DoseVolume* dose_;
  double max_gy_ = 0;
};

/// Trilinear dose at a patient point (the dose grid's frame); nullopt outside the grid's cells. In the
/// outer half voxel the value is the edge centre's (what that voxel stands for), as in the DVH kernel.
std::optional<double> dose_at(const DoseVolume& dose_gy, PatientPoint p);

/// Errors: non-planar or oblique-inconsistent contours, planes with fewer than 3 distinct points,
/// non-finite coordinates. An empty structure gives an empty Dvh and a warning, not an error.
Expected<StructureDvh> compute_dvh(const Structure& structure, const DoseField& dose,
                                   const DvhOptions& options = {});
/// DVHs of several structures on one dose grid, in the order given. Structures are spread over the
/// threads (each kernel then runs serially): many small parallel regions cost more in barriers and
/// per-thread histograms than they gain. One structure alone keeps the parallel kernel.
std::vector<Expected<StructureDvh>> compute_dvhs(const std::vector<const Structure*>& structures,
                                                 const DoseField& dose, const DvhOptions& options = {});
/// DVH of a region given as fractional voxel occupancy on its own grid (a PET lesion, occupancy 1 for a
/// segmented voxel), mapped into the dose frame by grid_to_dose. Same engine as for structures: each voxel
/// is cut into cells about the structure sample step on a side (so a 4 mm PET voxel on a 2.5 mm dose
/// grid gets thousands of trilinear dose samples, not 27), each weighted by occupancy x cell volume, the
/// same fixed-point histogram, outside-grid accounting and warnings. The centroid is in the dose frame.
/// Errors: an index outside the grid, weights not one per index.
Expected<StructureDvh> compute_region_dvh(const ImageGeometry& grid, const LesionVoxels& region,
                                          const RigidMap& grid_to_dose, const DoseField& dose,
                                          const DvhOptions& options = {});
/// Convenience for a single structure; prepare a DoseField when computing several.
Expected<StructureDvh> compute_dvh(const Structure& structure, const DoseVolume& dose_gy,
                                   const DvhOptions& options = {});

}  // namespace sbrtkit
