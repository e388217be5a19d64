// Lesion histories on hand-made patients: spheres of voxel centres on a 2 mm lattice, spherical PTVs with
// a hand-chosen dose fall-off, dates whose day counts are added up by hand in the comments. Every
// expected ID, outcome and day count below is decided from the rules in lesion_history.h, not from a run.
#include "sbrtkit/lesion_history.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace sbrtkit {
namespace {

constexpr double kPitchMm = 2.0;

CalendarDate day(const char* iso) {
  auto d = parse_calendar_date(iso);
  EXPECT_TRUE(d) << iso;
  return d ? *d : CalendarDate{};
}

struct Sphere {
  PatientPoint centre;
  double radius_mm;
};

/// A lesion made of the lattice points inside a union of spheres; SUVpeak = suv, SUVmax = 1.2 suv,
/// TLG = 0.8 suv x MTV.
ResponseLesion lesion(const std::string& name, std::vector<Sphere> parts, double suv) {
  ResponseLesion l;
  l.name = name;
  l.voxel_size_mm = kPitchMm;
  l.voxel_volume_mm3 = kPitchMm * kPitchMm * kPitchMm;
  double lo[3] = {1e9, 1e9, 1e9}, hi[3] = {-1e9, -1e9, -1e9};
  for (const auto& s : parts) {
    const double c[3] = {s.centre.x, s.centre.y, s.centre.z};
    for (int a = 0; a < 3; ++a) lo[a] = std::min(lo[a], c[a] - s.radius_mm), hi[a] = std::max(hi[a], c[a] + s.radius_mm);
  }
  double sx = 0, sy = 0, sz = 0;
  for (double z = std::floor(lo[2] / kPitchMm) * kPitchMm; z <= hi[2]; z += kPitchMm)
    for (double y = std::floor(lo[1] / kPitchMm) * kPitchMm; y <= hi[1]; y += kPitchMm)
      for (double x = std::floor(lo[0] / kPitchMm) * kPitchMm; x <= hi[0]; x += kPitchMm) {
        const PatientPoint p{x, y, z};
        bool in = false;
        for (const auto& s : parts) in = in || norm(p - s.centre) <= s.radius_mm;
        if (!in) continue;
        l.points.push_back(p);
        sx += x, sy += y, sz += z;
      }
  const double n = double(l.points.size());
  l.centroid = {sx / n, sy / n, sz / n};
  l.volume_cc = n * l.voxel_volume_mm3 / 1000.0;
  l.suv_peak = suv;
  l.suv_max = 1.2 * suv;
  l.suv_mean = 0.8 * suv;
  l.tlg = l.suv_mean * l.volume_cc;
  return l;
}
ResponseLesion ball(const std::string& name, PatientPoint c, double r, double suv) { return lesion(name, {{c, r}}, suv); }

/// A spherical PTV: full Rx out to 1 mm outside its surface, then falling linearly to 0 over 20 mm.
struct Ptv {
  std::string name;
  PatientPoint centre;
  double radius_mm;
  double rx_gy = 30;
  double dose_gy(PatientPoint p) const {
    const double r = norm(p - centre);
    return rx_gy * std::clamp(1 - (r - radius_mm - 1) / 20, 0.0, 1.0);
  }
};

/// The plan's context at one lesion: nearest PTV by signed centroid distance, dose of all PTVs summed.
LesionDoseContext context(const std::vector<Ptv>& plan, const ResponseLesion& l) {
  LesionDoseContext c;
  const Ptv* nearest = nullptr;
  double best = 1e18;
  for (const auto& p : plan)
    if (const double d = norm(l.centroid - p.centre) - p.radius_mm; d < best) best = d, nearest = &p;
  if (!nearest) return c;
  const auto dose = [&](PatientPoint q) {
    double d = 0;
    for (const auto& p : plan) d += p.dose_gy(q);
    return d;
  };
  c.ptv = nearest->name;
  c.ptv_distance_mm = best;
  c.prescription_gy = nearest->rx_gy;
  c.centroid_dose_gy = dose(l.centroid);
  for (const auto& q : l.points) c.point_dose_gy.push_back(dose(q));
  return c;
}

LesionCourse course(const std::string& uid, const char* date, const std::vector<Ptv>& plan,
                     const std::vector<LesionStudy>& studies) {
  LesionCourse c;
  c.plan_uid = uid;
  c.date = day(date);
  for (const auto& s : studies) {
    c.context.emplace_back();
    for (const auto& l : s.lesions) c.context.back().push_back(context(plan, l));
  }
  return c;
}

const LesionTrack* track_at(const LesionHistory& h, int study, int lesion) {
  for (const auto& t : h.lesions)
    for (const auto& a : t.timeline)
      if (a.study == study && a.lesion == lesion) return &t;
  return nullptr;
}

const LesionCourseOutcome* outcome(const LesionTrack* t, int course) {
  if (!t) return nullptr;
  for (const auto& o : t->outcomes)
    if (o.course == course) return &o;
  return nullptr;
}

// ---- Two courses, three studies: every outcome rule --------------------------------------------

// Course 1 (2024-01-22) treats A at the origin (PTV_A, R 15); course 2 (2024-08-01) treats B, 40 mm
// above (PTV_B, R 12). Studies S0 2024-01-08, S1 2024-07-15, S2 2025-01-20.
//   A: S0 SUVpeak 10 -> S1 4 (responding) -> S2 12, r 10 (progressing, inside PTV_A): local failure
//      after course 1 at S2; untreated by course 2: out-of-field progression after it.
//   B: S0 5 -> S1 9 (+80%, +4: progressing, 25 mm outside PTV_A): out-of-field progression after course
//      1; treated by course 2 (centroid in PTV_B); at S2 it responds, but a new lesion D appears 5 mm
//      outside PTV_B (centroid dose 24 Gy >= 50% of 30 Gy): marginal failure after course 2.
//   C: new at S1, 60 mm lateral: new after course 1; stable at S2: not progressed after course 2.
//   D: new at S2: new after both courses.
// Day counts: 2024-01-22 -> 2024-07-15 = 9 + 29 + 31 + 30 + 31 + 30 + 15 = 175 (leap February);
//             2024-01-22 -> 2025-01-20 = 366 (leap year) - 2 = 364;
//             2024-08-01 -> 2025-01-20 = 31 + 30 + 31 + 30 + 31 + 19 = 172.
class TwoCourses : public ::testing::Test {
 protected:
  void SetUp() override {
    const PatientPoint a{0, 0, 0}, b{0, 0, 40}, c{60, 0, 0}, d{0, 0, 57};
    studies = {
        {"S0", day("2024-01-08"), {ball("A", a, 8, 10), ball("B", b, 6, 5)}},
        {"S1", day("2024-07-15"), {ball("A", a, 6, 4), ball("B", b, 7, 9), ball("C", c, 6, 6)}},
        {"S2", day("2025-01-20"), {ball("A", a, 10, 12), ball("B", b, 5, 3), ball("C", c, 6, 6), ball("D", d, 4, 7)}},
    };
    plan1 = {{"PTV_A", a, 15}};
    plan2 = {{"PTV_B", b, 12}};
    courses = {course("1.2.3.1", "2024-01-22", plan1, studies), course("1.2.3.2", "2024-08-01", plan2, studies)};
    auto h = build_lesion_history(studies, courses, ResponseRules{});
    ASSERT_TRUE(h) << h.error().message();
    history = *h;
  }
  std::vector<LesionStudy> studies;
  std::vector<Ptv> plan1, plan2;
  std::vector<LesionCourse> courses;
  LesionHistory history;
};

TEST_F(TwoCourses, EachLesionKeepsOneIdAcrossAllStudies) {
  ASSERT_EQ(history.lesions.size(), 4u);
  // IDs in order of first sight: A, B at S0, C at S1, D at S2.
  for (int s = 0; s < 3; ++s) EXPECT_EQ(track_at(history, s, 0)->id, "L1");
  for (int s = 0; s < 3; ++s) EXPECT_EQ(track_at(history, s, 1)->id, "L2");
  EXPECT_EQ(track_at(history, 1, 2)->id, "L3");
  EXPECT_EQ(track_at(history, 2, 2)->id, "L3");
  EXPECT_EQ(track_at(history, 2, 3)->id, "L4");
  const LesionTrack& a = history.lesions[0];
  ASSERT_EQ(a.timeline.size(), 3u);
  EXPECT_EQ(a.timeline[0].change, "first_seen");
  EXPECT_EQ(a.timeline[1].change, "responding");
  EXPECT_EQ(a.timeline[2].change, "progressing");
  EXPECT_TRUE(a.timeline[2].progressing);
  EXPECT_DOUBLE_EQ(a.timeline[2].suv_peak, 12);
  EXPECT_DOUBLE_EQ(a.timeline[1].mtv_ml, studies[1].lesions[0].volume_cc);
  EXPECT_EQ(to_iso(a.timeline[1].date), "2024-07-15");
  EXPECT_TRUE(history.lineage.empty());
}

TEST_F(TwoCourses, TreatedByTheCourseWhosePtvHoldsTheLesion) {
  EXPECT_EQ(history.lesions[0].treated_by, std::vector<int>{0});
  EXPECT_EQ(history.lesions[1].treated_by, std::vector<int>{1});
  EXPECT_TRUE(history.lesions[2].treated_by.empty());
  EXPECT_TRUE(history.lesions[3].treated_by.empty());
  EXPECT_EQ(outcome(&history.lesions[0], 0)->treated_rule, "centroid in PTV_A");
}

TEST_F(TwoCourses, OutcomesAndDaysToFailureByHand) {
  const auto* a1 = outcome(&history.lesions[0], 0);
  ASSERT_TRUE(a1);
  EXPECT_EQ(a1->outcome, LesionOutcome::local_failure);
  EXPECT_EQ(to_iso(*a1->failure_date), "2025-01-20");
  EXPECT_EQ(*a1->days_to_failure, 364);
  EXPECT_EQ(*a1->failure_study, 2);

  EXPECT_EQ(outcome(&history.lesions[0], 1)->outcome, LesionOutcome::out_of_field_progression);
  EXPECT_EQ(*outcome(&history.lesions[0], 1)->days_to_failure, 172);

  const auto* b1 = outcome(&history.lesions[1], 0);
  EXPECT_EQ(b1->outcome, LesionOutcome::out_of_field_progression);
  EXPECT_FALSE(b1->treated);
  EXPECT_EQ(*b1->days_to_failure, 175);
  const auto* b2 = outcome(&history.lesions[1], 1);
  EXPECT_TRUE(b2->treated);
  EXPECT_EQ(b2->outcome, LesionOutcome::marginal_failure);
  EXPECT_EQ(*b2->days_to_failure, 172);
  EXPECT_NE(b2->note.find("L4"), std::string::npos) << b2->note;

  EXPECT_EQ(outcome(&history.lesions[2], 0)->outcome, LesionOutcome::new_lesion);
  EXPECT_EQ(*outcome(&history.lesions[2], 0)->days_to_failure, 175);
  const auto* c2 = outcome(&history.lesions[2], 1);
  EXPECT_EQ(c2->outcome, LesionOutcome::not_progressed);
  EXPECT_FALSE(c2->days_to_failure);
  EXPECT_EQ(to_iso(*c2->censored_at), "2025-01-20");
  EXPECT_EQ(*c2->days_followed, 172);

  EXPECT_EQ(outcome(&history.lesions[3], 0)->outcome, LesionOutcome::new_lesion);
  EXPECT_EQ(*outcome(&history.lesions[3], 0)->days_to_failure, 364);
  EXPECT_EQ(outcome(&history.lesions[3], 1)->outcome, LesionOutcome::new_lesion);
  EXPECT_EQ(*outcome(&history.lesions[3], 1)->days_to_failure, 172);
  EXPECT_EQ(outcome(&history.lesions[3], 1)->location_rule.find("centroid outside PTV_B"), 0u)
      << outcome(&history.lesions[3], 1)->location_rule;
}

TEST_F(TwoCourses, PatientProgressionAfterEachCourse) {
  ASSERT_EQ(history.courses.size(), 2u);
  const auto& c1 = history.courses[0];
  EXPECT_EQ(*c1.planning_study, 0);
  EXPECT_EQ(*c1.progression_study, 1);  // B progressing and C new at S1
  EXPECT_EQ(*c1.days_to_progression, 175);
  EXPECT_FALSE(c1.censored);
  EXPECT_NE(c1.ppp_call.find("possible PPP"), std::string::npos) << c1.ppp_call;  // one new lesion
  EXPECT_FALSE(c1.ppp_study);
  const auto& c2 = history.courses[1];
  EXPECT_EQ(*c2.planning_study, 1);
  EXPECT_EQ(*c2.progression_study, 2);
  EXPECT_EQ(*c2.days_to_progression, 172);
  // Per study: S1 1 progressing + 1 new, S2 1 progressing + 1 new: oligoprogression (2 <= 3).
  ASSERT_EQ(history.studies.size(), 3u);
  EXPECT_FALSE(history.studies[0].assessed);
  for (int s : {1, 2}) {
    EXPECT_EQ(history.studies[s].progressing, 1);
    EXPECT_EQ(history.studies[s].new_lesions, 1);
    EXPECT_TRUE(history.studies[s].oligoprogression);
    EXPECT_FALSE(history.studies[s].polyprogression);
  }
  EXPECT_EQ(*history.studies[1].governing_course, 0);
  EXPECT_EQ(*history.studies[2].governing_course, 1);
}

TEST_F(TwoCourses, LocalControlSubjectsForKaplanMeier) {
  // Treated (lesion, course) pairs: A after course 1 (local failure at 364 d), B after course 2
  // (marginal failure at 172 d: censored unless marginal failures count).
  auto subjects = local_control_subjects(history);
  ASSERT_EQ(subjects.size(), 2u);
  EXPECT_EQ(subjects[0].lesion_id, "L1");
  EXPECT_EQ(subjects[0].course, 0);
  EXPECT_EQ(subjects[0].time.time, 364);
  EXPECT_TRUE(subjects[0].time.event);
  EXPECT_EQ(subjects[1].lesion_id, "L2");
  EXPECT_EQ(subjects[1].time.time, 172);
  EXPECT_FALSE(subjects[1].time.event);
  EXPECT_TRUE(local_control_subjects(history, true)[1].time.event);
  // KM by hand: at 172 one censoring (2 at risk, no event), at 364 one event among 1 at risk: S = 0.
  auto km = kaplan_meier(survival_times(subjects));
  ASSERT_TRUE(km);
  EXPECT_DOUBLE_EQ(km->survival_at(200), 1.0);
  EXPECT_DOUBLE_EQ(km->survival_at(364), 0.0);
}

// ---- Controlled and censored --------------------------------------------------------------------

TEST(LesionHistory, ControlledLesionIsCensoredAtTheLastStudy) {
  // Course 2023-03-01; studies 2023-02-20 (planning), 2023-06-01 (responding), 2024-03-04 (stable).
  // 2023-03-01 -> 2024-03-04: 366 (to 2024-03-01, across the leap day 2024-02-29) + 3 = 369.
  const PatientPoint a{10, -20, 30};
  std::vector<LesionStudy> studies = {{"P", day("2023-02-20"), {ball("A", a, 8, 10)}},
                                       {"F1", day("2023-06-01"), {ball("A", a, 6, 5)}},
                                       {"F2", day("2024-03-04"), {ball("A", a, 6, 5.2)}}};
  std::vector<LesionCourse> courses = {course("1.9", "2023-03-01", {{"PTV_A", a, 12}}, studies)};
  auto h = build_lesion_history(studies, courses, ResponseRules{});
  ASSERT_TRUE(h) << h.error().message();
  ASSERT_EQ(h->lesions.size(), 1u);
  const auto* o = outcome(&h->lesions[0], 0);
  EXPECT_EQ(o->outcome, LesionOutcome::controlled);
  EXPECT_FALSE(o->failure_date);
  EXPECT_EQ(to_iso(*o->censored_at), "2024-03-04");
  EXPECT_EQ(*o->days_followed, 369);
  EXPECT_TRUE(h->courses[0].censored);
  EXPECT_EQ(*h->courses[0].days_followed, 369);
  EXPECT_FALSE(h->courses[0].progression_study);
  auto km = local_control_subjects(*h);
  ASSERT_EQ(km.size(), 1u);
  EXPECT_EQ(km[0].time.time, 369);
  EXPECT_FALSE(km[0].time.event);
}

TEST(LesionHistory, CourseWithoutLaterStudyIsNotEvaluable) {
  const PatientPoint a{0, 0, 0};
  std::vector<LesionStudy> studies = {{"P", day("2023-02-20"), {ball("A", a, 8, 10)}}};
  std::vector<LesionCourse> courses = {course("1.9", "2023-03-01", {{"PTV_A", a, 12}}, studies)};
  auto h = build_lesion_history(studies, courses, ResponseRules{});
  ASSERT_TRUE(h);
  EXPECT_EQ(outcome(&h->lesions[0], 0)->outcome, LesionOutcome::not_evaluable);
  EXPECT_FALSE(h->courses[0].censored);
  EXPECT_FALSE(h->courses[0].days_followed);
  EXPECT_TRUE(local_control_subjects(*h).empty());
}

// ---- Splits, merges, reappearance --------------------------------------------------------------

TEST(LesionHistory, SplitKeepsTheIdOnTheLargerPartAndRecordsTheFragment) {
  // S0: a peanut (two r 7 spheres 12 mm apart). S1 and S2: a r 5 sphere at x = -8 and a r 4 one at x = +7,
  // both inside the peanut: one match group, one baseline, two follow-ups. The r 5 part overlaps the
  // peanut most and keeps L1; the r 4 part is L2, split from L1, and both keep their IDs at S2.
  std::vector<LesionStudy> studies = {
      {"S0", day("2024-01-01"), {lesion("P", {{{-6, 0, 0}, 7}, {{6, 0, 0}, 7}}, 8)}},
      {"S1", day("2024-04-01"), {ball("R", {7, 0, 0}, 4, 8), ball("Lft", {-8, 0, 0}, 5, 8)}},
      {"S2", day("2024-07-01"), {ball("Lft", {-8, 0, 0}, 5, 8), ball("R", {7, 0, 0}, 4, 8)}},
  };
  auto h = build_lesion_history(studies, {}, ResponseRules{});
  ASSERT_TRUE(h) << h.error().message();
  ASSERT_EQ(h->lesions.size(), 2u);
  EXPECT_EQ(track_at(*h, 1, 1)->id, "L1");
  EXPECT_EQ(track_at(*h, 1, 0)->id, "L2");
  EXPECT_EQ(track_at(*h, 2, 0)->id, "L1");
  EXPECT_EQ(track_at(*h, 2, 1)->id, "L2");
  EXPECT_EQ(h->lesions[1].split_from.value_or(""), "L1");
  ASSERT_EQ(h->lineage.size(), 1u);
  EXPECT_EQ(h->lineage[0].kind, LineageEvent::Kind::split);
  EXPECT_EQ(h->lineage[0].study, 1);
  EXPECT_EQ(h->lineage[0].from, std::vector<std::string>{"L1"});
  EXPECT_EQ(h->lineage[0].to, (std::vector<std::string>{"L2", "L1"}));
  // A split fragment is not a new lesion: no progression is called at S1.
  EXPECT_EQ(h->studies[1].new_lesions, 0);
}

TEST(LesionHistory, MergeKeepsTheIdOfTheLesionOverlappingMostAndEndsTheOther) {
  std::vector<LesionStudy> studies = {
      {"S0", day("2024-01-01"), {ball("R", {7, 0, 0}, 4, 8), ball("Lft", {-8, 0, 0}, 5, 8)}},
      {"S1", day("2024-04-01"), {lesion("P", {{{-6, 0, 0}, 7}, {{6, 0, 0}, 7}}, 8)}},
  };
  auto h = build_lesion_history(studies, {}, ResponseRules{});
  ASSERT_TRUE(h) << h.error().message();
  ASSERT_EQ(h->lesions.size(), 2u);
  // The peanut holds more of the r 5 lesion (L2, second at S0) than of the r 4 one (L1).
  EXPECT_EQ(track_at(*h, 1, 0)->id, "L2");
  EXPECT_EQ(h->lesions[0].merged_into.value_or(""), "L2");
  EXPECT_EQ(h->lesions[0].timeline.size(), 1u);
  ASSERT_EQ(h->lineage.size(), 1u);
  EXPECT_EQ(h->lineage[0].kind, LineageEvent::Kind::merge);
  EXPECT_EQ(h->lineage[0].from, (std::vector<std::string>{"L2", "L1"}));
  EXPECT_EQ(h->lineage[0].to, std::vector<std::string>{"L2"});
}

TEST(LesionHistory, ReappearanceKeepsTheIdAndIsALocalFailure) {
  // Treated on 2024-02-01, gone at S1 (complete response), back in the PTV at S2 2024-11-04:
  // 2024-02-01 -> 2024-11-04 = 29 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 3 = 277.
  const PatientPoint a{0, 30, -40};
  std::vector<LesionStudy> studies = {{"S0", day("2024-01-20"), {ball("A", a, 7, 9)}},
                                       {"S1", day("2024-05-02"), {}},
                                       {"S2", day("2024-11-04"), {ball("A", a, 6, 7)}}};
  std::vector<LesionCourse> courses = {course("1.7", "2024-02-01", {{"PTV_A", a, 11}}, studies)};
  auto h = build_lesion_history(studies, courses, ResponseRules{});
  ASSERT_TRUE(h) << h.error().message();
  ASSERT_EQ(h->lesions.size(), 1u);
  ASSERT_EQ(h->lesions[0].timeline.size(), 2u);
  EXPECT_EQ(h->lesions[0].timeline[1].change, "reappeared");
  const auto* o = outcome(&h->lesions[0], 0);
  EXPECT_EQ(o->outcome, LesionOutcome::local_failure);
  EXPECT_EQ(*o->days_to_failure, 277);
  ASSERT_EQ(h->lineage.size(), 1u);
  EXPECT_EQ(h->lineage[0].kind, LineageEvent::Kind::reappearance);
}

TEST(LesionHistory, NewLesionInsideTheFieldIsALocalFailureOfTheTreatedLesion) {
  // The treated lesion responds, and a separate lesion 12 mm from it (beyond the 10 mm matching distance,
  // not overlapping) appears inside the same PTV: an in-field failure of the treated lesion.
  const PatientPoint a{0, 0, 0}, b{12, 0, 0};
  std::vector<LesionStudy> studies = {{"S0", day("2024-01-10"), {ball("A", a, 4, 9)}},
                                       {"S1", day("2024-04-10"), {ball("A", a, 3, 4), ball("B", b, 3, 6)}}};
  std::vector<LesionCourse> courses = {course("1.5", "2024-01-20", {{"PTV_A", a, 16}}, studies)};
  auto h = build_lesion_history(studies, courses, ResponseRules{});
  ASSERT_TRUE(h) << h.error().message();
  const auto* o = outcome(&h->lesions[0], 0);
  EXPECT_EQ(o->outcome, LesionOutcome::local_failure);
  EXPECT_EQ(*o->days_to_failure, 81);  // 11 (rest of Jan) + 29 + 31 + 10
  EXPECT_EQ(outcome(&h->lesions[1], 0)->outcome, LesionOutcome::new_lesion);
}

TEST(LesionHistory, TreatedLesionGrowingOutOfItsPtvIsAMarginalFailure) {
  // Treated at the PTV's edge (centroid 2 mm inside PTV_A, R 15), it grows outwards: at S1 a r 8 lesion
  // centred 20 mm out overlaps it (matched by overlap, progressing 6 -> 14), its centroid 5 mm outside the
  // PTV at 24 Gy (>= 50% of 30 Gy): marginal, not in-field. 2024-03-01 -> 2024-09-02: 31 + 30 + 31 + 30 +
  // 31 + 31 + 1 = 185 days.
  std::vector<LesionStudy> studies = {{"S0", day("2024-02-20"), {ball("A", {13, 0, 0}, 4, 6)}},
                                      {"S1", day("2024-09-02"), {ball("A", {20, 0, 0}, 8, 14)}}};
  std::vector<LesionCourse> courses = {course("1.6", "2024-03-01", {{"PTV_A", {0, 0, 0}, 15}}, studies)};
  auto h = build_lesion_history(studies, courses, ResponseRules{});
  ASSERT_TRUE(h) << h.error().message();
  ASSERT_EQ(h->lesions.size(), 1u);
  const auto* o = outcome(&h->lesions[0], 0);
  EXPECT_TRUE(o->treated);
  EXPECT_EQ(o->outcome, LesionOutcome::marginal_failure) << o->location_rule;
  EXPECT_EQ(*o->days_to_failure, 185);
}

TEST(LesionHistory, ManyNewLesionsArePolyprogressionAndPppByImaging) {
  std::vector<LesionStudy> studies = {{"S0", day("2024-01-10"), {ball("A", {0, 0, 0}, 5, 9)}},
                                       {"S1", day("2024-04-10"),
                                        {ball("A", {0, 0, 0}, 5, 9), ball("N1", {80, 0, 0}, 4, 6),
                                         ball("N2", {-80, 0, 0}, 4, 6), ball("N3", {0, 80, 0}, 4, 6),
                                         ball("N4", {0, -80, 0}, 4, 6)}}};
  std::vector<LesionCourse> courses = {course("1.5", "2024-01-20", {{"PTV_A", {0, 0, 0}, 10}}, studies)};
  auto h = build_lesion_history(studies, courses, ResponseRules{});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->studies[1].new_lesions, 4);
  EXPECT_TRUE(h->studies[1].polyprogression);
  EXPECT_FALSE(h->studies[1].oligoprogression);
  EXPECT_TRUE(h->studies[1].ppp_by_imaging);
  EXPECT_EQ(*h->courses[0].ppp_study, 1);
  EXPECT_EQ(*h->courses[0].days_to_ppp, 81);
  EXPECT_EQ(outcome(&h->lesions[0], 0)->outcome, LesionOutcome::controlled);
}

TEST(LesionHistory, NoStudyBeforeTheCourseTakesTheFirstStudyAsPresentAtTreatment) {
  const PatientPoint a{0, 0, 0};
  std::vector<LesionStudy> studies = {{"F1", day("2024-03-01"), {ball("A", a, 6, 6)}},
                                       {"F2", day("2024-06-01"), {ball("A", a, 8, 12)}}};
  std::vector<LesionCourse> courses = {course("1.4", "2024-01-15", {{"PTV_A", a, 12}}, studies)};
  auto h = build_lesion_history(studies, courses, ResponseRules{});
  ASSERT_TRUE(h);
  ASSERT_FALSE(h->notes.empty());
  const auto* o = outcome(&h->lesions[0], 0);
  EXPECT_TRUE(o->treated);
  EXPECT_EQ(o->outcome, LesionOutcome::local_failure);
  EXPECT_EQ(*o->days_to_failure, 138);  // 2024-01-15 -> 2024-06-01: 17 + 29 + 31 + 30 + 31
}

// ---- Bad input ----------------------------------------------------------------------------------

TEST(LesionHistory, StudiesOutOfOrderAreRefusedNamingThem) {
  std::vector<LesionStudy> studies = {{"early", day("2024-03-01"), {}}, {"late", day("2024-02-01"), {}}};
  auto h = build_lesion_history(studies, {}, ResponseRules{});
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message().find("study late"), std::string::npos) << h.error().message();
  EXPECT_NE(h.error().message().find("2024-02-01"), std::string::npos);
  studies[1].date = studies[0].date;  // two studies on one day
  EXPECT_FALSE(build_lesion_history(studies, {}, ResponseRules{}));
}

TEST(LesionHistory, TwoCoursesOnOneDateAreRefused) {
  std::vector<LesionStudy> studies = {{"S0", day("2024-01-01"), {}}};
  std::vector<LesionCourse> courses = {course("1.1", "2024-02-01", {}, studies), course("1.2", "2024-02-01", {}, studies)};
  auto h = build_lesion_history(studies, courses, ResponseRules{});
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message().find("course 1.2"), std::string::npos) << h.error().message();
}

TEST(LesionHistory, ContextOfTheWrongSizeIsRefused) {
  std::vector<LesionStudy> studies = {{"S0", day("2024-01-01"), {ball("A", {0, 0, 0}, 5, 9)}}};
  auto c = course("1.1", "2024-02-01", {{"PTV_A", {0, 0, 0}, 10}}, studies);
  c.context[0].clear();
  auto h = build_lesion_history(studies, {c}, ResponseRules{});
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message().find("study S0"), std::string::npos) << h.error().message();
  c = course("1.1", "2024-02-01", {{"PTV_A", {0, 0, 0}, 10}}, studies);
  c.context[0][0].point_dose_gy.pop_back();
  EXPECT_FALSE(build_lesion_history(studies, {c}, ResponseRules{}));
  c.context.clear();
  EXPECT_FALSE(build_lesion_history(studies, {c}, ResponseRules{}));
}

}  // namespace
}  // namespace sbrtkit
