#include "sbrtkit/dicom/dicom_index.h"

#include <omp.h>

#include <fstream>

#include "support/dicom_fixtures.h"
#include "dicom_test_util.h"
#include "sbrtkit/dicom/rt_writer.h"

namespace sbrtkit {
namespace {

using ::testing::HasSubstr;
using testing::ScratchDir;

/// patient/ct (5 slices), patient/rs.dcm, plans/a/{rp,rd}.dcm, plans/b/{rp,rd}.dcm and three junk
/// files (text, empty, random bytes), all with implicit VR and no meta header for plan b.
class TwoPlans : public ::testing::Test {
 protected:
  void SetUp() override {
    study_.study_instance_uid = "1.2.3.1";
    study_.frame_of_reference_uid = "1.2.3.2";
    const auto root = dir_.path();
    auto ct = write_ct_series(root / "patient" / "ct", study_, Volume<float>(testing::reference_grid(), 0.0f));
    ASSERT_TRUE(ct);
    StructureSet ss;
    ss.sop_instance_uid = "1.2.3.10";
    ss.structures = {{1, "PTV", "PTV", std::nullopt, {}}};
    ASSERT_TRUE(write_rtstruct(root / "patient" / "rs.dcm", study_, ss,
                               {ct->series_instance_uid, ct->sop_class_uid, ct->sop_instance_uids}));
    const DoseVolume dose(testing::reference_grid(), 1.0f);
    for (const char* name : {"a", "b"}) {
      PlanInfo plan;
      plan.sop_instance_uid = std::string("1.2.3.20.") + (name[0] == 'a' ? "1" : "2");
      plan.label = std::string("PLAN_") + name;
      plan.referenced_structure_set_uid = "1.2.3.10";
      plan.fractions = 3;
      RtPlanWriteOptions popt;
      RtDoseWriteOptions dopt;
      if (name[0] == 'b') popt.series.format = dopt.series.format = {false, false};
      ASSERT_TRUE(write_rtplan(root / "plans" / name / "rp.dcm", study_, plan, popt));
      dopt.referenced_plan_uid = plan.sop_instance_uid;
      ASSERT_TRUE(write_rtdose(root / "plans" / name / "rd.dcm", study_, dose, dopt));
    }
    std::ofstream(root / "notes.txt") << "not DICOM\n";
    std::ofstream(root / "plans" / "empty.bin");
    std::ofstream(root / "patient" / "random.raw", std::ios::binary) << std::string("\x7f\x45\x4c\x46\x02\x01\x01\x00garbage", 15);
  }
  PatientStudy study_;
  ScratchDir dir_;
};

TEST_F(TwoPlans, IndexSkipsJunkAndRecordsReferences) {
  const DicomIndex index = index_directory(dir_.path());
  EXPECT_EQ(index.files.size(), 5u + 1 + 2 + 2);
  EXPECT_EQ(index.non_dicom_files, 3u);
  EXPECT_TRUE(index.unreadable.empty());
  std::size_t doses = 0;
  for (const auto& f : index.files) {
    EXPECT_EQ(f.patient_id, "SBRTKIT0001");
    EXPECT_EQ(f.study_instance_uid, "1.2.3.1");
    if (f.modality == "RTDOSE") {
      ++doses;
      ASSERT_EQ(f.referenced_plan_uids.size(), 1u);
      EXPECT_EQ(f.frame_of_reference_uid, "1.2.3.2");
    }
    if (f.modality == "RTPLAN") EXPECT_EQ(f.referenced_structure_set_uids, std::vector<std::string>{"1.2.3.10"});
    if (f.modality == "RTSTRUCT") {
      EXPECT_EQ(f.referenced_series_uids.size(), 1u);
      EXPECT_EQ(f.frame_of_reference_uid, "1.2.3.2");
    }
  }
  EXPECT_EQ(doses, 2u);
}

TEST_F(TwoPlans, IndexIsTheSameAtAnyThreadCount) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const DicomIndex one = index_directory(dir_.path());
  omp_set_num_threads(4);
  const DicomIndex four = index_directory(dir_.path());
  omp_set_num_threads(saved);
  ASSERT_EQ(one.files.size(), four.files.size());
  for (std::size_t n = 0; n < one.files.size(); ++n) {
    EXPECT_EQ(one.files[n].path, four.files[n].path);
    EXPECT_EQ(one.files[n].sop_instance_uid, four.files[n].sop_instance_uid);
  }
  EXPECT_EQ(one.non_dicom_files, four.non_dicom_files);
  EXPECT_EQ(one.unreadable.size(), four.unreadable.size());
}

TEST_F(TwoPlans, BundlesAndSelection) {
  const auto bundles = find_plans(index_directory(dir_.path()));
  ASSERT_EQ(bundles.size(), 2u);
  for (const auto& b : bundles) {
    ASSERT_TRUE(b.rtplan);
    ASSERT_EQ(b.rtdoses.size(), 1u);
    EXPECT_EQ(b.rtdoses[0].referenced_plan_uids[0], b.rtplan->sop_instance_uid);
    EXPECT_EQ(b.rtdoses[0].path.parent_path(), b.rtplan->path.parent_path());
    ASSERT_TRUE(b.rtstruct);
    EXPECT_EQ(b.rtstruct->sop_instance_uid, "1.2.3.10");
    EXPECT_EQ(b.image_files.size(), 5u);
    EXPECT_TRUE(b.problems.empty()) << b.problems.front();
  }
  auto none = select_plan(bundles, std::nullopt);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::bad_argument);
  EXPECT_THAT(none.error().message(), HasSubstr("1.2.3.20.1 'PLAN_a'"));
  EXPECT_THAT(none.error().message(), HasSubstr("1.2.3.20.2 'PLAN_b'"));
  auto b = select_plan(bundles, "1.2.3.20.2");
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(b->plan_label(), "PLAN_b");
  auto unknown = select_plan(bundles, "9.9");
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message(), HasSubstr("1.2.3.20.1"));
}

TEST_F(TwoPlans, DoseWithoutItsPlanIsLinkedByFrameOfReference) {
  std::filesystem::remove(dir_.path() / "plans" / "b" / "rp.dcm");
  const auto bundles = find_plans(index_directory(dir_.path()));
  ASSERT_EQ(bundles.size(), 2u);
  const PlanBundle& orphan = bundles[1];
  EXPECT_FALSE(orphan.rtplan);
  EXPECT_EQ(orphan.plan_uid(), "1.2.3.20.2");
  ASSERT_TRUE(orphan.rtstruct);
  EXPECT_EQ(orphan.rtstruct->sop_instance_uid, "1.2.3.10");
  EXPECT_EQ(orphan.image_files.size(), 5u);
  ASSERT_EQ(orphan.problems.size(), 1u);
  EXPECT_THAT(orphan.problems[0], HasSubstr("references plan 1.2.3.20.2 which is not in the folder"));
}

TEST_F(TwoPlans, UnreferencedDoseJoinsTheOnlyDoseLessPlanOfItsFrame) {
  // Plan b's dose rewritten without ReferencedRTPlanSequence (some exporters omit it): plan a keeps its
  // own dose, so plan b is the only plan of the frame without one, and the dose joins it, said in a note.
  const DoseVolume dose(testing::reference_grid(), 2.0f);
  RtDoseWriteOptions dopt;  // referenced_plan_uid empty: no ReferencedRTPlanSequence
  ASSERT_TRUE(write_rtdose(dir_.path() / "plans" / "b" / "rd.dcm", study_, dose, dopt));
  const auto bundles = find_plans(index_directory(dir_.path()));
  ASSERT_EQ(bundles.size(), 2u);
  auto b = select_plan(bundles, std::string("1.2.3.20.2"));
  ASSERT_TRUE(b) << b.error().message();
  ASSERT_EQ(b->rtdoses.size(), 1u);
  EXPECT_TRUE(b->rtdoses.front().referenced_plan_uids.empty());
  ASSERT_EQ(b->problems.size(), 1u);
  EXPECT_THAT(b->problems[0], HasSubstr("references no plan; linked to plan"));
  auto a = select_plan(bundles, std::string("1.2.3.20.1"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rtdoses.size(), 1u);  // untouched

  // With plan a's dose gone too, two plans of the frame have no dose: the unreferenced dose cannot be
  // placed, stays on its own, and says so; neither plan gets it.
  std::filesystem::remove(dir_.path() / "plans" / "a" / "rd.dcm");
  const auto ambiguous = find_plans(index_directory(dir_.path()));
  int plans_with_dose = 0;
  bool orphan_reported = false;
  for (const auto& p : ambiguous) {
    if (p.rtplan && !p.rtdoses.empty()) ++plans_with_dose;
    for (const auto& m : p.problems) orphan_reported = orphan_reported || m.find("references no plan") != std::string::npos;
  }
  EXPECT_EQ(plans_with_dose, 0);
  EXPECT_TRUE(orphan_reported);
}

TEST_F(TwoPlans, SingleBundleIsSelectedWithoutUid) {
  std::filesystem::remove_all(dir_.path() / "plans" / "b");
  const auto bundles = find_plans(index_directory(dir_.path()));
  ASSERT_EQ(bundles.size(), 1u);
  auto b = select_plan(bundles, std::nullopt);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(b->plan_uid(), "1.2.3.20.1");
}

TEST_F(TwoPlans, MissingStructureSetIsReported) {
  std::filesystem::remove(dir_.path() / "patient" / "rs.dcm");
  const auto bundles = find_plans(index_directory(dir_.path()));
  ASSERT_EQ(bundles.size(), 2u);
  EXPECT_FALSE(bundles[0].rtstruct);
  ASSERT_FALSE(bundles[0].problems.empty());
  EXPECT_THAT(bundles[0].problems[0], HasSubstr("references structure set 1.2.3.10 which is not in the folder"));
}

TEST(DicomIndex, TruncatedHeaderIsUnreadableNotSkipped) {
  ScratchDir dir;
  ASSERT_TRUE(write_rtplan(dir / "rp.dcm", PatientStudy{}, PlanInfo{}));
  testing::truncate_file(dir / "rp.dcm", 0.3);
  const DicomIndex index = index_directory(dir.path());
  EXPECT_TRUE(index.files.empty());
  ASSERT_EQ(index.unreadable.size(), 1u);
  EXPECT_THAT(index.unreadable[0].message(), HasSubstr("rp.dcm"));
}

}  // namespace
}  // namespace sbrtkit
