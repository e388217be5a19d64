#include "sbrtkit/dicom/rtplan.h"

#include "support/dicom_fixtures.h"
#include "dicom_test_util.h"
#include "sbrtkit/dicom/rt_writer.h"

namespace sbrtkit {
namespace {

using testing::expect_error;
using testing::ScratchDir;

PlanInfo sample_plan() {
  PlanInfo p;
  p.sop_instance_uid = "1.2.3.55";
  p.label = "L3_SBRT";
  p.name = "L3 30Gy/3";
  p.referenced_structure_set_uid = "1.2.3.44";
  p.fractions = 3;
  p.dose_references = {{1, "PTV_L3", "VOLUME", "TARGET", 1, 30.0},
                       {2, "Cord", "VOLUME", "ORGAN_AT_RISK", 5, std::nullopt},
                       {3, "Site", "SITE", "TARGET", std::nullopt, 27.5}};
  return p;
}

TEST(RtPlan, RoundTrip) {
  for (WriteFormat format : {WriteFormat{true, true}, WriteFormat{false, false}}) {
    ScratchDir dir;
    PatientStudy study;
    study.frame_of_reference_uid = "1.2.3.9";
    RtPlanWriteOptions opt;
    opt.series.format = format;
    ASSERT_TRUE(write_rtplan(dir / "RP.dcm", study, sample_plan(), opt));
    auto p = read_rtplan(dir / "RP.dcm");
    ASSERT_TRUE(p) << p.error().message();
    const PlanInfo truth = sample_plan();
    EXPECT_EQ(p->sop_instance_uid, truth.sop_instance_uid);
    EXPECT_EQ(p->label, truth.label);
    EXPECT_EQ(p->name, truth.name);
    EXPECT_EQ(p->frame_of_reference_uid, "1.2.3.9");
    EXPECT_EQ(p->referenced_structure_set_uid, "1.2.3.44");
    EXPECT_EQ(p->fractions, 3);
    ASSERT_EQ(p->dose_references.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      const auto &a = p->dose_references[i], &b = truth.dose_references[i];
      EXPECT_EQ(a.number, b.number);
      EXPECT_EQ(a.description, b.description);
      EXPECT_EQ(a.structure_type, b.structure_type);
      EXPECT_EQ(a.type, b.type);
      EXPECT_EQ(a.referenced_roi_number, b.referenced_roi_number);
      EXPECT_EQ(a.target_prescription_gy, b.target_prescription_gy);
    }
    EXPECT_EQ(p->prescription_gy(), 30.0);
  }
}

TEST(RtPlan, EmptyFractionCountIsNullopt) {
  ScratchDir dir;
  PlanInfo plan = sample_plan();
  plan.fractions.reset();
  ASSERT_TRUE(write_rtplan(dir / "RP.dcm", PatientStudy{}, plan));
  auto p = read_rtplan(dir / "RP.dcm");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->fractions.has_value());
  testing::remove_attribute(dir / "RP.dcm", "(300A,0070)");
  p = read_rtplan(dir / "RP.dcm");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->fractions.has_value());
}

TEST(RtPlan, MissingLabel) {
  ScratchDir dir;
  ASSERT_TRUE(write_rtplan(dir / "RP.dcm", PatientStudy{}, sample_plan()));
  testing::remove_attribute(dir / "RP.dcm", "(300A,0002)");
  auto p = read_rtplan(dir / "RP.dcm");
  ASSERT_FALSE(p);
  expect_error(p.error(), ErrorCode::missing_tag, dir / "RP.dcm", "(300A,0002) RTPlanLabel");
}

TEST(RtPlan, BadPrescription) {
  ScratchDir dir;
  ASSERT_TRUE(write_rtplan(dir / "RP.dcm", PatientStudy{}, sample_plan()));
  testing::set_attribute(dir / "RP.dcm", "(300A,0010)[0].(300A,0026)", "thirty");
  auto p = read_rtplan(dir / "RP.dcm");
  ASSERT_FALSE(p);
  expect_error(p.error(), ErrorCode::bad_value, dir / "RP.dcm", "(300A,0026) TargetPrescriptionDose");
}

TEST(RtPlan, DoseFileIsNotAPlan) {
  ScratchDir dir;
  ASSERT_TRUE(write_rtdose(dir / "RD.dcm", PatientStudy{}, testing::ramp(testing::reference_grid(), 0.001)));
  auto p = read_rtplan(dir / "RD.dcm");
  ASSERT_FALSE(p);
  expect_error(p.error(), ErrorCode::bad_value, dir / "RD.dcm", "(0008,0060) Modality");
}

}  // namespace
}  // namespace sbrtkit
