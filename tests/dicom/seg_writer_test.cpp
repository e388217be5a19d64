// DICOM SEG of lesions: SegmentsOverlap computed from the voxels, each segment's colour as CIELab, the
// series number asked for; read back through DCMTK and checked by dciodvfy.
#include "sbrtkit/dicom/seg_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <memory>

#include "dicom_test_util.h"
#include "sbrtkit/dicom/rt_writer.h"
#include "sbrtkit/palette.h"
#include "support/dicom_fixtures.h"

namespace sbrtkit {
namespace {

using testing::ScratchDir;

struct WrittenSeg {
  std::string overlap, series_number;
  std::vector<std::array<Uint16, 3>> lab;
};

WrittenSeg read_back(const std::filesystem::path& file) {
  WrittenSeg out;
  DcmFileFormat ff;
  EXPECT_TRUE(ff.loadFile(file.c_str()).good());
  OFString text;
  if (ff.getDataset()->findAndGetOFString(DCM_SegmentsOverlap, text).good()) out.overlap = text.c_str();
  if (ff.getDataset()->findAndGetOFString(DCM_SeriesNumber, text).good()) out.series_number = text.c_str();
  DcmSegmentation* raw = nullptr;
  EXPECT_TRUE(DcmSegmentation::loadFile(file.c_str(), raw).good());
  std::unique_ptr<DcmSegmentation> seg(raw);
  if (!seg) return out;
  for (Uint16 n = 1; n <= seg->getNumberOfSegments(); ++n) {
    std::array<Uint16, 3> lab{};
    DcmSegment* s = seg->getSegment(n);
    EXPECT_TRUE(s && s->getRecommendedDisplayCIELabValue(lab[0], lab[1], lab[2]).good()) << n;
    out.lab.push_back(lab);
  }
  return out;
}

class SegWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    const ImageGeometry g = testing::reference_grid();  // 4 x 3 x 5
    auto pet = write_pet_series(dir_ / "pet", PatientStudy{}, Volume<float>(g, 5000.0f));
    ASSERT_TRUE(pet);
    in_.source_files = pet->files;
    in_.grid = g;
  }
  ScratchDir dir_;
  SegInput in_;
};

TEST_F(SegWriter, OverlappingSegmentsAreStatedWithTheirColours) {
  // Voxel 13 is in both segments.
  in_.segments.push_back({"PET_1", "PET", {12, 13}, {1.0f, 1.0f}, lesion_colour(1)});
  in_.segments.push_back({"GTV", "RTSTRUCT", {13, 40}, {1.0f, 0.9f}, Rgb{255, 0, 0}});
  in_.series_number = 910;
  ASSERT_TRUE(write_lesion_seg(dir_ / "seg.dcm", in_));
  const WrittenSeg w = read_back(dir_ / "seg.dcm");
  EXPECT_EQ(w.overlap, "YES");
  EXPECT_EQ(w.series_number, "910");
  ASSERT_EQ(w.lab.size(), 2u);
  // Red by hand (Lindbloom D50: L* 54.29, a* 80.81, b* 69.89, DICOM-scaled), within the 0.01 of the
  // published digits (7, 3 and 3 units).
  EXPECT_NEAR(w.lab[1][0], 35580, 7);
  EXPECT_NEAR(w.lab[1][1], 53664, 3);
  EXPECT_NEAR(w.lab[1][2], 50856, 3);
  const auto rose = dicom_cielab(srgb_to_cielab(lesion_colour(1)));
  EXPECT_EQ(w.lab[0], (std::array<Uint16, 3>{rose[0], rose[1], rose[2]}));
  if (testing::have_dciodvfy()) {
    const auto errors = testing::dciodvfy_errors(dir_ / "seg.dcm");
    EXPECT_TRUE(errors.empty()) << testing::join(errors);
  }
}

TEST_F(SegWriter, DisjointSegmentsSayNo) {
  // A voxel below weight 0.5 is not in its segment, so sharing it is not an overlap; a segment listing
  // one voxel twice does not overlap itself.
  in_.segments.push_back({"PET_1", "PET", {12, 13, 13}, {1.0f, 1.0f, 1.0f}, lesion_colour(1)});
  in_.segments.push_back({"PET_2", "PET", {12, 40}, {0.4f, 1.0f}, lesion_colour(2)});
  EXPECT_EQ(segments_overlap(in_.segments), "NO");
  ASSERT_TRUE(write_lesion_seg(dir_ / "seg.dcm", in_));
  const WrittenSeg w = read_back(dir_ / "seg.dcm");
  EXPECT_EQ(w.overlap, "NO");
  EXPECT_EQ(w.series_number, std::to_string(output_series::lesions_seg));
  in_.segments[1].weight[0] = 0.5f;
  EXPECT_EQ(segments_overlap(in_.segments), "YES");
}

TEST(OutputSeries, NumbersAreDistinct) {
  const std::vector<int> n = {output_series::lesions_seg, output_series::lesions_rtstruct, output_series::response_seg,
                              output_series::followup_lesions_rtstruct, output_series::response_registration};
  for (std::size_t a = 0; a < n.size(); ++a)
    for (std::size_t b = a + 1; b < n.size(); ++b) EXPECT_NE(n[a], n[b]);
}

}  // namespace
}  // namespace sbrtkit
