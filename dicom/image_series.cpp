#include "sbrtkit/dicom/image_series.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "dicom_common.h"

namespace sbrtkit {

using detail::ItemView;

namespace {

// Positions and cosines are DS text: 0.01 mm absorbs their rounding (2-decimal positions are off by
// at most 0.005 mm) and 1e-4 the rounding of direction cosines, while real irregularities are caught.
constexpr double kPositionTolMm = 0.01;
constexpr double kCosineTol = 1e-4;

struct Slice {
  std::string path;
  std::string sop_instance_uid;
  detail::ImagePlane plane;
  double along_normal_mm = 0;
  std::vector<float> values;
};

struct SeriesHeader {
  std::string series_uid, for_uid, modality, patient_position;
};

Expected<Slice> read_slice(const std::filesystem::path& file, bool load_pixels, SeriesHeader& header) {
  auto loaded = detail::load_dicom(file, !load_pixels);
  if (!loaded) return loaded.error();
  const ItemView ds(loaded->dataset, loaded->path);
  Slice s;
  s.path = loaded->path;
  auto series = ds.required_string(DCM_SeriesInstanceUID);
  if (!series) return series.error();
  auto sop = ds.required_string(DCM_SOPInstanceUID);
  if (!sop) return sop.error();
  s.sop_instance_uid = *sop;
  auto frames = ds.optional_integer(DCM_NumberOfFrames);
  if (!frames) return frames.error();
  if (*frames && **frames != 1)
    return Error::unsupported(s.path, ds.tag(DCM_NumberOfFrames),
                              fmt::format("multi-frame images are not supported ({} frames)", **frames));
  auto plane = detail::read_image_plane(ds);
  if (!plane) return plane.error();
  s.plane = *plane;
  header = {*series, ds.string(DCM_FrameOfReferenceUID), ds.string(DCM_Modality), ds.string(DCM_PatientPosition)};
  if (header.for_uid.empty()) return ds.missing(DCM_FrameOfReferenceUID);
  if (load_pixels) {
    auto slope = ds.optional_number(DCM_RescaleSlope);
    if (!slope) return slope.error();
    // A zero slope maps every stored value to the intercept (a PET of constant activity, SUVs all equal);
    // a negative one inverts the image. Neither is a real CT or PET, so neither is read.
    if (*slope && !(**slope > 0))
      return ds.bad(DCM_RescaleSlope, "a positive rescale slope", fmt::format("{}", **slope));
    auto intercept = ds.optional_number(DCM_RescaleIntercept);
    if (!intercept) return intercept.error();
    auto stored = detail::read_stored_pixels(*loaded, plane->rows * plane->columns);
    if (!stored) return stored.error();
    const double m = slope->value_or(1.0), b = intercept->value_or(0.0);
    s.values.resize(stored->size());
    for (std::size_t n = 0; n < stored->size(); ++n) s.values[n] = static_cast<float>((*stored)[n] * m + b);
  }
  return s;
}

bool same_direction(Vec3 a, Vec3 b) { return norm(a - b) <= kCosineTol; }

}  // namespace

Expected<ImageSeries> read_image_series(const std::vector<std::filesystem::path>& files, bool load_pixels) {
  if (files.empty()) return Error::bad_argument("files", "at least one image file", "none");
  std::vector<Slice> slices;
  slices.reserve(files.size());
  ImageSeries out;
  for (const auto& f : files) {
    SeriesHeader h;
    auto s = read_slice(f, load_pixels, h);
    if (!s) return s.error();
    if (slices.empty()) {
      out.series_instance_uid = h.series_uid;
      out.frame_of_reference_uid = h.for_uid;
      out.modality = h.modality;
      out.patient_position = h.patient_position;
    } else {
      const auto& first = slices.front();
      const auto mismatch = [&](const DcmTagKey& key, const std::string& a, const std::string& b) {
        return Error::inconsistent(s->path, detail::tag_text(key),
                                   fmt::format("'{}' differs from '{}' in {}", a, b, first.path));
      };
      if (h.series_uid != out.series_instance_uid)
        return mismatch(DCM_SeriesInstanceUID, h.series_uid, out.series_instance_uid);
      if (h.for_uid != out.frame_of_reference_uid)
        return mismatch(DCM_FrameOfReferenceUID, h.for_uid, out.frame_of_reference_uid);
      if (!same_direction(s->plane.row_cosine, first.plane.row_cosine) ||
          !same_direction(s->plane.column_cosine, first.plane.column_cosine))
        return Error::inconsistent(s->path, detail::tag_text(DCM_ImageOrientationPatient),
                                   "orientation differs from " + first.path);
      if (s->plane.rows != first.plane.rows || s->plane.columns != first.plane.columns)
        return Error::inconsistent(s->path, detail::tag_text(DCM_Rows),
                                   fmt::format("{}x{} pixels differs from {}x{} in {}", s->plane.columns,
                                               s->plane.rows, first.plane.columns, first.plane.rows, first.path));
      if (std::abs(s->plane.row_step_mm - first.plane.row_step_mm) > 1e-4 ||
          std::abs(s->plane.column_step_mm - first.plane.column_step_mm) > 1e-4)
        return Error::inconsistent(s->path, detail::tag_text(DCM_PixelSpacing),
                                   "pixel spacing differs from " + first.path);
    }
    slices.push_back(std::move(*s));
  }

  const Vec3 normal = slices.front().plane.normal;
  for (auto& s : slices) s.along_normal_mm = dot(s.plane.position - PatientPoint{}, normal);
  std::sort(slices.begin(), slices.end(),
            [](const Slice& a, const Slice& b) { return a.along_normal_mm < b.along_normal_mm; });

  const std::size_t n = slices.size();
  double spacing_mm = 1.0;
  if (n > 1) {
    for (std::size_t k = 1; k < n; ++k)
      if (slices[k].along_normal_mm - slices[k - 1].along_normal_mm <= kPositionTolMm)
        return Error::inconsistent(slices[k].path, detail::tag_text(DCM_ImagePositionPatient),
                                   "same slice position as " + slices[k - 1].path);
    spacing_mm = (slices.back().along_normal_mm - slices.front().along_normal_mm) / double(n - 1);
    const PatientPoint p0 = slices.front().plane.position;
    for (std::size_t k = 0; k < n; ++k) {
      const PatientPoint expected = p0 + (double(k) * spacing_mm) * normal;
      const double along_err = std::abs(dot(slices[k].plane.position - expected, normal));
      if (along_err > kPositionTolMm)
        return Error::unsupported(
            slices[k].path, detail::tag_text(DCM_ImagePositionPatient),
            fmt::format("non-uniform slice spacing is not supported: slice at {} mm along the normal, a uniform "
                        "series would have it at {} mm",
                        detail::ds_text(slices[k].along_normal_mm),
                        detail::ds_text(slices.front().along_normal_mm + double(k) * spacing_mm)));
      if (norm(slices[k].plane.position - expected) > kPositionTolMm)
        return Error::unsupported(slices[k].path, detail::tag_text(DCM_ImagePositionPatient),
                                  "slices are not stacked along the row x column normal (gantry tilt or shear)");
    }
  } else {
    auto loaded = detail::load_dicom(slices.front().path, true);
    if (loaded) {
      auto thickness = ItemView(loaded->dataset, loaded->path).optional_number(DCM_SliceThickness);
      if (thickness && *thickness && **thickness > 0) spacing_mm = **thickness;
    }
  }

  const auto& p = slices.front().plane;
  out.geometry = ImageGeometry({p.columns, p.rows, static_cast<std::int64_t>(n)}, p.position,
                               Vec3{p.column_step_mm, p.row_step_mm, spacing_mm},
                               {p.row_cosine, p.column_cosine, normal});
  for (const auto& s : slices) out.sop_instance_uids.push_back(s.sop_instance_uid);
  if (load_pixels) {
    out.values = Volume<float>(out.geometry);
    const std::size_t per_slice = static_cast<std::size_t>(p.rows * p.columns);
    for (std::size_t k = 0; k < n; ++k)
      std::copy(slices[k].values.begin(), slices[k].values.end(),
                out.values.voxels.begin() + static_cast<std::ptrdiff_t>(k * per_slice));
  }
  return out;
}

}  // namespace sbrtkit
