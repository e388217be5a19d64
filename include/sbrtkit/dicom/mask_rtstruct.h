#pragma once
/// Lesions as an RT Structure Set over the planning CT, for contouring the next course: each lesion's
/// voxel occupancy (on the PET grid it was found on) is mapped rigidly into the planning frame and traced
/// on the planning CT's slices (occupancy_contours, at the volume-preserving level). The object references the planning CT
/// series and frame of reference and carries the patient and study of the CT, so a planning system
/// imports it over that CT.
///
///   MaskRtStructInput in{.study = *read_patient_study(ct_files.front()), .images = *read_referenced_series(ct_files),
///                        .image_grid = ct.geometry, .series = {.series_number = 901}};
///   in.rois.push_back({"L3 progressing", "GTV", lesion_colour(3), pet_grid, lesion.voxels, pet_to_planning});
///   write_mask_rtstruct("lesions_rtstruct.dcm", in);

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/dicom/rt_writer.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/registration.h"
#include "sbrtkit/slice_render.h"

namespace sbrtkit {

struct MaskRoi {
  std::string name;                       // ROIName, at most 64 characters
  std::string interpreted_type = "GTV";  // RTROIInterpretedType
  Rgb colour;                             // ROIDisplayColor
  ImageGeometry grid;                     // the grid `voxels` index
  LesionVoxels voxels;                    // occupancy weights
  RigidMap to_planning;                   // grid frame -> the planning (image) frame
  std::optional<double> volume_mm3;       // the solid's volume (a PET lesion's MTV); default sum(weight) x voxel
};

struct MaskRtStructInput {
  PatientStudy study;      // of the planning CT; its frame_of_reference_uid is the structure set's
  ReferencedSeries images;  // the planning CT, slice order
  ImageGeometry image_grid;  // the planning CT's grid (contours on its slices)
  SeriesOptions series;
  std::string label = "SBRTKIT_LESIONS";
  std::vector<MaskRoi> rois;
};

/// ROI numbers 1..n in input order; an ROI whose occupancy misses every CT slice is written without
/// contours (and named in the returned list). Errors: no referenced slices, slice count not the grid's,
/// a name longer than 64 characters, write failures (from write_rtstruct).
Expected<std::vector<std::string>> write_mask_rtstruct(const std::filesystem::path& file, const MaskRtStructInput& input);

}  // namespace sbrtkit
