#include "sbrtkit/dicom/seg_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "dicom_common.h"
#include "sbrtkit/dicom/rt_writer.h"
#include "sbrtkit/palette.h"

namespace sbrtkit {
namespace {

Error dcmtk_error(const std::filesystem::path& file, const std::string& step, const OFCondition& c) {
  return Error::io(file.string(), fmt::format("DICOM SEG: {}: {}", step, c.text()));
}

}  // namespace

std::string segments_overlap(const std::vector<SegSegment>& segments) {
  std::vector<std::int64_t> all;
  for (const auto& s : segments) {
    std::vector<std::int64_t> own;
    for (std::size_t q = 0; q < s.index.size(); ++q)
      if (s.weight[q] >= 0.5f) own.push_back(s.index[q]);
    std::sort(own.begin(), own.end());
    own.erase(std::unique(own.begin(), own.end()), own.end());  // a segment does not overlap itself
    all.insert(all.end(), own.begin(), own.end());
  }
  std::sort(all.begin(), all.end());
  return std::adjacent_find(all.begin(), all.end()) != all.end() ? "YES" : "NO";
}

Status write_lesion_seg(const std::filesystem::path& file, const SegInput& in) {
  detail::quiet_dcmtk();
  const ImageGeometry& g = in.grid;
  if (in.source_files.empty() || static_cast<std::int64_t>(in.source_files.size()) != g.size()[2])
    return Error::bad_argument("SEG source files", fmt::format("{} slice files", g.size()[2]),
                               std::to_string(in.source_files.size()));
  // Source slice SOP class and instance UIDs, for the derivation references.
  std::vector<std::pair<std::string, std::string>> sources;
  std::string source_series;
  for (const auto& f : in.source_files) {
    auto loaded = detail::load_dicom(f, true);
    if (!loaded) return loaded.error();
    const detail::ItemView ds(loaded->dataset, loaded->path);
    source_series = ds.string(DCM_SeriesInstanceUID);
    sources.emplace_back(ds.string(DCM_SOPClassUID), ds.string(DCM_SOPInstanceUID));
  }

  DcmSegmentation* raw = nullptr;
  IODGeneralEquipmentModule::EquipmentInfo equipment("sbrtkit", "sbrtkit lesions", "0", "0.1");
  ContentIdentificationMacro content("1", "LESIONS", "sbrtkit lesions", "sbrtkit");
  OFCondition c = DcmSegmentation::createBinarySegmentation(raw, static_cast<Uint16>(g.size()[1]),
                                                            static_cast<Uint16>(g.size()[0]), equipment, content);
  if (c.bad()) return dcmtk_error(file, "create", c);
  std::unique_ptr<DcmSegmentation> seg(raw);
  c = seg->importFromSourceImage(in.source_files.front().c_str());
  if (c.bad()) return dcmtk_error(file, "import patient/study/frame of reference", c);
  seg->getSeries().setSeriesInstanceUID(make_uid().c_str());
  seg->getSeries().setSeriesDescription(in.series_description.c_str());
  seg->getSeries().setSeriesNumber(std::to_string(in.series_number).c_str());

  FGPixelMeasures pixel;
  pixel.setPixelSpacing(detail::ds_text(std::vector<double>{g.spacing_mm().y, g.spacing_mm().x}).c_str());
  pixel.setSliceThickness(detail::ds_text(g.spacing_mm().z).c_str());
  if ((c = seg->getFunctionalGroups().addShared(pixel)).bad()) return dcmtk_error(file, "pixel measures", c);
  const Vec3 r = g.axes()[0], col = g.axes()[1];
  std::unique_ptr<FGPlaneOrientationPatient> orientation(FGPlaneOrientationPatient::createMinimal(
      detail::ds_text(r.x).c_str(), detail::ds_text(r.y).c_str(), detail::ds_text(r.z).c_str(),
      detail::ds_text(col.x).c_str(), detail::ds_text(col.y).c_str(), detail::ds_text(col.z).c_str()));
  if ((c = seg->getFunctionalGroups().addShared(*orientation)).bad()) return dcmtk_error(file, "orientation", c);
  const std::string dim_uid = make_uid();
  seg->getDimensions().addDimensionIndex(DCM_ReferencedSegmentNumber, dim_uid.c_str(), DCM_SegmentIdentificationSequence,
                                         "ReferencedSegmentNumber");
  seg->getDimensions().addDimensionIndex(DCM_ImagePositionPatient, dim_uid.c_str(), DCM_PlanePositionSequence,
                                         "ImagePositionPatient");

  const std::int64_t nx = g.size()[0], ny = g.size()[1], per_slice = nx * ny;
  for (const auto& s : in.segments) {
    DcmSegment* segment = nullptr;
    const bool pet = s.source == "PET";
    c = DcmSegment::create(segment, s.label.c_str(), CodeSequenceMacro("49755003", "SCT", "Morphologically Altered Structure"),
                           CodeSequenceMacro("108369006", "SCT", "Neoplasm"),
                           pet ? DcmSegTypes::SAT_AUTOMATIC : DcmSegTypes::SAT_MANUAL, pet ? "sbrtkit threshold" : "");
    if (c.bad()) return dcmtk_error(file, "segment '" + s.label + "'", c);
    const auto lab = dicom_cielab(srgb_to_cielab(s.colour));
    if ((c = segment->setRecommendedDisplayCIELabValue(lab[0], lab[1], lab[2])).bad())
      return dcmtk_error(file, "colour of segment '" + s.label + "'", c);
    Uint16 number = 0;
    if ((c = seg->addSegment(segment, number)).bad()) return dcmtk_error(file, "add segment '" + s.label + "'", c);
    std::vector<std::vector<Uint8>> slices(static_cast<std::size_t>(g.size()[2]));
    for (std::size_t q = 0; q < s.index.size(); ++q) {
      if (s.weight[q] < 0.5f) continue;
      const std::int64_t n = s.index[q], k = n / per_slice;
      auto& frame = slices[static_cast<std::size_t>(k)];
      if (frame.empty()) frame.assign(static_cast<std::size_t>(per_slice), 0);
      frame[static_cast<std::size_t>(n % per_slice)] = 1;
    }
    for (std::int64_t k = 0; k < g.size()[2]; ++k) {
      auto& frame = slices[static_cast<std::size_t>(k)];
      if (frame.empty()) continue;
      const PatientPoint p = g.to_patient(VoxelIndex{0, 0, k});
      std::unique_ptr<FGPlanePosPatient> position(FGPlanePosPatient::createMinimal(
          detail::ds_text(p.x).c_str(), detail::ds_text(p.y).c_str(), detail::ds_text(p.z).c_str()));
      FGFrameContent frame_content;
      frame_content.setDimensionIndexValues(number, 0);
      frame_content.setDimensionIndexValues(static_cast<Uint32>(k + 1), 1);
      ImageSOPInstanceReferenceMacro ref;
      ref.setReferencedSOPClassUID(sources[static_cast<std::size_t>(k)].first.c_str());
      ref.setReferencedSOPInstanceUID(sources[static_cast<std::size_t>(k)].second.c_str());
      std::unique_ptr<FGDerivationImage> derivation(DcmSegmentation::createDerivationImageFG({ref}, "lesion segmentation"));
      OFVector<FGBase*> per_frame;
      per_frame.push_back(position.get());
      per_frame.push_back(&frame_content);
      if (derivation) per_frame.push_back(derivation.get());
      if ((c = seg->addFrame(frame.data(), number, per_frame)).bad())
        return dcmtk_error(file, fmt::format("frame of segment {} slice {}", number, k), c);
    }
  }
  const std::filesystem::path tmp = file.string() + ".tmp";
  // Common Instance Reference: the source series and its slices (dcmseg 3.6.7 leaves it to the caller).
  DcmFileFormat ff;
  if ((c = seg->writeDataset(*ff.getDataset())).bad()) return dcmtk_error(file, "write", c);
  // Segmentation Image Module's SegmentsOverlap: dcmseg 3.6.7 has no setter, so it goes in the dataset.
  ff.getDataset()->putAndInsertString(DCM_SegmentsOverlap, segments_overlap(in.segments).c_str());
  DcmItem* series_item = nullptr;
  ff.getDataset()->findOrCreateSequenceItem(DCM_ReferencedSeriesSequence, series_item, -2);
  if (series_item) {
    series_item->putAndInsertString(DCM_SeriesInstanceUID, source_series.c_str());
    for (const auto& [cls, inst] : sources) {
      DcmItem* ref = nullptr;
      series_item->findOrCreateSequenceItem(DCM_ReferencedInstanceSequence, ref, -2);
      if (!ref) continue;
      ref->putAndInsertString(DCM_ReferencedSOPClassUID, cls.c_str());
      ref->putAndInsertString(DCM_ReferencedSOPInstanceUID, inst.c_str());
    }
  }
  if ((c = ff.saveFile(tmp.c_str(), EXS_LittleEndianExplicit)).bad()) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return dcmtk_error(file, "save", c);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return Error::io(file.string(), "cannot rename the SEG into place: " + ec.message());
  return ok();
}

}  // namespace sbrtkit
