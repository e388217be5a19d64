// The longitudinal phantom: its EQD2 formula against the published test vectors, its hand-counted days
// against the calendar, its designed outcomes against core/lesion_history fed with the analytic lesions
// (no PET blur, no segmentation), and the written DICOM read back: five frames of reference, plan dates,
// each course's RTDOSE in its own frame against the analytic dose at the transformed points.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "sbrtkit/calendar_date.h"
#include "sbrtkit/contour_stack.h"
#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/dicom/rtdose.h"
#include "sbrtkit/dicom/rtplan.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/lesion_history.h"
#include "sbrtkit/phantom/longitudinal.h"
#include "sbrtkit/stack_distance.h"

namespace sbrtkit {
namespace {

namespace fs = std::filesystem;
using namespace phantom;

TEST(LongitudinalPhantom, Eqd2FormulaMatchesPublishedVectors) {
  // sbrt-domain.md section 5: 30 Gy / 3 fx a/b 3 -> 78 Gy; a/b 10 -> 50 Gy; 24 Gy / 1 fx a/b 10 -> 68 Gy;
  // 35 Gy / 5 fx a/b 1.5 -> 85 Gy.
  EXPECT_NEAR(eqd2_gy(30, 3, 3), 78, 1e-12);
  EXPECT_NEAR(eqd2_gy(30, 3, 10), 50, 1e-12);
  EXPECT_NEAR(eqd2_gy(24, 1, 10), 68, 1e-12);
  EXPECT_NEAR(eqd2_gy(35, 5, 1.5), 85, 1e-12);
  EXPECT_EQ(eqd2_gy(0, 3, 2), 0);
}

class LongitudinalModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { patient_ = new LongitudinalPatient(longitudinal_patient(1, PhantomSize::small)); }
  static void TearDownTestSuite() { delete patient_; }
  static LongitudinalPatient* patient_;
};
LongitudinalPatient* LongitudinalModel::patient_ = nullptr;

TEST_F(LongitudinalModel, HandCountedDaysAgreeWithTheCalendar) {
  const auto& p = *patient_;
  ASSERT_EQ(p.days_from_plan.size(), p.courses.size());
  for (std::size_t c = 0; c < p.courses.size(); ++c)
    for (std::size_t s = 0; s < p.studies.size(); ++s)
      EXPECT_EQ(days_between(*parse_calendar_date(p.courses[c].plan_date), *parse_calendar_date(p.studies[s].study_date)),
                p.days_from_plan[c][s])
          << p.courses[c].label << " " << p.studies[s].label;
  // The designed outcomes quote the same counts.
  for (const auto& l : p.lesions)
    for (const auto& o : l.outcomes) {
      const std::size_t c = o.course == "course1" ? 0 : 1;
      if (o.failure_study) {
        const std::size_t s = std::size_t(o.failure_study->back() - '1');
        EXPECT_EQ(*o.days_to_failure, p.days_from_plan[c][s]) << l.name;
      } else {
        EXPECT_EQ(*o.days_followed, p.days_from_plan[c].back()) << l.name;  // censored at the last study
      }
    }
}

TEST_F(LongitudinalModel, CoursesAreApartAndTheSecondReirradiatesTheCauda) {
  const auto& p = *patient_;
  ASSERT_EQ(p.courses.size(), 2u);
  // Sahgal 2012: at least 5 months between courses.
  EXPECT_GT(days_between(*parse_calendar_date(p.courses[0].plan_date), *parse_calendar_date(p.courses[1].plan_date)),
            5 * 30);
  // Both courses put dose into the cauda equina: each course's maximum there is at least 15 Gy.
  const auto planes = plane_positions(course_grids(p.courses[1], PhantomSize::small).ct);
  const StructureMaxTruth m = structure_max_truth(p, 3, "CaudaEquina", 2.0, planes);
  ASSERT_EQ(m.course_max_gy.size(), 2u);
  EXPECT_GT(m.course_max_gy[0], 15);
  EXPECT_GT(m.course_max_gy[1], 15);
  // Voxel-wise sums: the cumulative maximum is at least each course's own and at most their sum.
  for (std::size_t c = 0; c < 2; ++c) EXPECT_GE(m.eqd2_max_gy, m.course_eqd2_max_gy[c]);
  EXPECT_LE(m.eqd2_max_gy, m.course_eqd2_max_gy[0] + m.course_eqd2_max_gy[1] + 1e-9);
  // Half-way between the two levels both courses' spill reaches the cauda: at least 5 Gy from each, so
  // the accumulation there is a real sum, not a maximum of one course.
  for (const auto& pt : p.points)
    if (pt.name == "CaudaEquina_between")
      for (const auto& c : p.courses) EXPECT_GT(course_dose_gy(c, pt.anatomy), 5) << c.label;
}

/// The analytic lesions of one study as the history sees them: voxel centres of a 4 mm lattice (the PET
/// pitch) inside each ellipsoid, uniform SUV (SUVmax = SUVpeak = SUVmean).
LesionStudy analytic_study(const PetTimePoint& tp) {
  LesionStudy s;
  s.label = tp.label;
  s.date = *parse_calendar_date(tp.study_date);
  constexpr double h = 4.0;
  for (const auto& l : tp.lesions) {
    ResponseLesion r;
    r.name = l.name;
    r.voxel_size_mm = h;
    r.voxel_volume_mm3 = h * h * h;
    const Vec3 a = l.semi_axes_mm;
    double sx = 0, sy = 0, sz = 0;
    for (double z = std::floor((l.centre.z - a.z) / h) * h; z <= l.centre.z + a.z; z += h)
      for (double y = std::floor((l.centre.y - a.y) / h) * h; y <= l.centre.y + a.y; y += h)
        for (double x = std::floor((l.centre.x - a.x) / h) * h; x <= l.centre.x + a.x; x += h)
          if (l.contains({x, y, z})) {
            r.points.push_back({x, y, z});
            sx += x, sy += y, sz += z;
          }
    const double n = double(r.points.size());
    r.centroid = {sx / n, sy / n, sz / n};
    r.volume_cc = n * r.voxel_volume_mm3 / 1000;
    r.suv_max = r.suv_peak = r.suv_mean = l.suv;
    r.tlg = l.suv * r.volume_cc;
    s.lesions.push_back(std::move(r));
  }
  return s;
}

TEST_F(LongitudinalModel, DesignedOutcomesFollowFromTheHistoryRules) {
  const auto& p = *patient_;
  std::vector<LesionStudy> studies;
  for (const auto& tp : p.studies) studies.push_back(analytic_study(tp));
  std::vector<LesionCourse> courses;
  for (const auto& c : p.courses) {
    // The course's PTV contour stacks on its planes (anatomy frame), as the RTSTRUCT holds them.
    const auto planes = plane_positions(planning_grids(PhantomSize::small).ct);
    const ContouredStructures cs = contour_structures(c.model, planes);
    std::vector<std::pair<const Target*, StackDistance>> ptvs;
    for (const auto& t : c.model.targets) {
      const Structure* s = cs.set.find(t.ptv_name);
      ASSERT_TRUE(s);
      auto stack = build_contour_stack(*s, EndCap::half, 0);
      ASSERT_TRUE(stack);
      ptvs.emplace_back(&t, StackDistance(*stack));
    }
    LesionCourse lc;
    lc.plan_uid = c.label;
    lc.date = *parse_calendar_date(c.plan_date);
    for (const auto& s : studies) {
      lc.context.emplace_back();
      for (const auto& l : s.lesions) {
        LesionDoseContext ctx;
        double best = 1e18;
        for (const auto& [t, dist] : ptvs)
          if (const double d = dist.signed_distance_mm(l.centroid); d < best) {
            best = d;
            ctx.ptv = t->ptv_name;
            ctx.ptv_distance_mm = d;
            ctx.prescription_gy = t->prescription_gy;
          }
        ctx.centroid_dose_gy = course_dose_gy(c, l.centroid);
        for (const auto& q : l.points) ctx.point_dose_gy.push_back(course_dose_gy(c, q));
        lc.context.back().push_back(std::move(ctx));
      }
    }
    courses.push_back(std::move(lc));
  }
  auto h = build_lesion_history(studies, courses, ResponseRules{});
  ASSERT_TRUE(h) << h.error().message();
  // Lesion names of the model, by the track holding them at their first study.
  std::map<std::string, const LesionTrack*> by_name;
  for (const auto& t : h->lesions) {
    const auto& first = t.timeline.front();
    by_name[studies[first.study].lesions[first.lesion].name] = &t;
  }
  ASSERT_EQ(h->lesions.size(), p.lesions.size());
  for (const auto& l : p.lesions) {
    ASSERT_TRUE(by_name.count(l.name)) << l.name;
    const LesionTrack& t = *by_name[l.name];
    // One ID from first sight to last: the same name at every appearance.
    for (const auto& a : t.timeline) EXPECT_EQ(studies[a.study].lesions[a.lesion].name, l.name);
    for (const auto& o : l.outcomes) {
      const int c = o.course == "course1" ? 0 : 1;
      const LesionCourseOutcome* got = nullptr;
      for (const auto& x : t.outcomes)
        if (x.course == c) got = &x;
      ASSERT_TRUE(got) << l.name << " " << o.course;
      EXPECT_EQ(outcome_name(got->outcome), o.outcome) << l.name << " " << o.course << ": " << got->note;
      EXPECT_EQ(got->treated, o.treated) << l.name << " " << o.course;
      EXPECT_EQ(got->days_to_failure, o.days_to_failure) << l.name << " " << o.course;
      EXPECT_EQ(got->days_followed, o.days_followed) << l.name << " " << o.course;
    }
  }
  ASSERT_EQ(h->courses.size(), 2u);
  EXPECT_EQ(*h->courses[0].days_to_progression, 175);
  EXPECT_EQ(*h->courses[1].days_to_progression, 182);
  EXPECT_TRUE(h->studies[2].oligoprogression);
}

// ---- The written folders ------------------------------------------------------------------------

class LongitudinalWritten : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("sbrtkit_longitudinal_test_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    auto s = write_longitudinal_phantom({*dir_, 1, PhantomSize::small});
    ASSERT_TRUE(s) << s.error().message();
    std::ifstream in(*dir_ / "ground_truth.json");
    truth_ = new nlohmann::json(nlohmann::json::parse(in));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete truth_;
  }
  static fs::path* dir_;
  static nlohmann::json* truth_;
};
fs::path* LongitudinalWritten::dir_ = nullptr;
nlohmann::json* LongitudinalWritten::truth_ = nullptr;

TEST_F(LongitudinalWritten, EveryCourseAndStudyHasItsOwnFrameAndDate) {
  const DicomIndex index = index_directory(*dir_);
  std::set<std::string> frames;
  for (const auto& f : index.files)
    if (!f.frame_of_reference_uid.empty()) frames.insert(f.frame_of_reference_uid);
  EXPECT_EQ(frames.size(), 5u);  // two courses, three studies
  const auto& t = *truth_;
  ASSERT_EQ(t["courses"].size(), 2u);
  ASSERT_EQ(t["studies"].size(), 3u);
  EXPECT_EQ(t["courses"][0]["plan_date"], "2024-01-22");
  EXPECT_EQ(t["courses"][1]["plan_date"], "2024-08-05");
  auto plan = read_rtplan(*dir_ / "course1" / "rtplan.dcm");
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->fractions.value_or(0), 3);
  // The reference course maps by the identity.
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) EXPECT_EQ(t["courses"][1]["transform"]["to_reference"][r][c].get<double>(), r == c ? 1.0 : 0.0);
}

TEST_F(LongitudinalWritten, CourseDoseInItsOwnFrameMatchesTheAnalyticDose) {
  // Course 1's RTDOSE is in course 1's frame: reading it at T p (T from the ground truth) must give the
  // analytic dose at p. Tolerance: the 4 mm grid read trilinearly at the flat GTV plateau and in the
  // cauda's slope (about 1.5 Gy/mm next to the PTV): within 2 Gy at the cauda point, 1% at the GTV centre.
  const auto patient = longitudinal_patient(1, PhantomSize::small);
  auto dose = read_rtdose(*dir_ / "course1" / "rtdose.dcm");
  ASSERT_TRUE(dose) << dose.error().message();
  const auto& m = (*truth_)["courses"][0]["transform"]["to_reference"];
  // to_reference maps frame -> reference; invert the rotation about z for the check by applying T directly.
  const RigidTransform& T = patient.courses[0].anatomy_to_frame;
  for (const auto& pt : patient.points) {
    const PatientPoint f = T.apply(pt.anatomy);
    // The ground-truth matrix maps f back onto the point.
    const double x = m[0][0].get<double>() * f.x + m[0][1].get<double>() * f.y + m[0][2].get<double>() * f.z + m[0][3].get<double>();
    const double y = m[1][0].get<double>() * f.x + m[1][1].get<double>() * f.y + m[1][2].get<double>() * f.z + m[1][3].get<double>();
    const double z = m[2][0].get<double>() * f.x + m[2][1].get<double>() * f.y + m[2][2].get<double>() * f.z + m[2][3].get<double>();
    EXPECT_NEAR(x, pt.anatomy.x, 1e-9);
    EXPECT_NEAR(y, pt.anatomy.y, 1e-9);
    EXPECT_NEAR(z, pt.anatomy.z, 1e-9);
    const double truth = course_dose_gy(patient.courses[0], pt.anatomy);
    const auto read = dose_at(dose->dose, f);
    ASSERT_TRUE(read) << pt.name;
    if (pt.name == "GTV_L3_centre") EXPECT_NEAR(*read, truth, 0.01 * truth) << pt.name;
    if (pt.name == "CaudaEquina_anterior_L3") EXPECT_NEAR(*read, truth, 2.0) << pt.name;
  }
}

TEST_F(LongitudinalWritten, SameSeedSameBytes) {
  // UIDs come from the seed and size, nothing from the clock: a second run writes identical files.
  const fs::path again = dir_->string() + "_again";
  fs::remove_all(again);
  auto s = write_longitudinal_phantom({again, 1, PhantomSize::small});
  ASSERT_TRUE(s) << s.error().message();
  const auto bytes = [](const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  std::size_t compared = 0;
  for (const auto& f : s->files) {
    EXPECT_EQ(bytes(*dir_ / f), bytes(again / f)) << f;
    ++compared;
  }
  EXPECT_GT(compared, 600u);  // 2 x (CT + 3 RT objects) and 3 x (CT + PET) slices, the ground truth
  fs::remove_all(again);
}

TEST_F(LongitudinalWritten, AFolderHoldingOtherFilesIsRefused) {
  const fs::path other = *dir_ / "course1" / "ct";  // holds files, no ground_truth.json
  auto s = write_longitudinal_phantom({other, 1, PhantomSize::small});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("--out"), std::string::npos) << s.error().message();
}

}  // namespace
}  // namespace sbrtkit
