#include "sbrtkit/dicom/rtstruct.h"

#include <fmt/format.h>

#include <map>

#include "dicom_common.h"

namespace sbrtkit {

using detail::ItemView;

namespace {

Expected<ContourType> parse_contour_type(const ItemView& item) {
  auto text = item.required_string(DCM_ContourGeometricType);
  if (!text) return text.error();
  if (*text == "CLOSED_PLANAR") return ContourType::closed_planar;
  if (*text == "CLOSEDPLANAR_XOR") return ContourType::closed_planar_xor;
  if (*text == "OPEN_PLANAR") return ContourType::open_planar;
  if (*text == "OPEN_NONPLANAR") return ContourType::open_nonplanar;
  if (*text == "POINT") return ContourType::point;
  return item.bad(DCM_ContourGeometricType,
                  "POINT, OPEN_PLANAR, OPEN_NONPLANAR, CLOSED_PLANAR or CLOSEDPLANAR_XOR", "'" + *text + "'");
}

Expected<Contour> read_contour(const ItemView& item) {
  Contour contour;
  auto type = parse_contour_type(item);
  if (!type) return type.error();
  contour.type = *type;
  auto count = item.required_integer(DCM_NumberOfContourPoints);
  if (!count) return count.error();
  auto data = item.required_numbers(DCM_ContourData);
  if (!data) return data.error();
  if (data->size() % 3 != 0)
    return item.bad(DCM_ContourData, "x\\y\\z triplets (a multiple of 3 values)",
                    fmt::format("{} values", data->size()));
  const long points = static_cast<long>(data->size() / 3);
  if (*count != points)
    return Error::bad_value(item.file(), item.tag(DCM_NumberOfContourPoints),
                            fmt::format("{} (the number of x\\y\\z triplets in (3006,0050) ContourData)", points),
                            std::to_string(*count));
  const bool closed = contour.type == ContourType::closed_planar || contour.type == ContourType::closed_planar_xor;
  if (closed && points < 3)
    return item.bad(DCM_ContourData, "at least 3 points for a closed contour",
                    fmt::format("{} point{}", points, points == 1 ? "" : "s"));
  contour.points.reserve(static_cast<std::size_t>(points));
  for (std::size_t p = 0; p < data->size(); p += 3) {
    const PatientPoint point{(*data)[p], (*data)[p + 1], (*data)[p + 2]};
    // Damage, not anatomy: refused before any volume is computed (geometry.h says why and the limit).
    if (!within_patient_extent(point))
      return item.bad(DCM_ContourData,
                      fmt::format("coordinates within the plausible patient extent (+-{:g} mm on each axis)",
                                  kMaxPatientCoordinateMm),
                      fmt::format("point {} at ({:g}, {:g}, {:g}) mm", p / 3 + 1, point.x, point.y, point.z));
    contour.points.push_back(point);
  }
  return contour;
}

}  // namespace

Expected<StructureSet> read_rtstruct(const std::filesystem::path& file) {
  auto loaded = detail::load_dicom(file);
  if (!loaded) return loaded.error();
  const ItemView ds(loaded->dataset, loaded->path);
  if (auto kind = detail::check_object_kind(ds, "RTSTRUCT", {UID_RTStructureSetStorage}, "RT Structure Set");
      !kind)
    return kind.error();

  StructureSet set;
  auto uid = ds.required_string(DCM_SOPInstanceUID);
  if (!uid) return uid.error();
  set.sop_instance_uid = *uid;
  set.label = ds.string(DCM_StructureSetLabel);

  for (const auto& for_item : ds.sequence(DCM_ReferencedFrameOfReferenceSequence)) {
    if (set.frame_of_reference_uid.empty()) set.frame_of_reference_uid = for_item.string(DCM_FrameOfReferenceUID);
    for (const auto& study : for_item.sequence(DCM_RTReferencedStudySequence))
      for (const auto& series : study.sequence(DCM_RTReferencedSeriesSequence))
        if (set.referenced_series_uid.empty()) set.referenced_series_uid = series.string(DCM_SeriesInstanceUID);
  }

  if (set.frame_of_reference_uid.empty()) set.frame_of_reference_uid = ds.string(DCM_FrameOfReferenceUID);

  if (!ds.item()->tagExists(DCM_StructureSetROISequence)) return ds.missing(DCM_StructureSetROISequence);
  std::map<long, std::size_t> by_number;
  for (const auto& roi : ds.sequence(DCM_StructureSetROISequence)) {
    auto number = roi.required_integer(DCM_ROINumber);
    if (!number) return number.error();
    if (by_number.count(*number))
      return Error::inconsistent(roi.file(), roi.tag(DCM_ROINumber),
                                 fmt::format("ROI number {} appears twice", *number));
    Structure s;
    s.roi_number = static_cast<int>(*number);
    s.name = roi.string(DCM_ROIName);
    if (set.frame_of_reference_uid.empty())
      set.frame_of_reference_uid = roi.string(DCM_ReferencedFrameOfReferenceUID);
    by_number[*number] = set.structures.size();
    set.structures.push_back(std::move(s));
  }

  if (!set.structures.empty() && !ds.item()->tagExists(DCM_ROIContourSequence))
    return ds.missing(DCM_ROIContourSequence);
  for (const auto& roi : ds.sequence(DCM_ROIContourSequence)) {
    auto number = roi.required_integer(DCM_ReferencedROINumber);
    if (!number) return number.error();
    const auto it = by_number.find(*number);
    if (it == by_number.end())
      return Error::inconsistent(roi.file(), roi.tag(DCM_ReferencedROINumber),
                                 fmt::format("ROI {} is not in (3006,0020) StructureSetROISequence", *number));
    Structure& s = set.structures[it->second];
    const std::string where = fmt::format("ROI {} '{}'", s.roi_number, s.name);
    if (auto color = roi.numbers(DCM_ROIDisplayColor); color && color->size() == 3)
      s.color = std::array<int, 3>{int((*color)[0]), int((*color)[1]), int((*color)[2])};
    for (const auto& item : roi.sequence(DCM_ContourSequence)) {
      auto contour = read_contour(item);
      if (!contour) return contour.error().with_context(where);
      s.contours.push_back(std::move(*contour));
    }
  }

  for (const auto& obs : ds.sequence(DCM_RTROIObservationsSequence)) {
    auto number = obs.optional_integer(DCM_ReferencedROINumber);
    if (!number) return number.error();
    if (!*number) continue;
    if (const auto it = by_number.find(**number); it != by_number.end())
      set.structures[it->second].interpreted_type = obs.string(DCM_RTROIInterpretedType);
  }
  return set;
}

}  // namespace sbrtkit
