#pragma once
/// DVH metrics in the TG-263 / Mayo 2016 query language: `<Type><value><unit>[<output unit>]`, no spaces.
///
///   D95%[Gy]  D0.03cc[Gy]  D2cm3[cGy]  D95%[%]    dose to the hottest X (output % = % of prescription)
///   V20Gy[cc] V2000cGy[%]  V100%[cc]             volume receiving >= X (input % = % of prescription)
///   DC700cc[Gy]  DC5%[Gy]                         dose complement: D at (covered volume - X)
///   CV20Gy[cc]   CV100%[%]                        complement volume: volume receiving < X
///   Min[Gy] Max[cGy] Mean[%]  Volume[cc]          statistics; Volume is the whole structure
///
/// Units are case-sensitive as in TG-263 (`Gy`, `cGy`, `cc`, `cm3`, `%`): `GY` or `gy` is rejected with
/// an error naming the token rather than guessed, so a metric key always has one spelling. Volume
/// percentages (D95%, DC5%, V20Gy[%], CV20Gy[%]) are of the covered volume, the part inside the dose
/// grid; `Volume[cc]` is the full structure including any part outside it.
///
///   auto metrics = parse_metric_list("D95%[Gy], V20Gy[cc], Max[Gy]");
///   MetricResult r = evaluate((*metrics)[0], dvh, 30.0);   // r.value in Gy, r.warning empty

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbrtkit/dvh.h"
#include "sbrtkit/expected.h"

namespace sbrtkit {

enum class MetricKind {
  dose_at_volume,     // D
  volume_at_dose,     // V
  dose_complement,    // DC
  complement_volume,  // CV
  min_dose,           // Min
  max_dose,           // Max
  mean_dose,          // Mean
  structure_volume,   // Volume
};

/// Unit of the number inside the metric (D95% -> percent_volume, V20Gy -> gy); none for statistics.
enum class MetricInputUnit { none, cc, percent_volume, gy, cgy, percent_rx };
/// Unit of the result, from the bracket.
enum class MetricOutputUnit { gy, cgy, percent_rx, cc, percent_volume };

/// A parsed metric. Built only by parse_metric, so its fields always agree with each other.
class Metric {
 public:
  /// The text exactly as given (used as the JSON key).
  const std::string& text() const { return text_; }
  MetricKind kind() const { return kind_; }
  /// The number in the metric (95 for D95%, 0 for statistics).
  double input_value() const { return input_value_; }
  MetricInputUnit input_unit() const { return input_unit_; }
  MetricOutputUnit output_unit() const { return output_unit_; }
  /// True when input or output is relative to the prescription.
  bool needs_prescription() const {
    return input_unit_ == MetricInputUnit::percent_rx || output_unit_ == MetricOutputUnit::percent_rx;
  }
  /// The same volume-at-dose metric (V or CV, output unit unchanged) at another dose level in Gy, e.g.
  /// the EQD2 of its level when a protocol converts; its text is rewritten to match ("V23.4Gy[cc]").
  /// nullopt for other kinds or a level that is not a finite dose >= 0.
  std::optional<Metric> at_dose_level_gy(double level_gy) const;

 private:
  friend Expected<Metric> parse_metric(std::string_view text);
  Metric() = default;

  std::string text_;
  MetricKind kind_ = MetricKind::min_dose;
  double input_value_ = 0;
  MetricInputUnit input_unit_ = MetricInputUnit::none;
  MetricOutputUnit output_unit_ = MetricOutputUnit::gy;
};

/// Parses one metric. Malformed text gives Error::bad_metric naming the offending token and what was
/// expected there, e.g. `D95%[Gz]` -> token `Gz`, expected "Gy, cGy or %".
Expected<Metric> parse_metric(std::string_view text);

/// Parses "D95%[Gy], V20Gy[cc]": items separated by commas, spaces around items ignored. An empty (or
/// all-blank) string gives no metrics; an empty item between commas is an error.
Expected<std::vector<Metric>> parse_metric_list(std::string_view comma_separated);

/// Parses each text in order (one metric per item, as --metrics gives them); the first malformed one is
/// the error.
Expected<std::vector<Metric>> parse_metrics(const std::vector<std::string>& texts);

struct MetricResult {
  std::optional<double> value;  // in the metric's output unit; nullopt when it cannot be computed
  std::string warning;          // why value is missing, or what to keep in mind about it; empty if none
};

/// Evaluates a metric on a DVH. prescription_gy is needed only by %-of-Rx forms; without it (or with a
/// non-positive one) they return no value and the warning "needs a prescription (--rx or RTPLAN)".
/// D/DC volumes larger than the covered volume, and any dose metric on a DVH with no covered volume,
/// return no value and a warning. A structure partly outside the dose grid gets a value plus a warning.
MetricResult evaluate(const Metric& metric, const Dvh& dvh, std::optional<double> prescription_gy);

}  // namespace sbrtkit
