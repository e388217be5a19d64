#pragma once
/// The synthetic oligoprogressive mCRPC patient: a pelvis-and-lumbar-spine body with three treated
/// metastases (L3 vertebral body, left external iliac node, right ischium), an SBRT-like plan dose and
/// PSMA PET at two time points. Pure model: no DICOM, no files (pipelines/phantom_writer writes it).
///
/// Every contoured structure is defined slice-wise, as a planning system stores it: on each CT plane
/// a union of ellipses or star-shaped loops r(theta) = r0 (1 + sum a_n cos(n theta + phi_n)), with holes
/// where the anatomy has them (Bladder_Wall is a ring). Ground-truth volumes are exact for the contour
/// stack: sum over planes of the polygon area (shoelace of the exported vertices) times the slab each
/// plane owns (half the gap to each neighbour, half-gap end caps), next to the smooth closed form
/// (pi a b, pi r0^2 (1 + sum a_n^2 / 2)). Patient coordinates are DICOM LPS in mm, head-first supine:
/// +x patient left, +y posterior, +z superior. Deterministic for a seed; different seeds jitter lesion
/// positions and shapes, bowel paths and body radii slightly.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/geometry.h"
#include "sbrtkit/plan.h"
#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit::phantom {

inline constexpr const char* kGeneratorVersion = "sbrtkit-phantom 1.1";  // 1.1: PET PSF, larger untreated lesions

enum class PhantomSize {
  small,     // 128 x 128 px of 3.9 mm, 5 mm slices, dose grid 4 mm: fast tests
  clinical,  // 512 x 512 px of 0.98 mm, 3 mm slices, dose grid 2.5 mm
  large,     // 512 x 512 px of 0.98 mm, 1 mm slices, dose grid 2 mm: benchmarks
};
std::optional<PhantomSize> parse_size(std::string_view text);
std::string_view to_string(PhantomSize size);

/// A rigid patient-repositioning: p_frame = Rz(rotation_z_deg) p_planning + translation_mm, the rotation
/// being about the frame's z axis through its origin.
struct RigidTransform {
  double rotation_z_deg = 0;
  Vec3 translation_mm;

  PatientPoint apply(PatientPoint planning) const;
  PatientPoint apply_inverse(PatientPoint frame) const;
  /// Row-major 4 x 4 homogeneous matrix of apply().
  std::array<double, 16> matrix() const;
};

struct Harmonic {
  int order = 2;
  double amplitude = 0;  // relative to the mean radius; sum of |amplitude| < 1 keeps the loop star-shaped
  double phase_rad = 0;
};

/// A body whose cross-section on the plane z is the star-shaped loop around centre_at(z) with mean
/// radius r0(z) = radius_mm sqrt(1 - ((z - zc) / half_length_mm)^2). The normalised distance rho() is 1
/// exactly on that surface and rho() <= s is the body scaled by s about its centre, so isodose
/// surfaces defined by rho are scaled copies of it.
struct StarBody {
  PatientPoint centre;        // centre of the mid plane
  double tilt_x = 0;          // d(centre x)/dz
  double tilt_y = 0;          // d(centre y)/dz
  double radius_mm = 10;      // mean in-plane radius on the mid plane
  double half_length_mm = 10;
  std::vector<Harmonic> harmonics;

  PatientPoint centre_at(double z) const;
  double mean_radius_at(double z) const;
  double shape_factor(double theta_rad) const;  // 1 + sum a_n cos(n theta + phi_n)
  double rho(PatientPoint p) const;
  /// Area of the smooth loop on plane z: pi r0(z)^2 (1 + sum a_n^2 / 2).
  double smooth_area_mm2(double z) const;
  /// 4/3 pi R^2 c (1 + sum a_n^2 / 2).
  double smooth_volume_mm3() const;
  /// A containing body: mean radius and half length grown by margin_mm, harmonic amplitudes scaled by
  /// R / (R + m) so that the loop on the mid plane is the GTV's pushed out radially by exactly m. This
  /// per-plane radial expansion approximates a 3-D margin (exact on the mid plane, tighter elsewhere).
  StarBody expanded(double margin_mm) const;
};

/// One treated metastasis and its dose shape. Dose relative to Rx as a function of the PTV's rho,
/// C1-continuous at the prescription isodose rho100 (no kink there, so interpolating a dose grid does
/// not cut a notch into the 100% isodose):
///   inside:  hot - (hot - 1) (rho / rho100)^p, a flat GTV plateau with a shoulder; p = S rho100 / (hot - 1)
///            makes its slope at rho100 equal to the outside slope S;
///   outside: (1 - spill) exp(-k (rho - rho100)) + spill exp(-(rho - rho100) R / spill_length), k solved so
///            that the 50% isodose sits at rho50 = cbrt(r50): it encloses r50 times the PTV's volume.
/// rho100 is where the plan is normalised: 1 + kDefaultRxMarginMm / R from build_model(seed); on a dose
/// grid, normalise_on_grid() moves it so that kCoverageGoalPct of the PTV reads >= Rx there.
struct Target {
  std::string key;  // "L3", "Node_L", "Ischium_R"
  std::string gtv_name, ptv_name;
  std::string site;  // "bone" or "lymph_node"
  StarBody gtv, ptv;
  double margin_mm = 3;
  double prescription_gy = 30;
  int fractions = 3;
  double rho100 = 1.0;  // prescription isodose, in PTV rho units
  double hot_spot = 1.2;  // dose at the centre relative to Rx
  double r50 = 4;  // design PIV50 / PTV volume (RTOG 0915 R50%) = rho50^3
  double spill_fraction = 0.25;
  double spill_length_mm = 25;
  double falloff_k = 1;  // solved by solve_profile()
  double shoulder_power = 2;  // solved by solve_profile()
  double grid_coverage_pct = 0;  // V100% of the PTV on the grid normalise_on_grid() used; 0 before

  double rho50() const;
  /// Analytic PIV50 / PIV100 of the smooth isodose surfaces: (rho50 / rho100)^3.
  double gradient_index() const;
  /// Solves falloff_k and shoulder_power for the current rho100, rho50, hot_spot and spill.
  void solve_profile();
  double relative_dose(double rho) const;
};

inline constexpr double kDefaultRxMarginMm = 0.5;
inline constexpr double kCoverageGoalPct = 97.0;

/// Tissue classes of the painted anatomy; HU and PET uptake are looked up per class.
enum class Tissue : std::uint8_t {
  air, fat, soft_tissue, muscle, urine, cortical_bone, marrow, disc, csf, cord, bowel, bowel_gas,
  rectum, kidney, sclerotic_lesion, node, count
};
std::int16_t hounsfield(Tissue tissue);

/// A 2-D loop of a structure or a painted region on one plane: an ellipse (semi-axes a, b rotated by
/// angle) or a star loop (mean radius r0, harmonics of a StarBody).
struct Loop {
  enum class Kind { ellipse, star } kind = Kind::ellipse;
  double cx = 0, cy = 0;
  double a = 0, b = 0, angle_rad = 0;  // ellipse
  double r0 = 0;                       // star
  const std::vector<Harmonic>* harmonics = nullptr;
  bool hole = false;  // a hole in the loops before it on the plane (even-odd rule)

  bool contains(double x, double y) const;
  double smooth_area_mm2() const;
  /// Half-extent of an axis-aligned box containing the loop.
  double bounding_radius() const;
  /// Vertices at uniform parameter angles 2 pi i / n, counter-clockwise, first point not repeated.
  std::vector<std::array<double, 2>> polygon(int vertices) const;
};
/// Shoelace area of a closed polygon (absolute value).
double polygon_area_mm2(const std::vector<std::array<double, 2>>& polygon);

/// All parameters of one patient after the seed's jitter.
struct Model {
  std::uint64_t seed = 1;
  double body_jitter_a_mm = 0, body_jitter_b_mm = 0;
  std::array<double, 5> bowel_phase{};
  std::vector<Target> targets;  // L3, Node_L, Ischium_R
};
Model build_model(std::uint64_t seed);
/// The patient as written for a size: build_model(seed) normalised on planning_grids(size).
Model build_model(std::uint64_t seed, PhantomSize size);

/// Painted regions on the plane z (planning frame), in painting order: later loops overwrite earlier.
struct PaintLoop {
  Loop loop;
  Tissue tissue;
};
std::vector<PaintLoop> paint_list(const Model& model, double z_mm);
/// Tissue at a point of the planning frame (the last painted loop containing it, air outside).
Tissue tissue_at(const Model& model, PatientPoint p);

/// A contoured structure: its loops on the plane z (empty when absent there).
struct StructureDef {
  int roi_number = 0;
  std::string name;
  std::string interpreted_type;  // EXTERNAL, ORGAN, GTV, PTV
  std::array<int, 3> color{};
  std::string note;
};
std::vector<StructureDef> structure_defs(const Model& model);
std::vector<Loop> structure_loops(const Model& model, int roi_number, double z_mm);

inline constexpr int kContourVertices = 180;
inline constexpr int kBodyVertices = 360;

struct StructureTruth {
  StructureDef def;
  double volume_cc = 0;         // exact volume of the exported contour stack (half-gap end caps)
  double smooth_volume_cc = 0;  // same planes and slabs with the smooth loops' closed-form areas
  int planes = 0;
  double z_min_mm = 0, z_max_mm = 0;
};

/// The contours on the planes z_planes (ascending, e.g. the CT slice positions) and their truth.
struct ContouredStructures {
  StructureSet set;
  std::vector<StructureTruth> truth;  // same order as set.structures
};
ContouredStructures contour_structures(const Model& model, const std::vector<double>& z_planes_mm);

/// Planning dose in Gy at a point: sum over targets of Rx x relative_dose(rho of its PTV).
double dose_gy_at(const Model& model, PatientPoint p);

/// Plan normalisation as a planner does it in the TPS, on the dose grid: each target's rho100 is moved
/// (bisection) until kCoverageGoalPct of its PTV contour stack (smooth loops on z_planes_mm, half-gap
/// end caps) receives at least Rx when the dose is sampled at the nodes of dose_grid and interpolated
/// trilinearly, as every DVH tool reads an RTDOSE. The coarser the grid, the further out the analytic
/// 100% isodose has to sit (trilinear interpolation erodes the concave shoulder). Sets grid_coverage_pct.
void normalise_on_grid(Model& model, const ImageGeometry& dose_grid, const std::vector<double>& z_planes_mm);
/// V100% (percent of the PTV contour stack at >= Rx) of one target, read the same way from dose_grid.
double grid_coverage_pct(const Model& model, std::size_t target, const ImageGeometry& dose_grid,
                         const std::vector<double>& z_planes_mm);

/// A dose-volume constraint checked against the analytic dose (TG-101, 3 fractions).
struct ConstraintTruth {
  std::string structure;
  std::string metric;  // TG-263 syntax, e.g. "D5cc[Gy]", "D0.035cc[Gy]"
  double volume_cc = 0;
  double limit_gy = 0;
  double expected_gy = 0;  // from the analytic dose sampled finely over the contour stack
  bool expected_pass = true;
  std::string source;
};
std::vector<ConstraintTruth> evaluate_constraints(const Model& model,
                                                  const std::vector<double>& z_planes_mm);

/// PET lesion: a uniform ellipsoid (axis-aligned in the planning frame) of known SUV.
struct Lesion {
  std::string name;
  std::string status;  // baseline: "baseline"; follow-up: responding, stable, marginal_recurrence,
                       // progressing_out_of_field, new
  bool treated = false;
  std::string target_key;  // treated lesions: the Target key
  PatientPoint centre;     // planning frame
  Vec3 semi_axes_mm;
  double suv = 0;

  double volume_cc() const;
  bool contains(PatientPoint planning) const;
};

struct Radiopharmaceutical {
  std::string name = "Piflufolastat F 18";
  std::string radionuclide = "^18^Fluorine";
  double half_life_s = 6586.2;
  double injected_dose_bq = 200e6;
  std::string injection_datetime;  // YYYYMMDDHHMMSS
  std::string scan_date, scan_time;  // series/acquisition date and time
  double uptake_time_s = 3600;       // scan - injection
  double patient_weight_kg = 80;

  /// Injected dose decayed to the scan start (DecayCorrection START), Bq.
  double decayed_dose_bq() const;
  /// Bq/ml of a voxel of the given SUVbw: SUV x decayed dose / (weight in g).
  double bq_per_ml(double suv) const;
};

struct PetTimePoint {
  std::string label;  // "baseline", "followup"
  RigidTransform planning_to_frame;
  Radiopharmaceutical tracer;
  std::string study_date;
  std::vector<Lesion> lesions;
  ImageGeometry pet_geometry, ct_geometry;  // in the time point's own frame
  /// Scanner resolution: Gaussian FWHM applied by render_pet (0: none). 5 mm on 4 mm voxels gives an
  /// effective resolution of about 6.3 mm FWHM, that of a clinical PSMA PET/CT reconstruction; it is what
  /// the 41%-of-SUVmax rule was calibrated on, and what makes small lesions lose SUVmax.
  double psf_fwhm_mm = 5.0;
};

struct Grids {
  ImageGeometry ct, dose;
};
Grids planning_grids(PhantomSize size);
std::vector<PetTimePoint> pet_time_points(const Model& model, PhantomSize size);

/// Physiological SUV of a tissue class (PSMA-like).
double background_suv(Tissue tissue);

/// Renderers: OpenMP over slices, deterministic for any thread count.
CtVolume render_ct(const Model& model, const ImageGeometry& grid, const RigidTransform& planning_to_frame);
DoseVolume render_dose(const Model& model, const ImageGeometry& grid);
/// Activity concentration in Bq/ml: background point-sampled at voxel centres, lesions averaged over
/// 4 x 4 x 4 sub-samples of each voxel, then blurred by the time point's PSF (apply_psf).
Volume<float> render_pet(const Model& model, const PetTimePoint& time_point);
/// Separable Gaussian of the given FWHM, each tap integrated over its voxel; conserves the total activity
/// away from the image border. Deterministic for any thread count.
void apply_psf(Volume<float>& image, double fwhm_mm);

/// Prescriptions as an RTPLAN carries them (one TARGET DoseReference per PTV, one fraction group).
PlanInfo plan_info(const Model& model, const StructureSet& structures);

/// Z positions of the planes of a grid whose third axis is +z.
std::vector<double> plane_positions(const ImageGeometry& grid);

}  // namespace sbrtkit::phantom
