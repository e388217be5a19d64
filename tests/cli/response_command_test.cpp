// `sbrtkit response` end to end on the small synthetic patient (generated once per run). Its baseline and
// follow-up PET studies each have their own frame of reference and no Spatial Registration object, so
// both are brought into the planning frame by rigid registration of their CT; the follow-up is shifted
// by (8, 5, -6) mm and rotated 3 degrees. Every follow-up lesion must get the status ground_truth.json
// intends (responding, stable, marginal_recurrence, progressing_out_of_field, new).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numbers>
#include <nlohmann/json.hpp>

#include "support/cached_output.h"
#include "support/cli_runner.h"
#include "support/json_schema.h"
#include "support/decoded_png.h"
#include "support/truth_registration.h"

namespace sbrtkit {
namespace {

using testing::run_sbrtkit;

class ResponseCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto& p = testing::shared_small_patient();
    ASSERT_FALSE(p.empty()) << "the sample patient could not be generated";
    std::ifstream in(p / "ground_truth.json");
    truth_ = new nlohmann::json(nlohmann::json::parse(in));
    // The response run on it, shared like the patient (its terminal table kept as response.txt).
    const std::string sbrtkit = testing::shell_quoted(SBRTKIT_BINARY);
    out_ = new std::filesystem::path(testing::cached_output(
        "response-small-seed1",
        sbrtkit + " response --plan " + testing::shell_quoted((p / "planning").string()) + " --baseline " +
            testing::shell_quoted((p / "baseline" / "pet").string()) + " --followup " +
            testing::shell_quoted((p / "followup" / "pet").string()) +
            " --out {OUT} > {OUT}.txt && mv {OUT}.txt {OUT}/response.txt"));
    ASSERT_FALSE(out_->empty()) << "sbrtkit response failed on the sample patient";
    table_ = testing::read_text(*out_ / "response.txt");
    std::ifstream j(*out_ / "response.json");
    json_ = new nlohmann::json(nlohmann::json::parse(j));
  }
  static void TearDownTestSuite() {
    delete json_;
    delete out_;
    delete truth_;
    delete dir_;
  }
  static testing::TempDir* dir_;
  static nlohmann::json* truth_;
  static nlohmann::json* json_;
  static std::filesystem::path* out_;  // the shared response outputs (read-only)
  static std::string table_;            // its terminal output
};
testing::TempDir* ResponseCommand::dir_ = nullptr;
nlohmann::json* ResponseCommand::truth_ = nullptr;
nlohmann::json* ResponseCommand::json_ = nullptr;
std::filesystem::path* ResponseCommand::out_ = nullptr;
std::string ResponseCommand::table_;

double distance(const nlohmann::json& a, const nlohmann::json& b) {
  return std::hypot(a[0].get<double>() - b[0].get<double>(), a[1].get<double>() - b[1].get<double>(),
                    a[2].get<double>() - b[2].get<double>());
}

TEST_F(ResponseCommand, JsonValidatesAgainstItsSchema) {
  EXPECT_EQ(testing::schema_violations("response.schema.json", *out_ / "response.json"), "");
  EXPECT_EQ((*json_)["schema"]["name"], "sbrtkit-response");
  EXPECT_EQ((*json_)["frames"]["followup_pet_frame_of_reference_uid"], (*json_)["followup"]["pet_frame_of_reference_uid"]);
}

TEST_F(ResponseCommand, FollowUpStatusesMatchGroundTruth) {
  const auto& truth_follow = (*truth_)["pet"][1]["lesions"];
  ASSERT_EQ((*truth_)["pet"][1]["label"], "followup");
  // Exactly the follow-up lesions of the truth, no physiological blob left over.
  int followup_rows = 0;
  for (const auto& row : (*json_)["lesions"]) followup_rows += row["followup"].is_null() ? 0 : 1;
  EXPECT_EQ(followup_rows, int(truth_follow.size())) << table_;
  for (const auto& t : truth_follow) {
    // The segmented centroid of a uniform ellipsoid lies within a PET voxel (4 mm) of its centre, plus the
    // registration error (~1-2 mm): 8 mm finds the lesion and no other (they are > 40 mm apart).
    const nlohmann::json* hit = nullptr;
    for (const auto& row : (*json_)["lesions"])
      if (!row["followup"].is_null() && distance(row["followup"]["centroid_planning_mm"], t["centre_planning_mm"]) < 8)
        hit = &row;
    ASSERT_NE(hit, nullptr) << "no follow-up lesion at " << t["name"] << "\n" << table_;
    EXPECT_EQ((*hit)["status"], t["status"]) << t["name"] << "\n" << table_;
  }
  // The treated baseline lesion next to the marginal recurrence vanished (complete response); every other
  // baseline lesion is matched.
  int cr = 0;
  for (const auto& row : (*json_)["lesions"])
    if (row["status"] == "complete_response") {
      ++cr;
      EXPECT_LT(distance(row["baseline"]["centroid_planning_mm"], (*truth_)["pet"][0]["lesions"][2]["centre_planning_mm"]),
                8);
      EXPECT_TRUE(row["treated"].get<bool>());
      // Called on the uptake measured at its place, which is at background level (the phantom removed it).
      ASSERT_FALSE(row["followup_at_place"].is_null());
      const auto& at = row["followup_at_place"];
      // The lesion sat in bone: its place returns to marrow uptake, just above the 95th percentile of a
      // shell of marrow and soft tissue, and its contrast above the shell median is a few % of the
      // baseline's (the residual-contrast rule, <= 10%).
      ASSERT_GT(at["voxels_measured"].get<int>(), 0);
      const double median = at["background_median_suv"].get<double>();
      const double residual = (at["suv_peak"].get<double>() - median) / (row["baseline"]["suv_peak"].get<double>() - median);
      EXPECT_TRUE(at["suv_peak"].get<double>() <= at["background_level_suv"].get<double>() || residual <= 0.10)
          << at << " residual " << residual;
    }
  EXPECT_EQ(cr, 1);
  const auto& p = (*json_)["patient"];
  EXPECT_EQ(p["progressing"], 1);  // Ilium_L
  EXPECT_EQ(p["new"], 2);          // the marginal recurrence and Femur_L
  EXPECT_TRUE(p["oligoprogressive"].get<bool>());
  EXPECT_TRUE(p["ppp_by_imaging"].get<bool>());  // two new lesions: PPP criterion 1
  EXPECT_FALSE((*json_)["rules"].empty());
}

TEST_F(ResponseCommand, RegistrationObjectsReplaceTheCtRegistrationWithTheSameStatuses) {
  // Both PET studies with a Spatial Registration object (the generator's transforms) in their folder: the
  // response run applies them instead of registering CTs, and every follow-up lesion keeps its status.
  const auto& p = testing::shared_small_patient();
  const auto reg = dir_->path() / "with_reg";
  for (int t = 0; t < 2; ++t) {
    const std::string label = t == 0 ? "baseline" : "followup";
    std::filesystem::create_directories(reg / label);
    std::filesystem::copy(p / label / "pet", reg / label / "pet");
    testing::write_truth_registration(*truth_, t, reg / label / "pet" / "reg.dcm");
  }
  const auto out = dir_->path() / "out_reg";
  const auto r = run_sbrtkit({"response", "--plan", (p / "planning").string(), "--baseline",
                              (reg / "baseline" / "pet").string(), "--followup", (reg / "followup" / "pet").string(),
                              "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out / "response.json");
  const auto rep = nlohmann::json::parse(in);
  for (const char* tp : {"baseline", "followup"})
    EXPECT_THAT(rep[tp]["mapping"].get<std::string>(), ::testing::HasSubstr("spatial registration")) << tp;
  EXPECT_NEAR(rep["followup"]["rotation_deg"].get<double>(), 3.0, 1e-6);
  // The object's planning -> frame transform read as frame -> planning: its inverse, -R^T t, exactly (the
  // uninverted +t is 22 mm away and has the same length).
  const auto& m = (*truth_)["pet"][1]["planning_to_frame"]["planning_to_frame_matrix"];
  for (int i = 0; i < 3; ++i) {
    double expected = 0;
    for (int r = 0; r < 3; ++r) expected -= m[r][i].get<double>() * m[r][3].get<double>();
    EXPECT_NEAR(rep["followup"]["translation_mm"][i].get<double>(), expected, 1e-6) << "axis " << i;
  }
  for (const auto& t : (*truth_)["pet"][1]["lesions"]) {
    const nlohmann::json* hit = nullptr;
    for (const auto& row : rep["lesions"])
      if (!row["followup"].is_null() && distance(row["followup"]["centroid_planning_mm"], t["centre_planning_mm"]) < 8)
        hit = &row;
    ASSERT_NE(hit, nullptr) << t["name"];
    EXPECT_EQ((*hit)["status"], t["status"]) << t["name"];
  }
}

TEST_F(ResponseCommand, DifferentFramesWithoutRegistrationObjectAreRegistered) {
  const std::string plan_for = (*truth_)["planning"]["frame_of_reference_uid"];
  for (const char* tp : {"baseline", "followup"}) {
    const auto& s = (*json_)[tp];
    EXPECT_NE(s["pet_frame_of_reference_uid"].get<std::string>(), plan_for);
    EXPECT_NE(s["mapping"].get<std::string>().find("rigid registration"), std::string::npos) << tp;
  }
  // The recovered follow-up map, frame -> planning, must be the inverse of the truth's planning -> frame
  // map p' = R p + t: its translation is -R^T t, vector for vector, not only in length (the truth's own
  // t has the same length and angle, and an inverted mapping would pass a norm check). 2 mm: the
  // registration's error, far below |t - (-R^T t)| = 22 mm, the distance an inverted map would be off.
  const auto& m = (*truth_)["pet"][1]["planning_to_frame"]["planning_to_frame_matrix"];
  double expected[3];
  for (int i = 0; i < 3; ++i) {
    expected[i] = 0;
    for (int r = 0; r < 3; ++r) expected[i] -= m[r][i].get<double>() * m[r][3].get<double>();
  }
  const auto& t = (*json_)["followup"]["translation_mm"];
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(t[i].get<double>(), expected[i], 2.0) << "axis " << i;
  double inverted_off = 0;  // how far the inverted map's translation (+t) lies from the expected one
  for (int i = 0; i < 3; ++i) inverted_off += std::pow(m[i][3].get<double>() - expected[i], 2);
  EXPECT_GT(std::sqrt(inverted_off), 2.0 * std::sqrt(3.0));  // so the check above cannot pass by it
  EXPECT_NEAR((*json_)["followup"]["rotation_deg"].get<double>(), 3.0, 0.5);
  // The rotation's sense: rotation_deg is an angle without a sign, and a map with the truth's R instead of
  // R^T (and the right translation) would pass both checks above. Each follow-up lesion, mapped into the
  // planning frame, must land on its truth centre_planning_mm; with the sense flipped it would land
  // |(R - R^T) c_frame| = 2 sin(3 deg) x (its distance from the frame's z axis) away: 5.7 to 13 mm here.
  // 2.5 mm: the registration's error plus the segmented centroid's (measured 0.7 to 1.7 mm).
  const double angle = (*truth_)["pet"][1]["planning_to_frame"]["rotation_z_deg"].get<double>() * std::numbers::pi / 180;
  for (const auto& truth : (*truth_)["pet"][1]["lesions"]) {
    double nearest = 1e9;
    for (const auto& row : (*json_)["lesions"])
      if (!row["followup"].is_null())
        nearest = std::min(nearest, distance(row["followup"]["centroid_planning_mm"], truth["centre_planning_mm"]));
    EXPECT_LT(nearest, 2.5) << truth["name"];
    const auto& c = truth["centre_frame_mm"];
    const double flipped_off = 2 * std::sin(angle) * std::hypot(c[0].get<double>(), c[1].get<double>());
    EXPECT_GT(flipped_off, 2 * 2.5) << truth["name"] << ": the check above could not tell the sense";
  }
}

TEST_F(ResponseCommand, WritesLabelMapSegPngAndVtp) {
  const auto& out = *out_;
  const std::string nrrd = testing::read_text(out / "response_labels.nrrd");
  ASSERT_NE(nrrd.find("label5:=marginal_recurrence"), std::string::npos);
  const auto header_end = nrrd.find("\n\n");
  ASSERT_NE(header_end, std::string::npos);
  std::map<int, int> counts;
  for (std::size_t n = header_end + 2; n < nrrd.size(); ++n) ++counts[static_cast<unsigned char>(nrrd[n])];
  EXPECT_EQ(nrrd.size() - header_end - 2, std::size_t(128) * 128 * 84);  // follow-up PET grid, 1 byte per voxel
  for (int code : {1, 2, 3, 5, 6, 7}) EXPECT_GT(counts[code], 0) << "status code " << code;
  EXPECT_EQ(counts[4], 0);  // no in-field progression in this patient
  // The MIP decodes; below the picture, the legend: a colour box and a name per status and the PTV
  // outline row (18-pixel rows, 10 pixels of margin below).
  const auto png = testing::decode_png(testing::read_text(out / "response_mip.png"));
  ASSERT_GT(png.width, 0);
  const int legend_top = png.height - 10 - 8 * 18;
  ASSERT_GT(legend_top, 0);
  for (int row = 0; row < 8; ++row) {
    int dark = 0;
    for (int y = legend_top + 18 * row; y < legend_top + 18 * (row + 1); ++y)
      for (int x = 30; x < png.width; ++x) dark += png.at(x, y)[0] < 90 && png.at(x, y)[1] < 90;
    EXPECT_GT(dark, 20) << "legend row " << row << " has no name";
  }
  const std::string vtp = testing::read_text(out / "response_lesions.vtp");
  EXPECT_NE(vtp.find("<VTKFile type=\"PolyData\""), std::string::npos);
  EXPECT_NE(vtp.find("Name=\"status\""), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(out / "response_seg.dcm"));
  const std::string csv = testing::read_text(out / "response.csv");
  EXPECT_EQ(csv.rfind("followup,baseline,status,", 0), 0u);
}

// Issue 20: a rules value out of range was reported as the command-line option --percent; a rules path
// that is a directory aborted with an uncaught std::ios_failure. Both are exit 2 naming the rules file.
TEST_F(ResponseCommand, RulesValuesAndDirectoriesNameTheRulesFile) {
  const auto& p = testing::shared_small_patient();
  const auto run = [&](const std::filesystem::path& rules) {
    return run_sbrtkit({"response", "--plan", (p / "planning").string(), "--baseline", (p / "baseline" / "pet").string(),
                        "--followup", (p / "followup" / "pet").string(), "--rules", rules.string(), "--out",
                        (dir_->path() / "never").string()});
  };
  const auto rules = dir_->path() / "percent.yaml";
  std::ofstream(rules) << "segmentation:\n  percent: 500\n";
  const auto r = run(rules);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("percent.yaml: line 2, column"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(segmentation.percent)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("--percent"), std::string::npos) << r.err;
  std::filesystem::create_directory(dir_->path() / "rules_dir");
  const auto d = run(dir_->path() / "rules_dir");
  EXPECT_EQ(d.exit_code, 2) << d.err;
  EXPECT_NE(d.err.find("rules_dir"), std::string::npos) << d.err;
  EXPECT_NE(d.err.find("directory"), std::string::npos) << d.err;
  EXPECT_FALSE(std::filesystem::exists(dir_->path() / "never"));
}

TEST_F(ResponseCommand, BadRulesFileNamesFileAndKey) {
  const auto rules = dir_->path() / "bad.yaml";
  std::ofstream(rules) << "change:\n  percent: 30\n  absolute: 0.8\n";
  const auto& p = testing::shared_small_patient();
  const auto r = run_sbrtkit({"response", "--plan", (p / "planning").string(), "--baseline",
                              (p / "baseline" / "pet").string(), "--followup", (p / "followup" / "pet").string(),
                              "--rules", rules.string(), "--out", (dir_->path() / "bad").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("change.absolute"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sbrtkit
