// `sbrtkit lesions` end to end on the small synthetic patient (generated once per run): PET lesions of the
// baseline and follow-up studies, each in its own frame of reference (rigid registration of the PET's CT
// to the planning CT), against ground_truth.json; outputs read back (CSV/JSON, NRRD, DICOM SEG with DCMTK);
// a missing weight gives exit 2 naming the tag.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/dicom_fixtures.h"

namespace sbrtkit {
namespace {

using ::testing::HasSubstr;
using testing::run_sbrtkit;

class LesionsCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto r = run_sbrtkit({"phantom", "--out", (dir_->path() / "p").string(), "--size", "small"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(dir_->path() / "p" / "ground_truth.json");
    truth_ = new nlohmann::json(nlohmann::json::parse(in));
  }
  static void TearDownTestSuite() {
    delete truth_;
    delete dir_;
  }
  static std::filesystem::path patient() { return dir_->path() / "p"; }
  static nlohmann::json run(const std::string& time_point, const std::filesystem::path& out) {
    const auto r = run_sbrtkit({"lesions", "--plan", (patient() / "planning").string(), "--pet",
                                (patient() / time_point / "pet").string(), "--segment", "percent", "--exclude",
                                "Bladder,Bowel", "--alpha-beta", "10", "--out", out.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(out / "lesions.json");
    return nlohmann::json::parse(in);
  }
  static testing::TempDir* dir_;
  static nlohmann::json* truth_;
};
testing::TempDir* LesionsCommand::dir_ = nullptr;
nlohmann::json* LesionsCommand::truth_ = nullptr;

double distance(const nlohmann::json& a, const nlohmann::json& b) {
  return std::hypot(a[0].get<double>() - b[0].get<double>(), a[1].get<double>() - b[1].get<double>(),
                    a[2].get<double>() - b[2].get<double>());
}

TEST_F(LesionsCommand, PetLesionsAgainstGroundTruthInBothStudies) {
  for (int t = 0; t < 2; ++t) {
    const auto& tp = (*truth_)["pet"][t];
    const std::string label = tp["label"];
    const auto out = dir_->path() / ("out_" + label);
    const nlohmann::json rep = run(label, out);
    ASSERT_TRUE(rep.contains("lesions")) << label;
    std::printf("%s: %s, MI %.4f\n", label.c_str(), rep["frame_mapping"]["method"].get<std::string>().c_str(),
                rep["frame_mapping"]["metric_value"].is_null() ? 0.0 : rep["frame_mapping"]["metric_value"].get<double>());
    std::vector<int> matched(rep["lesions"].size(), 0);
    for (const auto& truth : tp["lesions"]) {
      // Found exactly once: one row whose planning-frame centroid is within 4 mm of the true centre. The
      // centroid of a voxelised ellipsoid is off by a fraction of a 4 mm voxel, the registration by < 1 mm.
      int hits = 0;
      const nlohmann::json* row = nullptr;
      for (std::size_t r = 0; r < rep["lesions"].size(); ++r)
        if (distance(rep["lesions"][r]["centroid_mm"], truth["centre_planning_mm"]) < 4.0) {
          ++hits;
          ++matched[r];
          row = &rep["lesions"][r];
        }
      ASSERT_EQ(hits, 1) << label << " " << truth["name"];
      const double min_semi = std::min({truth["semi_axes_mm"][0].get<double>(), truth["semi_axes_mm"][1].get<double>(),
                                        truth["semi_axes_mm"][2].get<double>()});
      const double suv = truth["suv_max"], volume = truth["volume_cc"];
      std::printf("  %-10s semi %.1f mm  V %.3f -> MTV %.3f (%+.1f%%)  SUV %.2f -> max %.3f mean %.3f peak %.3f  d %.2f mm\n",
                  truth["name"].get<std::string>().c_str(), min_semi, volume, (*row)["mtv_cc"].get<double>(),
                  100 * ((*row)["mtv_cc"].get<double>() / volume - 1), suv, (*row)["suv_max"].get<double>(),
                  (*row)["suv_mean"].get<double>(), (*row)["suv_peak"].get<double>(),
                  distance((*row)["centroid_mm"], truth["centre_planning_mm"]));
      // Above the partial-volume limit (every semi-axis >= 5 mm: the 4 mm voxel around the centre lies
      // wholly inside), the hottest voxel is pure lesion: SUVmax = truth up to the 16-bit storage
      // (max / 65534 relative) and the float SUV factor: 2% is loose.
      if (min_semi >= 5.0) {
        EXPECT_NEAR((*row)["suv_max"].get<double>(), suv, 0.02 * suv) << label << " " << truth["name"];
        // 41% of SUVmax over a background B keeps voxels whose lesion fraction f satisfies
        // f S + (1 - f) B >= 0.41 S, i.e. f >= (0.41 S - B) / (S - B): below 0.41 whenever B > 0, so the
        // MTV can only overshoot the ellipsoid (by its partial surface voxels). Measured at 4 mm voxels:
        // +10..+13% at contrast S/B >= 9.5, +20..+40% at S/B = 3.5..7 (printed above). Only the bound that
        // follows from the rule is asserted: MTV >= 90% of the truth (10% for the voxelisation of the surface).
        EXPECT_GE((*row)["mtv_cc"].get<double>(), 0.9 * volume) << label << " " << truth["name"];
        EXPECT_LE((*row)["suv_mean"].get<double>(), suv * 1.001);
        EXPECT_LE((*row)["suv_peak"].get<double>(), suv * 1.001);
      }
    }
    // Anything not matched is physiological kidney uptake (SUV 30; the phantom has no Kidney ROI to exclude).
    for (std::size_t r = 0; r < matched.size(); ++r)
      if (!matched[r]) EXPECT_NEAR(rep["lesions"][r]["suv_max"].get<double>(), 30.0, 0.6) << label << " row " << r;

    // Registration: the PET-to-planning map applied to each true frame-space centre gives the planning
    // centre within 1 mm, and the rotation is the truth's within 0.5 degree.
    const auto& m = rep["frame_mapping"];
    for (const auto& truth : tp["lesions"]) {
      const auto& f = truth["centre_frame_mm"];
      double p[3];
      for (int i = 0; i < 3; ++i)
        p[i] = m["pet_to_planning_rotation"][3 * i + 0].get<double>() * f[0].get<double>() +
               m["pet_to_planning_rotation"][3 * i + 1].get<double>() * f[1].get<double>() +
               m["pet_to_planning_rotation"][3 * i + 2].get<double>() * f[2].get<double>() +
               m["pet_to_planning_translation_mm"][i].get<double>();
      EXPECT_LT(distance(nlohmann::json{p[0], p[1], p[2]}, truth["centre_planning_mm"]), 1.0) << label << " " << truth["name"];
    }
    EXPECT_NEAR(m["rotation_deg"].get<double>(), std::abs(tp["planning_to_frame"]["rotation_z_deg"].get<double>()), 0.5);

    // Outputs read back: CSV rows, NRRD header, and the SEG through DCMTK with one segment per lesion.
    const std::string csv = testing::read_text(out / "lesions.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), static_cast<long>(rep["lesions"].size()) + 1);
    EXPECT_THAT(testing::read_text(out / "lesions_labels.nrrd"), HasSubstr("space: left-posterior-superior"));
    DcmSegmentation* seg = nullptr;
    ASSERT_TRUE(DcmSegmentation::loadFile((out / "lesions_seg.dcm").c_str(), seg).good());
    EXPECT_EQ(seg->getNumberOfSegments(), rep["lesions"].size());
    delete seg;
  }
}

TEST_F(LesionsCommand, MissingWeightIsExitTwoNamingTheTag) {
  // A copy of the PET with PatientWeight removed from every slice.
  const auto pet = dir_->path() / "pet_no_weight";
  std::filesystem::copy(patient() / "baseline" / "pet", pet);
  for (const auto& f : std::filesystem::directory_iterator(pet)) testing::remove_attribute(f.path(), "0010,1030");
  const auto r = run_sbrtkit({"lesions", "--plan", (patient() / "planning").string(), "--pet", pet.string(),
                              "--segment", "percent", "--out", (dir_->path() / "bad").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("(0010,1030) PatientWeight"));
  // Neither ROIs nor a segmentation: a usage error.
  const auto u = run_sbrtkit({"lesions", "--plan", (patient() / "planning").string(), "--pet", pet.string(), "--out",
                              (dir_->path() / "bad").string()});
  EXPECT_EQ(u.exit_code, 2);
}

}  // namespace
}  // namespace sbrtkit
