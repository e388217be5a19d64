// `sbrtkit history` end to end on the longitudinal phantom (`sbrtkit phantom --longitudinal`, generated
// once per build): two courses and three PET/CT studies, every one in its own frame of reference and
// placed by ITK rigid registration of its CT (no Spatial Registration object). Done-when criteria of
// issue 14 checked here: on the sample (clinical-size) patient every transform within 0.3 degree and 1 mm
// of the generator's and every lesion's outcome and days to failure as designed (ground_truth.json); on
// the small patient the outcomes again, the lesion outputs and bad input. The small patient's study CTs
// have 4 mm slices and 4 mm pixels, registered on >= 4 mm blocks: its study3 placement is off by 1.0 mm
// in z (a quarter slice), so the 1 mm criterion is judged on the clinical-size sample it is stated for.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <functional>
#include <sstream>

#include "support/cached_output.h"
#include "support/cli_runner.h"

namespace sbrtkit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HistoryLesionsCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { set_up("small"); }
  static void set_up(const std::string& size) {
    const std::string sbrtkit = testing::shell_quoted(SBRTKIT_BINARY);
    patient_ = new fs::path(testing::cached_output(
        "longitudinal-" + size + "-seed1", sbrtkit + " phantom --longitudinal --size " + size + " --seed 1 --out {OUT}"));
    ASSERT_FALSE(patient_->empty()) << "the longitudinal phantom could not be generated";
    out_ = new fs::path(testing::cached_output(
        "history-lesions-longitudinal-" + size + "-seed1",
        sbrtkit + " history " + testing::shell_quoted(patient_->string()) +
            " --quiet --out {OUT} > {OUT}.txt && mv {OUT}.txt {OUT}/history.txt"));
    ASSERT_FALSE(out_->empty()) << "sbrtkit history failed on the longitudinal phantom";
    std::ifstream t(*patient_ / "ground_truth.json");
    truth_ = new json(json::parse(t));
    std::ifstream h(*out_ / "history.json");
    history_ = new json(json::parse(h));
    table_ = testing::read_text(*out_ / "history.txt");
  }
  static void TearDownTestSuite() {
    delete history_;
    delete truth_;
    delete out_;
    delete patient_;
  }

  /// The designed lesion a history lesion is: the truth lesion of the study of its first appearance
  /// (same date) whose reference-frame centre lies within 8 mm of its centroid (a voxel of 4 mm plus
  /// the registration error; the designed lesions are > 20 mm apart).
  static std::string name_of(const json& lesion) {
    const auto& first = lesion["timeline"][0];
    for (const auto& s : (*truth_)["studies"]) {
      if (s["date"] != first["date"]) continue;
      for (const auto& l : s["lesions"]) {
        const auto& c = l["centre_reference_mm"];
        const auto& p = first["centroid_mm"];
        const double d = std::hypot(c[0].get<double>() - p[0].get<double>(), c[1].get<double>() - p[1].get<double>(),
                                    c[2].get<double>() - p[2].get<double>());
        if (d < 8) return l["name"];
      }
    }
    return "";
  }

  static fs::path* patient_;
  static fs::path* out_;
  static json* truth_;
  static json* history_;
  static std::string table_;
};
fs::path* HistoryLesionsCommand::patient_ = nullptr;
fs::path* HistoryLesionsCommand::out_ = nullptr;
json* HistoryLesionsCommand::truth_ = nullptr;
json* HistoryLesionsCommand::history_ = nullptr;
std::string HistoryLesionsCommand::table_;

/// Rotation angle (degrees) of R_a R_b^T and the largest distance between a and b applied to points.
std::pair<double, double> disagreement(const json& a, const json& b, const std::vector<std::array<double, 3>>& points) {
  double trace = 0;
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) trace += a[i][k].get<double>() * b[i][k].get<double>();  // tr(R_a R_b^T)
  const double angle = std::acos(std::clamp((trace - 1) / 2, -1.0, 1.0)) * 180 / std::numbers::pi;
  double worst = 0;
  for (const auto& p : points) {
    double d2 = 0;
    for (int i = 0; i < 3; ++i) {
      double pa = a[i][3].get<double>(), pb = b[i][3].get<double>();
      for (int k = 0; k < 3; ++k) pa += a[i][k].get<double>() * p[std::size_t(k)], pb += b[i][k].get<double>() * p[std::size_t(k)];
      d2 += (pa - pb) * (pa - pb);
    }
    worst = std::max(worst, std::sqrt(d2));
  }
  return {angle, worst};
}

/// The sample patient at its default (clinical) size: 512 x 512 planning CTs, 256 x 256 study CTs.
class HistoryLesionsCommandClinical : public HistoryLesionsCommand {
 protected:
  static void SetUpTestSuite() { set_up("clinical"); }
};

TEST_F(HistoryLesionsCommandClinical, EveryTransformWithinThreeTenthsOfADegreeAndOneMillimetre) {
  // Points where the transforms are used: every designed lesion centre and named point, taken in each
  // frame (the displacement error grows with the distance from the rotation's axis, so it is judged
  // where the anatomy is, not at the frame origin).
  std::vector<std::array<double, 3>> points;
  for (const auto& s : (*truth_)["studies"])
    for (const auto& l : s["lesions"]) points.push_back(l["centre_frame_mm"].get<std::array<double, 3>>());
  for (const auto& p : (*truth_)["named_points"]) points.push_back(p["reference_mm"].get<std::array<double, 3>>());
  const auto& h = *history_;
  ASSERT_EQ(h["courses"].size(), 2u);
  for (std::size_t c = 0; c < 2; ++c) {
    const auto [angle, mm] = disagreement(h["courses"][c]["to_reference"], (*truth_)["courses"][c]["transform"]["to_reference"], points);
    EXPECT_LT(angle, 0.3) << "course " << c + 1;
    EXPECT_LT(mm, 1.0) << "course " << c + 1;
  }
  std::map<std::string, const json*> by_series;
  for (const auto& s : h["studies"]) by_series[s["series_uid"]] = &s;
  for (const auto& t : (*truth_)["studies"]) {
    ASSERT_TRUE(by_series.count(t["pet_series_uid"])) << t["label"];
    const auto [angle, mm] = disagreement((*by_series[t["pet_series_uid"]])["to_reference"], t["transform"]["to_reference"], points);
    EXPECT_LT(angle, 0.3) << t["label"];
    EXPECT_LT(mm, 1.0) << t["label"];
  }
}

void expect_designed_outcomes(const json& h, const json& truth, const std::function<std::string(const json&)>& name_of,
                              const std::string& table_);

TEST_F(HistoryLesionsCommand, EveryOutcomeAndDaysToFailureAsDesigned) {
  expect_designed_outcomes(*history_, *truth_, name_of, table_);
}
TEST_F(HistoryLesionsCommandClinical, EveryOutcomeAndDaysToFailureAsDesigned) {
  expect_designed_outcomes(*history_, *truth_, name_of, table_);
}

void expect_designed_outcomes(const json& h, const json& truth, const std::function<std::string(const json&)>& name_of,
                              const std::string& table_) {
  const json* truth_ = &truth;
  std::map<std::string, std::string> plan_of;  // "course1" -> plan UID
  for (const auto& c : (*truth_)["courses"]) plan_of[c["label"]] = c["rtplan_uid"];
  std::map<std::string, const json*> lesions;
  for (const auto& l : h["lesions"]) {
    const std::string name = name_of(l);
    ASSERT_FALSE(name.empty()) << l["id"] << " matches no designed lesion\n" << table_;
    EXPECT_FALSE(lesions.count(name)) << name << " is two lesions\n" << table_;
    lesions[name] = &l;
  }
  ASSERT_EQ(lesions.size(), (*truth_)["lesions"].size()) << table_;
  for (const auto& t : (*truth_)["lesions"]) {
    const json& l = *lesions[t["name"]];
    json treated_by = json::array();
    for (const auto& o : t["outcomes"]) {
      if (o["treated"].get<bool>()) treated_by.push_back(plan_of[o["course"]]);
      const json* got = nullptr;
      for (const auto& x : l["per_course"])
        if (x["plan_uid"] == plan_of[o["course"]]) got = &x;
      ASSERT_NE(got, nullptr) << t["name"] << " " << o["course"];
      EXPECT_EQ((*got)["outcome"], o["outcome"]) << t["name"] << " after " << o["course"] << ": " << (*got)["note"];
      EXPECT_EQ((*got)["days_to_failure"], o["days_to_failure"]) << t["name"] << " after " << o["course"];
      EXPECT_EQ((*got)["days_followed"], o["days_followed"]) << t["name"] << " after " << o["course"];
    }
    EXPECT_EQ(l["treated_by"], treated_by) << t["name"];
  }
  // The headline outcome of the contract keys: L4 after course 2 (its treating course).
  EXPECT_EQ((*lesions["L4"])["outcome"], "local_failure");
  EXPECT_EQ((*lesions["L4"])["days_to_failure"], 182);
  EXPECT_EQ((*lesions["L4"])["failure_date"], "2025-02-03");
  EXPECT_EQ((*lesions["L3"])["outcome"], "marginal_failure");
  EXPECT_EQ((*lesions["L3"])["days_to_failure"], 378);
  // Patient progression after each course.
  for (const auto& e : (*truth_)["patient_events"]) {
    const json* got = nullptr;
    for (const auto& c : h["patient_events"]["courses"])
      if (c["plan_uid"] == plan_of[e["course"]]) got = &c;
    ASSERT_NE(got, nullptr);
    EXPECT_EQ((*got)["days_to_progression"], e["days_to_progression"]) << e["course"];
  }
  EXPECT_EQ(h["patient_events"]["studies"][2]["progression_pattern"], "oligoprogression");
}

TEST_F(HistoryLesionsCommand, TreatedLesionsCarryTheirCumulativeEqd2) {
  // L3 is treated by course 1 (30 Gy / 3 fx, hot spot 1.2 in the GTV): its EQD2 (a/b 10) D98 lies
  // between that of the prescription, 30 (10 + 10) / 20 = 50 Gy, and the hot spot's 36 (12 + 10) / 12 =
  // 66 Gy, plus course 2's spill there (ground truth GTV_L3_centre, course 2 below 2 Gy: < 2.5 Gy EQD2).
  for (const auto& l : (*history_)["lesions"]) {
    if (name_of(l) != "L3") continue;
    ASSERT_TRUE(l["cumulative_eqd2_d98_gy"].is_number());
    EXPECT_GT(l["cumulative_eqd2_d98_gy"].get<double>(), 50);
    EXPECT_LT(l["cumulative_eqd2_d98_gy"].get<double>(), 66 + 2.5);
  }
}

TEST_F(HistoryLesionsCommand, LesionsHistoryCsvHasOneRowPerLesionPerStudy) {
  std::istringstream csv(testing::read_text(*out_ / "lesions_history.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("lesion_id,study_series_uid,study_date,", 0), 0u) << line;
  std::size_t rows = 0, appearances = 0;
  while (std::getline(csv, line)) ++rows;
  for (const auto& l : (*history_)["lesions"]) appearances += l["timeline"].size();
  EXPECT_EQ(rows, appearances);
  std::size_t drawn = 0;  // the designed appearances: 4 + 5 + 6
  for (const auto& s : (*truth_)["studies"]) drawn += s["lesions"].size();
  EXPECT_EQ(rows, drawn);
  EXPECT_NE(table_.find("lesions over 3 PET studies: 6"), std::string::npos) << table_;
}

TEST_F(HistoryLesionsCommand, AFlatExportWithOpaqueNamesGivesTheSameOutcomes) {
  // Every DICOM file of the patient in one folder under a meaningless name, as a PACS export may be:
  // the three PET series share the folder, and every outcome must still be as designed.
  testing::TempDir dir;
  const fs::path flat = dir.path() / "export";
  fs::create_directories(flat);
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(*patient_))
    if (e.is_regular_file() && e.path().extension() == ".dcm") fs::copy_file(e.path(), flat / ("IM" + std::to_string(++n)));
  ASSERT_GT(n, 600);
  const fs::path out = dir.path() / "out";
  const auto r = testing::run_sbrtkit({"history", dir.path().string(), "--quiet", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("left out of the lesion history"), std::string::npos) << r.err;
  std::ifstream h(out / "history.json");
  const json doc = json::parse(h);
  expect_designed_outcomes(doc, *truth_, name_of, r.out);
}

TEST_F(HistoryLesionsCommand, BadRulesFileIsRefusedAndNothingIsWritten) {
  testing::TempDir dir;
  const fs::path rules = dir.path() / "rules.yaml";
  std::ofstream(rules) << "matching:\n  max_distance_mm: -5\n";
  const fs::path out = dir.path() / "out";
  const auto r = testing::run_sbrtkit({"history", patient_->string(), "--rules", rules.string(), "--quiet", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("rules.yaml"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "history.json"));
}

}  // namespace
}  // namespace sbrtkit
