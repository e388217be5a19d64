// lesions_history.csv and the lesion sections of history.json on a hand-made two-study history: one
// lesion treated on 2024-02-01 that progresses in its PTV on 2024-05-02 (29 + 31 + 30 + 1 = 91 days).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "report/history_lesions_json.h"
#include "sbrtkit/report/history_lesions_output.h"

namespace sbrtkit {
namespace {

ResponseLesion ball(PatientPoint c, double r, double suv) {
  ResponseLesion l;
  l.voxel_size_mm = 2;
  l.voxel_volume_mm3 = 8;
  for (double z = -r; z <= r; z += 2)
    for (double y = -r; y <= r; y += 2)
      for (double x = -r; x <= r; x += 2)
        if (x * x + y * y + z * z <= r * r) l.points.push_back({c.x + x, c.y + y, c.z + z});
  l.centroid = c;
  l.volume_cc = double(l.points.size()) * 8 / 1000;
  l.suv_max = l.suv_peak = suv;
  l.suv_mean = suv;
  l.tlg = suv * l.volume_cc;
  return l;
}

HistoryLesions sample() {
  HistoryLesions h;
  h.studies = {{"1.2.3,\"odd\"", *parse_calendar_date("2024-01-20"), {ball({0, 0, 0}, 6, 5)}},
               {"1.2.4", *parse_calendar_date("2024-05-02"), {ball({0, 0, 0}, 8, 12)}}};
  h.study_series_uids = {"1.2.3,\"odd\"", "1.2.4"};
  h.course_plan_uids = {"9.9"};
  h.course_fractions = {3};
  LesionCourse c;
  c.plan_uid = "9.9";
  c.date = *parse_calendar_date("2024-02-01");
  for (const auto& s : h.studies) {
    c.context.emplace_back();
    for (const auto& l : s.lesions) {
      LesionDoseContext ctx;
      ctx.ptv = "PTV_1";
      ctx.ptv_distance_mm = norm(l.centroid - PatientPoint{}) - 15;
      ctx.prescription_gy = 30;
      c.context.back().push_back(ctx);
    }
  }
  auto hist = build_lesion_history(h.studies, {c}, ResponseRules{});
  EXPECT_TRUE(hist);
  h.history = *hist;
  LesionDoseSummary d;
  d.course_eqd2_d98_gy = {50.0};
  d.course_eqd2_mean_gy = {55.0};
  d.cumulative_eqd2_d98_gy = 50.0;
  h.dose = {d};
  return h;
}

TEST(HistoryLesionsOutput, CsvHasOneRowPerLesionPerStudyWithQuotedCells) {
  const std::string csv = format_lesions_history_csv(sample());
  std::istringstream in(csv);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);  // header + 2 appearances
  EXPECT_EQ(lines[0].rfind("lesion_id,study_series_uid,study_date,", 0), 0u);
  EXPECT_EQ(lines[1].rfind("L1,\"1.2.3,\"\"odd\"\"\",2024-01-20,", 0), 0u) << lines[1];
  EXPECT_NE(lines[2].find(",progressing,yes,"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find(",50.00,local_failure,2024-05-02,91"), std::string::npos) << lines[2];
}

TEST(HistoryLesionsOutput, JsonLesionCarriesTheContractKeys) {
  const auto j = history_lesion_sections(sample());
  ASSERT_EQ(j["lesions"].size(), 1u);
  const auto& l = j["lesions"][0];
  EXPECT_EQ(l["id"], "L1");
  EXPECT_EQ(l["treated_by"], nlohmann::json::array({"9.9"}));
  EXPECT_EQ(l["outcome"], "local_failure");
  EXPECT_EQ(l["failure_date"], "2024-05-02");
  EXPECT_EQ(l["days_to_failure"], 91);
  EXPECT_EQ(l["cumulative_eqd2_d98_gy"], 50.0);
  ASSERT_EQ(l["timeline"].size(), 2u);
  EXPECT_EQ(l["timeline"][1]["suvmax"], 12.0);
  EXPECT_EQ(l["timeline"][0]["date"], "2024-01-20");
  EXPECT_EQ(j["patient_events"]["courses"][0]["days_to_progression"], 91);
  EXPECT_EQ(j["patient_events"]["studies"][1]["progression_pattern"], "oligoprogression");
}

/// Every key an object has is a property of its schema definition, and every required property is there.
void expect_matches(const nlohmann::json& object, const nlohmann::json& definition, const std::string& where) {
  for (const auto& [key, value] : object.items())
    EXPECT_TRUE(definition["properties"].contains(key)) << where << "." << key << " is not in the schema";
  for (const auto& key : definition["required"])
    EXPECT_TRUE(object.contains(key.get<std::string>())) << where << " lacks required " << key;
}

TEST(HistoryLesionsOutput, SectionsMatchTheirSchema) {
  std::ifstream in(std::string(SBRTKIT_SOURCE_DIR) + "/docs/schemas/history.schema.json");
  const auto schema = nlohmann::json::parse(in);
  const auto j = history_lesion_sections(sample());
  for (const auto& [key, value] : j.items()) EXPECT_TRUE(schema["properties"].contains(key)) << key;
  const auto& defs = schema["$defs"];
  expect_matches(j["lesions"][0], defs["lesion"], "lesions[0]");
  expect_matches(j["lesions"][0]["timeline"][0], defs["appearance"], "timeline[0]");
  expect_matches(j["lesions"][0]["per_course"][0], defs["course_outcome"], "per_course[0]");
  expect_matches(j["patient_events"], schema["properties"]["patient_events"], "patient_events");
  expect_matches(j["patient_events"]["courses"][0], schema["properties"]["patient_events"]["properties"]["courses"]["items"],
                 "patient_events.courses[0]");
  expect_matches(j["patient_events"]["studies"][0], schema["properties"]["patient_events"]["properties"]["studies"]["items"],
                 "patient_events.studies[0]");
  // Outcome names are the schema's enumeration.
  const auto& names = defs["outcome"]["enum"];
  for (auto o : {LesionOutcome::controlled, LesionOutcome::local_failure, LesionOutcome::marginal_failure,
                 LesionOutcome::out_of_field_progression, LesionOutcome::new_lesion, LesionOutcome::not_progressed,
                 LesionOutcome::not_evaluable})
    EXPECT_NE(std::find(names.begin(), names.end(), outcome_name(o)), names.end()) << outcome_name(o);
}

}  // namespace
}  // namespace sbrtkit
