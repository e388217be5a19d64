#pragma once
/// `sbrtkit lesions`: per-lesion PET uptake and planned dose in one table. Lesions come from RTSTRUCT
/// ROIs (name pattern / interpreted type) and/or are segmented on the PET. Everything PET is measured on
/// the native PET grid (no resampling, so SUVmax is a voxel value); the PET frame is mapped rigidly into
/// the planning frame, which places centroids (reported in planning coordinates), carries ROIs onto the
/// PET grid and lesion voxels onto the dose grid.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/registration.h"
#include "sbrtkit/suv.h"

namespace sbrtkit {

/// How the PET frame is mapped into the planning frame.
enum class RegistrationMode {
  automatic,  // same FoR -> direct; a Spatial Registration in the plan/PET folders -> it; else rigid
  none,       // PET coordinates taken as planning coordinates
  rigid,      // rigid registration of the PET study's CT onto the planning CT
  file,       // the Spatial Registration object in RegistrationChoice::file
};
struct RegistrationChoice {
  RegistrationMode mode = RegistrationMode::automatic;
  std::filesystem::path file;  // mode == file only
};
/// The command line's spelling: "auto", "none", "rigid", or the path of a Spatial Registration file.
RegistrationChoice parse_registration_choice(const std::string& text);

struct LesionsRequest {
  std::filesystem::path plan_dir;
  std::optional<std::string> plan_uid;
  std::filesystem::path pet_dir;
  std::optional<std::filesystem::path> pet_ct_dir;  // CT of the PET study, for rigid registration
  RegistrationChoice registration;
  RigidRegistrationOptions registration_options;
  /// A PET-to-planning map the caller already has (`history` places every study once); when set it is
  /// used instead of `registration`, and given_method says in the report how it was found.
  std::optional<RigidMap> given_to_planning;
  std::string given_method;
  /// ROI lesions: comma-separated name globs ('*', '?', case-insensitive) or "type:GTV".
  std::string rois;
  std::optional<ThresholdMode> segment;  // PET segmentation, when asked
  SegmentationOptions segmentation;
  /// Physiological uptake masks (same syntax as rois; "" masks nothing), grown by exclude_margin_mm to take
  /// the organs' spill-out with them, and the largest segmented component kept as a lesion. Defaults:
  /// PhysiologicalUptakeRules, the same as `response`.
  std::string exclude_rois = PhysiologicalUptakeRules{}.exclude_rois;
  double exclude_margin_mm = PhysiologicalUptakeRules{}.exclude_margin_mm;
  double max_volume_cc = PhysiologicalUptakeRules{}.max_volume_cc;
  std::string liver_roi = "Liver";
  /// A liver reference stated by the user (mean and SD of the liver's SUV measured elsewhere, e.g. in a
  /// 3 cm sphere of the right lobe); used instead of liver_roi when set.
  std::optional<LiverReference> stated_liver;
  SuvOverrides suv_overrides;
  SuvType suv_type = SuvType::body_weight;
  double mtv_percent = 41;  // ROI lesions: MTV threshold in % of their SUVmax
  bool mtv_sub_voxel = true;  // MTV/SUVmean on the interpolated isosurface (false: whole voxels)
  std::optional<double> alpha_beta_gy;
  /// Told each step as it starts ("reading the PET", "registering the PET study's CT", ...), for a progress
  /// line; may be called from a worker thread (response runs two studies at once). May be empty.
  std::function<void(const std::string& stage)> on_stage;
};

struct LesionDose {
  std::optional<double> mean_gy, min_gy, max_gy, d98_gy, d95_gy, d50_gy, d2_gy, d0_03cc_gy, v100_pct;
  std::optional<double> bed_d95_gy, eqd2_d95_gy, eqd2_mean_gy;
  double outside_dose_grid_cc = 0;
};

struct LesionRow {
  int id = 0;
  std::string source;  // "PET" or "RTSTRUCT"
  std::string name;    // ROI name, or "PET_<id>"
  LesionUptake uptake;
  PatientPoint centroid_planning;
  PatientPoint suv_peak_planning;  // centre of the SUVpeak sphere
  double threshold_suv = 0;
  std::string covering_ptv;
  /// The RTSTRUCT lesion (--rois) this lesion is, "" when none. A lesion both contoured and segmented on
  /// the PET is ONE row: the ROI's (source "RTSTRUCT+PET", in_roi its own name), with the segmented volume.
  std::string in_roi;
  std::optional<double> segmented_volume_cc;  // RTSTRUCT+PET: volume of the PET component(s) merged into it
  std::optional<double> ptv_distance_mm;  // signed: negative inside the PTV
  std::optional<double> prescription_gy;
  std::optional<int> fractions;
  LesionDose dose;
  std::vector<std::string> warnings;
  LesionVoxels voxels;  // on the PET grid (for the label map and SEG)
};

struct LesionsReport {
  std::string plan_uid, rtstruct, rtdose, rtplan;
  std::string planning_frame_of_reference_uid;  // of the RTSTRUCT: positions and doses are in this frame
  std::string pet_series_uid, pet_frame_of_reference_uid;
  std::vector<std::string> pet_sop_instance_uids;  // slice order
  std::vector<std::filesystem::path> pet_files;     // slice order
  ImageGeometry pet_grid;
  Volume<float> pet_suv;  // the PET in SUV on pet_grid, as every number of the report was measured on
  SuvCalibration suv;
  FrameMapping mapping;
  std::vector<LesionRow> lesions;
  /// Segmented components not reported as lesions, each with the reason (physiological uptake).
  struct Excluded {
    enum class Kind { organ_roi, too_large };  // an ROI masked out; a component above max_volume_cc
    Kind kind = Kind::too_large;
    std::string name;  // the ROI's name (organ_roi)
    double volume_cc = 0, suv_max = 0;
    PatientPoint centroid_planning;  // too_large only
    std::string reason;
  };
  std::vector<Excluded> excluded;
  std::vector<std::string> notes, warnings;
};

Expected<LesionsReport> run_lesions(const LesionsRequest& request);

}  // namespace sbrtkit
