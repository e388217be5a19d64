// TG-263 metric parsing and evaluation. Evaluations use DVHs whose cumulative curve is piecewise linear
// with breakpoints on bin edges, so the Dvh interpolation is exact and every hand value below is exact
// up to floating-point round-off (~1e-14 relative); tolerance 1e-9 relative to max(1, |truth|).

#include "sbrtkit/metric.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace sbrtkit {
namespace {

double tol(double truth) { return 1e-9 * std::max(1.0, std::abs(truth)); }

/// Uniform dose 10..20 Gy over 5 cc (1 Gy bins): V(>=d) = (20 - d) / 2 cc, D(v) = 20 - 2 v Gy,
/// mean 15 Gy; optionally extra volume outside the dose grid.
Dvh uniform_10_20(double outside_mm3 = 0) {
  std::vector<double> bins(20, 0.0);
  for (std::size_t b = 10; b < 20; ++b) bins[b] = 500;
  return Dvh(1.0, bins, outside_mm3, 10.0, 20.0, 15.0);
}

Metric parse(const std::string& text) {
  auto metric = parse_metric(text);
  EXPECT_TRUE(metric.has_value()) << text << ": " << (metric ? "" : metric.error().message());
  return std::move(*metric);
}

/// Value of `text` on the uniform DVH with a 20 Gy prescription; fails the test if there is none.
double value_of(const std::string& text, std::optional<double> rx_gy = 20.0, double outside_mm3 = 0) {
  const MetricResult result = evaluate(parse(text), uniform_10_20(outside_mm3), rx_gy);
  EXPECT_TRUE(result.value.has_value()) << text << ": " << result.warning;
  return result.value.value_or(NAN);
}

#define EXPECT_METRIC(text, truth) EXPECT_NEAR(value_of(text), (truth), tol(truth)) << (text)

TEST(Metric, ParsedFields) {
  const Metric d = parse("D0.035cc[cGy]");
  EXPECT_EQ(d.text(), "D0.035cc[cGy]");
  EXPECT_EQ(d.kind(), MetricKind::dose_at_volume);
  EXPECT_DOUBLE_EQ(d.input_value(), 0.035);
  EXPECT_EQ(d.input_unit(), MetricInputUnit::cc);
  EXPECT_EQ(d.output_unit(), MetricOutputUnit::cgy);
  EXPECT_FALSE(d.needs_prescription());

  const Metric v = parse("V100%[%]");
  EXPECT_EQ(v.kind(), MetricKind::volume_at_dose);
  EXPECT_EQ(v.input_unit(), MetricInputUnit::percent_rx);
  EXPECT_EQ(v.output_unit(), MetricOutputUnit::percent_volume);
  EXPECT_TRUE(v.needs_prescription());

  EXPECT_EQ(parse("DC700cc[Gy]").kind(), MetricKind::dose_complement);
  EXPECT_EQ(parse("CV20Gy[cc]").kind(), MetricKind::complement_volume);
  EXPECT_EQ(parse("Mean[%]").kind(), MetricKind::mean_dose);
  EXPECT_TRUE(parse("Mean[%]").needs_prescription());
  EXPECT_EQ(parse("Volume[cm3]").kind(), MetricKind::structure_volume);
  EXPECT_EQ(parse("D2cm3[Gy]").input_unit(), MetricInputUnit::cc);
  EXPECT_EQ(parse("V20Gy[cm3]").output_unit(), MetricOutputUnit::cc);
  EXPECT_EQ(parse("D95.%[Gy]").input_value(), 95.0);  // "95." as in \d+\.?\d*
}

TEST(Metric, DoseAtVolume) {
  EXPECT_METRIC("D95%[Gy]", 10.5);      // 95 % of 5 cc = 4.75 cc -> 20 - 9.5
  EXPECT_METRIC("D95%[cGy]", 1050.0);
  EXPECT_METRIC("D95%[%]", 52.5);       // 10.5 / 20 Gy
  EXPECT_METRIC("D0.03cc[Gy]", 19.94);
  EXPECT_METRIC("D0.035cc[Gy]", 19.93);
  EXPECT_METRIC("D0.03cm3[Gy]", 19.94);
  EXPECT_METRIC("D2cc[cGy]", 1600.0);
  EXPECT_METRIC("D100%[Gy]", 10.0);     // the whole covered volume -> min
  EXPECT_METRIC("D0%[Gy]", 20.0);       // no volume -> max
  EXPECT_METRIC("D5cc[Gy]", 10.0);
}

TEST(Metric, VolumeAtDose) {
  EXPECT_METRIC("V15Gy[cc]", 2.5);
  EXPECT_METRIC("V15Gy[%]", 50.0);
  EXPECT_METRIC("V12.3Gy[cc]", 3.85);
  EXPECT_METRIC("V1500cGy[cc]", 2.5);
  EXPECT_METRIC("V75%[%]", 50.0);       // 75 % of 20 Gy = 15 Gy
  EXPECT_METRIC("V60%[cm3]", 4.0);      // 12 Gy
  EXPECT_METRIC("V100%[cc]", 0.0);      // 20 Gy = max
  EXPECT_METRIC("V5Gy[%]", 100.0);
}

TEST(Metric, Complements) {
  EXPECT_METRIC("DC1cc[Gy]", 12.0);     // D at 5 - 1 = 4 cc
  EXPECT_METRIC("DC5%[Gy]", 10.5);      // D at 95 %
  EXPECT_METRIC("DC0cc[Gy]", 10.0);     // D at the whole volume
  EXPECT_METRIC("DC5cc[Gy]", 20.0);     // D at 0 cc
  EXPECT_METRIC("DC40%[cGy]", 1400.0);  // D at 3 cc
  EXPECT_METRIC("CV12.3Gy[cc]", 1.15);  // 5 - 3.85
  EXPECT_METRIC("CV12.3Gy[%]", 23.0);
  EXPECT_METRIC("CV1500cGy[cc]", 2.5);
  EXPECT_METRIC("CV100%[%]", 100.0);    // everything is below 20 Gy
  EXPECT_METRIC("CV5Gy[cc]", 0.0);
}

TEST(Metric, Statistics) {
  EXPECT_METRIC("Min[Gy]", 10.0);
  EXPECT_METRIC("Max[Gy]", 20.0);
  EXPECT_METRIC("Mean[Gy]", 15.0);
  EXPECT_METRIC("Min[cGy]", 1000.0);
  EXPECT_METRIC("Max[%]", 100.0);
  EXPECT_METRIC("Mean[%]", 75.0);
  EXPECT_METRIC("Volume[cc]", 5.0);
  EXPECT_METRIC("Volume[cm3]", 5.0);
}

TEST(Metric, PrescriptionForms) {
  for (const char* text : {"D95%[%]", "V100%[cc]", "V100%[%]", "CV90%[cc]", "Max[%]", "Mean[%]"}) {
    const MetricResult result = evaluate(parse(text), uniform_10_20(), std::nullopt);
    EXPECT_FALSE(result.value.has_value()) << text;
    EXPECT_EQ(result.warning, "needs a prescription (--rx or RTPLAN)") << text;
    const MetricResult zero_rx = evaluate(parse(text), uniform_10_20(), 0.0);
    EXPECT_FALSE(zero_rx.value.has_value()) << text;
    EXPECT_NE(zero_rx.warning.find("needs a prescription (--rx or RTPLAN)"), std::string::npos) << text;
  }
  // Absolute forms need none.
  const MetricResult absolute = evaluate(parse("D95%[Gy]"), uniform_10_20(), std::nullopt);
  ASSERT_TRUE(absolute.value.has_value());
  EXPECT_NEAR(*absolute.value, 10.5, tol(10.5));
  EXPECT_TRUE(absolute.warning.empty());
}

TEST(Metric, VolumeLargerThanTheStructure) {
  // The whole 5 cc structure is covered: the warning says the structure itself is too small.
  for (const char* text : {"D6cc[Gy]", "DC5.5cc[Gy]"}) {
    const MetricResult result = evaluate(parse(text), uniform_10_20(), 20.0);
    EXPECT_FALSE(result.value.has_value()) << text;
    EXPECT_NE(result.warning.find("the structure is only 5 cc"), std::string::npos) << result.warning;
  }
}

TEST(Metric, PartlyOutsideTheDoseGrid) {
  // 1 cc outside: relative forms use the covered 5 cc, Volume is the whole 6 cc, and each dose or
  // volume metric carries a warning.
  const Dvh dvh = uniform_10_20(1000);
  const MetricResult d95 = evaluate(parse("D95%[Gy]"), dvh, 20.0);
  ASSERT_TRUE(d95.value.has_value());
  EXPECT_NEAR(*d95.value, 10.5, tol(10.5));
  EXPECT_NE(d95.warning.find("outside the dose grid"), std::string::npos) << d95.warning;
  const MetricResult v15 = evaluate(parse("V15Gy[%]"), dvh, 20.0);
  EXPECT_NEAR(*v15.value, 50.0, tol(50.0));
  const MetricResult volume = evaluate(parse("Volume[cc]"), dvh, 20.0);
  EXPECT_NEAR(*volume.value, 6.0, tol(6.0));
  EXPECT_TRUE(volume.warning.empty());
  // 5.5 cc exists in the structure but only 5 cc has dose: no D5.5cc.
  const MetricResult d55 = evaluate(parse("D5.5cc[Gy]"), dvh, 20.0);
  EXPECT_FALSE(d55.value.has_value());
  EXPECT_NE(d55.warning.find("only 5 cc of the structure is inside the dose grid"), std::string::npos) << d55.warning;
}

TEST(Metric, EmptyDvh) {
  const Dvh all_outside(0.001, {}, 2500, 0, 0, 0);
  for (const char* text : {"D95%[Gy]", "V20Gy[cc]", "CV20Gy[cc]", "Max[Gy]", "Mean[Gy]"}) {
    const MetricResult result = evaluate(parse(text), all_outside, 20.0);
    EXPECT_FALSE(result.value.has_value()) << text;
    EXPECT_EQ(result.warning, "no part of the structure is inside the dose grid") << text;
  }
  EXPECT_NEAR(*evaluate(parse("Volume[cc]"), all_outside, 20.0).value, 2.5, tol(2.5));
  EXPECT_EQ(evaluate(parse("Max[Gy]"), Dvh(), 20.0).warning, "the structure has no volume");
}

TEST(Metric, FlatStretchFollowsDvh) {
  // 1 cc in [5,6], 2 cc in [10,11], 1 cc in [15,15.5]: D3cc is the top of the flat stretch, 10 Gy.
  std::vector<double> bins(16, 0.0);
  bins[5] = 1000;
  bins[10] = 2000;
  bins[15] = 1000;
  const Dvh dvh(1.0, bins, 0, 5.0, 15.5, 10.4375);
  EXPECT_NEAR(*evaluate(parse("D3cc[Gy]"), dvh, std::nullopt).value, 10.0, tol(10.0));
  EXPECT_NEAR(*evaluate(parse("D75%[Gy]"), dvh, std::nullopt).value, 10.0, tol(10.0));
  EXPECT_NEAR(*evaluate(parse("DC1cc[Gy]"), dvh, std::nullopt).value, 10.0, tol(10.0));
  EXPECT_NEAR(*evaluate(parse("V8Gy[%]"), dvh, std::nullopt).value, 75.0, tol(75.0));
}

// --- Malformed metrics: the error names the exact bad token -------------------------------------

struct BadCase {
  const char* text;
  const char* found;     // Error::found: the token in quotes, or "end of text"
  const char* expected;  // a piece of Error::expected
};

TEST(Metric, MalformedNamesTheToken) {
  const BadCase cases[] = {
      {"D95%[Gz]", "'Gz'", "Gy, cGy or %"},
      {"X95%[Gy]", "'X'", "D, V, DC, CV"},
      {"D95", "end of text", "%, cc or cm3"},
      {"D95%", "end of text", "'['"},
      {"D95%[Gy", "end of text", "']'"},
      {"V20GY[cc]", "'GY'", "Gy, cGy or %"},
      {"V20gy[cc]", "'gy'", "Gy, cGy or %"},
      {"D95%[GY]", "'GY'", "Gy, cGy or %"},
      {"D95%[gy]", "'gy'", "Gy, cGy or %"},
      {"D2CC[Gy]", "'CC'", "%, cc or cm3"},
      {"Dmax[Gy]", "'Dmax'", "D, V, DC, CV"},
      {"max[Gy]", "'max'", "Min, Max, Mean"},
      {"d95%[Gy]", "'d'", "D, V, DC, CV"},
      {"95%[Gy]", "'95%'", "D, V, DC, CV"},
      {"D9.5.1%[Gy]", "'9.5.1'", "a number"},
      {"D.5cc[Gy]", "'.5'", "a number"},
      {"D%[Gy]", "'%'", "a number after 'D'"},
      {"D-5cc[Gy]", "'-5cc'", "a number after 'D'"},
      {"D95Gy[Gy]", "'Gy'", "%, cc or cm3"},
      {"D95[Gy]", "'[Gy]'", "%, cc or cm3"},
      {"V20cc[cc]", "'cc'", "Gy, cGy or %"},
      {"V20[cc]", "'[cc]'", "Gy, cGy or %"},
      {"D95%[cc]", "'cc'", "Gy, cGy or %"},
      {"V20Gy[Gy]", "'Gy'", "cc, cm3 or %"},
      {"Volume[%]", "'%'", "cc or cm3"},
      {"Mean[]", "''", "Gy, cGy or %"},
      {"D95%[Gy]x", "'x'", "nothing after ']'"},
      {"Max5[Gy]", "'5'", "'['"},
      {"Max", "end of text", "'['"},
      {"D105%[Gy]", "'105'", "from 0 to 100"},
      {"DC101%[Gy]", "'101'", "from 0 to 100"},
      {"D95% [Gy]", "'% '", "%, cc or cm3"},
      {"D95%[Gy] ", "' '", "nothing after ']'"},
      {"", "end of text", "D, V, DC, CV"},
  };
  for (const BadCase& c : cases) {
    const auto metric = parse_metric(c.text);
    ASSERT_FALSE(metric.has_value()) << c.text;
    const Error& error = metric.error();
    EXPECT_EQ(error.code, ErrorCode::bad_metric) << c.text;
    EXPECT_EQ(error.tag, "metric '" + std::string(c.text) + "'");
    EXPECT_EQ(error.found, c.found) << c.text << " -> " << error.message();
    EXPECT_NE(error.expected.find(c.expected), std::string::npos) << c.text << " -> " << error.message();
  }
}

TEST(Metric, ErrorMessageReadsWell) {
  const auto metric = parse_metric("D95%[Gz]");
  ASSERT_FALSE(metric.has_value());
  EXPECT_EQ(metric.error().message(),
            "metric 'D95%[Gz]': expected an output dose unit: Gy, cGy or % (of prescription), found 'Gz'");
}

// --- Lists ----------------------------------------------------------------------------------------

TEST(MetricList, SplitsTrimsAndKeepsText) {
  const auto metrics = parse_metric_list("D95%[Gy], V20Gy[cc] ,Max[Gy]");
  ASSERT_TRUE(metrics.has_value()) << metrics.error().message();
  ASSERT_EQ(metrics->size(), 3u);
  EXPECT_EQ((*metrics)[0].text(), "D95%[Gy]");
  EXPECT_EQ((*metrics)[1].text(), "V20Gy[cc]");
  EXPECT_EQ((*metrics)[2].text(), "Max[Gy]");

  const auto none = parse_metric_list("  ");
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST(MetricList, BadItems) {
  const auto bad_unit = parse_metric_list("D95%[Gy], V20GY[cc]");
  ASSERT_FALSE(bad_unit.has_value());
  EXPECT_EQ(bad_unit.error().tag, "metric 'V20GY[cc]'");
  EXPECT_EQ(bad_unit.error().found, "'GY'");

  for (const char* text : {"D95%[Gy],,Max[Gy]", "D95%[Gy],", ",D95%[Gy]"}) {
    const auto empty_item = parse_metric_list(text);
    ASSERT_FALSE(empty_item.has_value()) << text;
    EXPECT_EQ(empty_item.error().code, ErrorCode::bad_metric);
    EXPECT_NE(empty_item.error().expected.find("a metric between commas"), std::string::npos);
  }
}

}  // namespace
}  // namespace sbrtkit

namespace sbrtkit {
namespace {

// The EQD2 step of `check` carries the converted metric instead of printing and re-parsing it: the
// result must be the metric the text would give, with the level exact (no %.6g rounding on the way).
TEST(Metric, AtDoseLevelKeepsTheKindAndOutputAndSetsTheExactLevel) {
  auto v = parse_metric("V2000cGy[%]");
  ASSERT_TRUE(v);
  const double level = 28.123456789;
  auto converted = v->at_dose_level_gy(level);
  ASSERT_TRUE(converted);
  EXPECT_EQ(converted->kind(), MetricKind::volume_at_dose);
  EXPECT_EQ(converted->input_unit(), MetricInputUnit::gy);
  EXPECT_EQ(converted->input_value(), level);
  EXPECT_EQ(converted->output_unit(), MetricOutputUnit::percent_volume);
  EXPECT_EQ(converted->text(), "V28.1235Gy[%]");
  auto cv = parse_metric("CV20Gy[cc]")->at_dose_level_gy(30);
  ASSERT_TRUE(cv);
  EXPECT_EQ(cv->kind(), MetricKind::complement_volume);
  EXPECT_EQ(cv->text(), "CV30Gy[cc]");
  EXPECT_FALSE(parse_metric("D95%[Gy]")->at_dose_level_gy(30));
  EXPECT_FALSE(v->at_dose_level_gy(-1));
  EXPECT_FALSE(v->at_dose_level_gy(std::nan("")));
}

}  // namespace
}  // namespace sbrtkit
