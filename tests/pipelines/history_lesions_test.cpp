// The lesion side of `history` on the longitudinal phantom (`sbrtkit phantom --longitudinal --size small`,
// generated once per build), with every study and course placed by the ground truth's transforms: the
// PET studies segmented as `lesions` does, each course's dose resampled into the reference frame, the
// history chained. Every lesion must keep one ID, and get the outcome and days to failure its design
// (ground_truth.json) gives after each course. The transforms themselves are checked where `history`
// registers (tests/cli); here they are the truth, so the lesion logic is tested alone.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "sbrtkit/dicom/rtdose.h"
#include "sbrtkit/dose_resample.h"
#include "sbrtkit/io/response_rules_loader.h"
#include "sbrtkit/pipelines/history_lesions.h"
#include "support/cached_output.h"

namespace sbrtkit {
namespace {

namespace fs = std::filesystem;

const fs::path& longitudinal_patient() {
  static const fs::path p = testing::cached_output(
      "longitudinal-small-seed1",
      testing::shell_quoted(SBRTKIT_BINARY) + " phantom --longitudinal --size small --seed 1 --out {OUT}");
  return p;
}

RigidMap map_of(const nlohmann::json& m) {
  RigidMap r;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r.rotation[std::size_t(3 * i + j)] = m[i][j].get<double>();
  r.translation_mm = {m[0][3].get<double>(), m[1][3].get<double>(), m[2][3].get<double>()};
  return r;
}

class HistoryLesionsOnPhantom : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path& dir = longitudinal_patient();
    ASSERT_FALSE(dir.empty()) << "the longitudinal phantom could not be generated";
    std::ifstream in(dir / "ground_truth.json");
    truth_ = new nlohmann::json(nlohmann::json::parse(in));
    const auto& t = *truth_;
    auto rules = load_response_rules(fs::path(SBRTKIT_SOURCE_DIR) / "rules" / "response-default.yaml");
    ASSERT_TRUE(rules) << rules.error().message();

    // Course doses into the reference frame on one union grid, as `history` accumulates them.
    doses_ = new std::vector<ResampledDose>();
    std::vector<RtDose> read;
    std::vector<CourseGrid> grids;
    for (const auto& c : t["courses"]) {
      auto d = read_rtdose(dir / c["dir"].get<std::string>() / "rtdose.dcm");
      ASSERT_TRUE(d) << d.error().message();
      grids.push_back({d->dose.geometry, map_of(c["transform"]["to_reference"])});
      read.push_back(std::move(*d));
    }
    auto grid = union_dose_grid(read.back().dose.geometry, grids);
    ASSERT_TRUE(grid) << grid.error().message();
    for (std::size_t c = 0; c < read.size(); ++c) doses_->push_back(resample_dose(read[c].dose, grids[c].to_reference, *grid));

    HistoryLesionsRequest r;
    r.rules = *rules;
    r.reference_plan_dir = dir / t["courses"].back()["dir"].get<std::string>();
    for (std::size_t c = 0; c < t["courses"].size(); ++c) {
      const auto& j = t["courses"][c];
      const fs::path cd = dir / j["dir"].get<std::string>();
      r.courses.push_back({j["rtplan_uid"], j["plan_date"], j["fractions"], map_of(j["transform"]["to_reference"]),
                           cd / "rtstruct.dcm", cd / "rtplan.dcm", &(*doses_)[c]});
    }
    for (const auto& s : t["studies"])
      r.studies.push_back({s["pet_series_uid"], s["date"], dir / s["pet_dir"].get<std::string>(), {},
                           dir / s["ct_dir"].get<std::string>(), map_of(s["transform"]["to_reference"]),
                           "ground-truth transform"});
    auto h = run_history_lesions(r);
    ASSERT_TRUE(h) << h.error().message();
    result_ = new HistoryLesions(std::move(*h));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete doses_;
    delete truth_;
  }

  /// The designed lesion a track is: the one whose centre (reference frame) lies within 6 mm of the
  /// track's centroid at its first study (PET voxels are 4 mm; a segmented centroid sits within about a
  /// voxel of the ellipsoid's centre, the marginal lesion's rim aside).
  static std::string name_of(const LesionTrack& track) {
    const auto& a = track.timeline.front();
    const auto& study = (*truth_)["studies"][std::size_t(a.study)];
    std::string best;
    double best_d = 6.0;
    for (const auto& l : study["lesions"]) {
      const auto& c = l["centre_reference_mm"];
      const double d = norm(a.centroid - PatientPoint{c[0].get<double>(), c[1].get<double>(), c[2].get<double>()});
      if (d < best_d) best_d = d, best = l["name"];
    }
    return best;
  }

  static nlohmann::json* truth_;
  static std::vector<ResampledDose>* doses_;
  static HistoryLesions* result_;
};
nlohmann::json* HistoryLesionsOnPhantom::truth_ = nullptr;
std::vector<ResampledDose>* HistoryLesionsOnPhantom::doses_ = nullptr;
HistoryLesions* HistoryLesionsOnPhantom::result_ = nullptr;

TEST_F(HistoryLesionsOnPhantom, EveryDesignedLesionIsOneTrackSeenAtEveryStudyItExistsIn) {
  const auto& h = result_->history;
  std::map<std::string, const LesionTrack*> tracks;
  for (const auto& t : h.lesions) {
    const std::string name = name_of(t);
    ASSERT_FALSE(name.empty()) << t.id << " matches no designed lesion";
    EXPECT_FALSE(tracks.count(name)) << name << " is two tracks";
    tracks[name] = &t;
  }
  EXPECT_EQ(tracks.size(), (*truth_)["lesions"].size());
  // Appearances: as many as the studies the lesion was drawn in.
  for (const auto& [name, t] : tracks) {
    int drawn = 0;
    for (const auto& s : (*truth_)["studies"])
      for (const auto& l : s["lesions"]) drawn += l["name"] == name ? 1 : 0;
    EXPECT_EQ(int(t->timeline.size()), drawn) << name;
  }
  EXPECT_TRUE(h.lineage.empty());
}

TEST_F(HistoryLesionsOnPhantom, EveryOutcomeAndDaysToFailureAsDesigned) {
  const auto& h = result_->history;
  std::map<std::string, const LesionTrack*> tracks;
  for (const auto& t : h.lesions) tracks[name_of(t)] = &t;
  for (const auto& l : (*truth_)["lesions"]) {
    const std::string name = l["name"];
    ASSERT_TRUE(tracks.count(name)) << name;
    const LesionTrack& t = *tracks[name];
    for (const auto& o : l["outcomes"]) {
      const int course = o["course"] == "course1" ? 0 : 1;
      const LesionCourseOutcome* got = nullptr;
      for (const auto& x : t.outcomes)
        if (x.course == course) got = &x;
      ASSERT_TRUE(got) << name << " " << o["course"];
      EXPECT_EQ(outcome_name(got->outcome), o["outcome"].get<std::string>())
          << name << " after " << o["course"] << ": " << got->note << " / " << got->location_rule;
      EXPECT_EQ(got->treated, o["treated"].get<bool>()) << name << " " << o["course"] << " " << got->treated_rule;
      if (o["days_to_failure"].is_null()) EXPECT_FALSE(got->days_to_failure) << name;
      else EXPECT_EQ(got->days_to_failure.value_or(-1), o["days_to_failure"].get<int>()) << name << " " << o["course"];
      EXPECT_EQ(got->days_followed.value_or(-1), o["days_followed"].get<int>()) << name << " " << o["course"];
    }
  }
  ASSERT_EQ(h.courses.size(), 2u);
  EXPECT_EQ(h.courses[0].days_to_progression.value_or(-1), 175);
  EXPECT_EQ(h.courses[1].days_to_progression.value_or(-1), 182);
  EXPECT_TRUE(h.studies[2].oligoprogression);
}

TEST_F(HistoryLesionsOnPhantom, CumulativeEqd2OfTreatedLesionsFromBothCourses) {
  // Dose of each lesion at its dose appearance (study2 for the lesions present then: the last study
  // before course 2). The L4 lesion sits in PTV_L4 (24 Gy / 3 fx, hot spot 1.2): its cumulative EQD2
  // (a/b 10) D98 lies between that of the prescription, 24 (8 + 10) / 12 = 36 Gy, less 10% for the edge
  // of the lesion in the dose shoulder, and the hot spot's 28.8 (9.6 + 10) / 12 = 47 Gy plus course 1's
  // spill (below 3 Gy there, ground truth named point GTV_L4_centre).
  const auto& h = result_->history;
  for (std::size_t n = 0; n < h.lesions.size(); ++n) {
    if (name_of(h.lesions[n]) != "L4") continue;
    const auto& d = result_->dose[n];
    ASSERT_TRUE(d.cumulative_eqd2_d98_gy);
    EXPECT_GT(*d.cumulative_eqd2_d98_gy, 0.9 * 36);
    EXPECT_LT(*d.cumulative_eqd2_d98_gy, 47 + 3);
    ASSERT_EQ(d.course_eqd2_d98_gy.size(), 2u);
    EXPECT_LT(d.course_eqd2_d98_gy[0].value_or(99), 3);
  }
}

}  // namespace
}  // namespace sbrtkit

namespace sbrtkit {
namespace {

TEST(HistoryLesionsBadInput, AStudyThatCannotBeReadIsLeftOutWithAWarningNamingIt) {
  const fs::path& dir = longitudinal_patient();
  ASSERT_FALSE(dir.empty());
  HistoryLesionsRequest r;
  r.reference_plan_dir = dir / "course2";
  r.studies.push_back({"1.2.3.4", "2024-03-01", dir / "no-such-pet", {}, std::nullopt, {}, "test"});
  auto h = run_history_lesions(r);
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_TRUE(h->history.lesions.empty());
  ASSERT_EQ(h->warnings.size(), 1u);
  EXPECT_NE(h->warnings[0].find("PET study 1.2.3.4 of 2024-03-01 left out"), std::string::npos) << h->warnings[0];
}

TEST(HistoryLesionsBadInput, AnUndatedStudyIsAnErrorNamingIt) {
  HistoryLesionsRequest r;
  r.studies.push_back({"1.2.3.5", "", "/nowhere", {}, std::nullopt, {}, "test"});
  auto h = run_history_lesions(r);
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message().find("PET study 1.2.3.5"), std::string::npos) << h.error().message();
}

}  // namespace
}  // namespace sbrtkit
