#include "sbrtkit/dicom/rtdose.h"

#include <fmt/format.h>

#include <cmath>

#include "dicom_common.h"

namespace sbrtkit {

using detail::ItemView;

namespace {

// GridFrameOffsetVector values are DS text; 0.01 mm absorbs their rounding (and typical TPS float
// noise) while any real irregularity of a dose grid (>= 0.1 mm) is still caught.
constexpr double kOffsetTolMm = 0.01;

/// Frame offsets along the row x column normal, relative to ImagePositionPatient (form (a) of
/// PS3.3 C.8.8.3.2), converted from the absolute form (b) when needed.
Expected<std::vector<double>> relative_offsets(const ItemView& ds, const detail::ImagePlane& plane,
                                               std::int64_t frames) {
  auto offsets = ds.numbers(DCM_GridFrameOffsetVector);
  if (!offsets) return offsets.error();
  if (offsets->empty()) {
    if (frames > 1) return ds.missing(DCM_GridFrameOffsetVector);
    return std::vector<double>{0.0};
  }
  if (static_cast<std::int64_t>(offsets->size()) != frames)
    return ds.bad(DCM_GridFrameOffsetVector, fmt::format("{} values (NumberOfFrames)", frames),
                  fmt::format("{} values", offsets->size()));
  std::vector<double> rel = *offsets;
  const double first = rel.front();
  if (std::abs(first) <= kOffsetTolMm) {
    // Form (a): already relative.
  } else if (std::abs(first - plane.position.z) <= kOffsetTolMm && std::abs(std::abs(plane.normal.z) - 1) < 1e-6) {
    // Form (b): absolute z. The standard defines it for IOP 1\0\0\0\1\0 (normal +z); for another axial
    // orientation the normal is +-z and the distance along it is (z - z0) * normal.z.
    for (double& o : rel) o = (o - first) * plane.normal.z;
  } else {
    return ds.bad(DCM_GridFrameOffsetVector,
                  fmt::format("first value 0 (relative form) or equal to ImagePositionPatient z = {} with an "
                              "axial ImageOrientationPatient (absolute form)",
                              detail::ds_text(plane.position.z)),
                  detail::ds_text(first));
  }
  return rel;
}

}  // namespace

Expected<RtDose> read_rtdose(const std::filesystem::path& file) {
  auto loaded = detail::load_dicom(file);
  if (!loaded) return loaded.error();
  const ItemView ds(loaded->dataset, loaded->path);
  if (auto kind = detail::check_object_kind(ds, "RTDOSE", {UID_RTDoseStorage}, "RT Dose"); !kind)
    return kind.error();

  RtDose out;
  out.file = loaded->path;
  auto uid = ds.required_string(DCM_SOPInstanceUID);
  if (!uid) return uid.error();
  out.sop_instance_uid = *uid;
  out.frame_of_reference_uid = ds.string(DCM_FrameOfReferenceUID);
  if (out.frame_of_reference_uid.empty()) return ds.missing(DCM_FrameOfReferenceUID);
  for (const auto& ref : ds.sequence(DCM_ReferencedRTPlanSequence))
    if (out.referenced_plan_uid.empty()) out.referenced_plan_uid = ref.string(DCM_ReferencedSOPInstanceUID);
  out.dose_type = ds.string(DCM_DoseType);
  out.summation_type = ds.string(DCM_DoseSummationType);

  auto units = ds.required_string(DCM_DoseUnits);
  if (!units) return units.error();
  if (*units == "GY") {
    out.units = RtDose::Units::gy;
  } else if (*units == "RELATIVE") {
    out.units = RtDose::Units::relative;
  } else {
    return ds.bad(DCM_DoseUnits, "GY or RELATIVE (the only defined terms)", "'" + *units + "'");
  }

  auto plane = detail::read_image_plane(ds);
  if (!plane) return plane.error();
  auto frames_opt = ds.optional_integer(DCM_NumberOfFrames);
  if (!frames_opt) return frames_opt.error();
  const std::int64_t frames = frames_opt->value_or(1);
  // A dose grid has tens to hundreds of frames; the cap keeps Rows x Columns x frames x 4 in range.
  if (frames < 1 || frames > 65535) return ds.bad(DCM_NumberOfFrames, "a count from 1 to 65535", std::to_string(frames));
  auto scaling = ds.required_number(DCM_DoseGridScaling);
  if (!scaling) return scaling.error();
  if (*scaling <= 0) return ds.bad(DCM_DoseGridScaling, "a positive factor", detail::ds_text(*scaling));

  auto offsets = relative_offsets(ds, *plane, frames);
  if (!offsets) return offsets.error();
  double step_mm = 0;
  if (frames > 1) {
    step_mm = ((*offsets)[static_cast<std::size_t>(frames - 1)] - offsets->front()) / double(frames - 1);
    if (std::abs(step_mm) <= kOffsetTolMm)
      return ds.bad(DCM_GridFrameOffsetVector, "distinct frame positions", ds.string(DCM_GridFrameOffsetVector));
    for (std::int64_t f = 0; f < frames; ++f) {
      const double expected = offsets->front() + double(f) * step_mm;
      if (std::abs((*offsets)[static_cast<std::size_t>(f)] - expected) > kOffsetTolMm)
        return Error::unsupported(
            out.file, ds.tag(DCM_GridFrameOffsetVector),
            fmt::format("non-uniform frame spacing is not supported: frame {} is at {} mm, a uniform grid "
                        "would put it at {} mm",
                        f + 1, detail::ds_text((*offsets)[static_cast<std::size_t>(f)]), detail::ds_text(expected)));
    }
  } else {
    auto thickness = ds.optional_number(DCM_SliceThickness);
    if (!thickness) return thickness.error();
    step_mm = *thickness && **thickness > 0 ? **thickness : 1.0;
  }

  const PatientPoint last_frame = plane->position + offsets->back() * plane->normal;
  if (!within_patient_extent(plane->position + offsets->front() * plane->normal) || !within_patient_extent(last_frame))
    return ds.bad(DCM_GridFrameOffsetVector,
                  fmt::format("frames within +-{:g} mm of the origin on each axis", kMaxPatientCoordinateMm),
                  fmt::format("the last frame at ({:g}, {:g}, {:g}) mm", last_frame.x, last_frame.y, last_frame.z));
  const Vec3 k_axis = step_mm > 0 ? plane->normal : -1.0 * plane->normal;
  const PatientPoint origin = plane->position + offsets->front() * plane->normal;
  ImageGeometry geometry({plane->columns, plane->rows, frames}, origin,
                         Vec3{plane->column_step_mm, plane->row_step_mm, std::abs(step_mm)},
                         {plane->row_cosine, plane->column_cosine, k_axis});

  auto stored = detail::read_stored_pixels(*loaded, geometry.voxel_count());
  if (!stored) return stored.error();
  out.dose = DoseVolume(geometry);
  for (std::size_t n = 0; n < stored->size(); ++n) {
    const float gy = static_cast<float>((*stored)[n] * *scaling);
    // A dose is finite, and never negative unless the grid is DoseType ERROR (an error estimate may be
    // signed): a signed PixelRepresentation with negative words in a dose grid, or a scaling that
    // overflows float, is damage.
    if (!std::isfinite(gy))
      return ds.bad(DCM_DoseGridScaling, "a factor giving finite doses",
                    fmt::format("{} x stored value {:g} = {:g}", detail::ds_text(*scaling), (*stored)[n],
                                (*stored)[n] * *scaling));
    if (gy < 0 && out.dose_type != "ERROR")
      return ds.bad(DCM_PixelData, "doses >= 0 (DoseType " + out.dose_type + ")",
                    fmt::format("{:g} at voxel {} ((0028,0103) PixelRepresentation {})", double(gy), n + 1,
                                ds.string(DCM_PixelRepresentation)));
    out.dose.voxels[n] = gy;
  }
  return out;
}

}  // namespace sbrtkit
