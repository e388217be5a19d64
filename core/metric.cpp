#include "sbrtkit/metric.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <system_error>

#include "number_text.h"

namespace sbrtkit {

namespace {

constexpr std::string_view kEndOfText = "end of text";
constexpr std::string_view kNeedsRx = "needs a prescription (--rx or RTPLAN)";
// A D/DC volume may exceed the covered volume by this fraction of it (round-off of "% of V").
constexpr double kVolumeRoundOff = 1e-9;

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

/// Error for `token` found where `expected` was; an empty token at the end of the text reads
/// "found end of text" instead of "found ''".
Error bad(std::string_view text, std::string_view token, bool at_end, std::string expected) {
  Error error = Error::bad_metric(std::string(text), std::string(token), std::move(expected));
  if (at_end) error.found = std::string(kEndOfText);
  return error;
}

/// Characters from pos up to (not including) the first `stop` or the end.
std::string_view run_until(std::string_view text, std::size_t pos, char stop) {
  const std::size_t end = text.find(stop, pos);
  return text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
}

/// Measured values in notes and messages: 4 significant digits.
std::string format_number(double value) { return detail::number_text(value, 4); }

bool is_dose_kind(MetricKind kind) {
  return kind == MetricKind::dose_at_volume || kind == MetricKind::dose_complement ||
         kind == MetricKind::min_dose || kind == MetricKind::max_dose || kind == MetricKind::mean_dose;
}

}  // namespace

std::optional<Metric> Metric::at_dose_level_gy(double level_gy) const {
  if (kind_ != MetricKind::volume_at_dose && kind_ != MetricKind::complement_volume) return std::nullopt;
  if (!std::isfinite(level_gy) || level_gy < 0) return std::nullopt;
  Metric out = *this;
  out.input_value_ = level_gy;
  out.input_unit_ = MetricInputUnit::gy;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s%.6gGy", kind_ == MetricKind::complement_volume ? "CV" : "V", level_gy);
  const auto bracket = text_.find('[');
  out.text_ = std::string(buffer) + (bracket == std::string::npos ? std::string() : text_.substr(bracket));
  return out;
}

Expected<Metric> parse_metric(std::string_view text) {
  Metric metric;
  metric.text_ = std::string(text);
  std::size_t pos = 0;

  // Type: the leading run of letters.
  while (pos < text.size() && is_letter(text[pos])) ++pos;
  const std::string_view type = text.substr(0, pos);
  constexpr const char* kTypes = "D, V, DC, CV, Min, Max, Mean or Volume (case-sensitive), e.g. D95%[Gy]";
  if (type.empty()) {
    std::string_view token = run_until(text, 0, '[');
    if (token.empty()) token = text.substr(0, 1);
    return bad(text, token, text.empty(), kTypes);
  }
  bool is_statistic = true;
  if (type == "D") {
    metric.kind_ = MetricKind::dose_at_volume;
    is_statistic = false;
  } else if (type == "V") {
    metric.kind_ = MetricKind::volume_at_dose;
    is_statistic = false;
  } else if (type == "DC") {
    metric.kind_ = MetricKind::dose_complement;
    is_statistic = false;
  } else if (type == "CV") {
    metric.kind_ = MetricKind::complement_volume;
    is_statistic = false;
  } else if (type == "Min") {
    metric.kind_ = MetricKind::min_dose;
  } else if (type == "Max") {
    metric.kind_ = MetricKind::max_dose;
  } else if (type == "Mean") {
    metric.kind_ = MetricKind::mean_dose;
  } else if (type == "Volume") {
    metric.kind_ = MetricKind::structure_volume;
  } else {
    return bad(text, type, false, kTypes);
  }
  const bool takes_volume = metric.kind_ == MetricKind::dose_at_volume || metric.kind_ == MetricKind::dose_complement;

  if (!is_statistic) {
    // Number: digits with at most one decimal point, starting with a digit (95, 0.03, 0.035).
    const std::size_t number_begin = pos;
    while (pos < text.size() && (is_digit(text[pos]) || text[pos] == '.')) ++pos;
    const std::string_view number = text.substr(number_begin, pos - number_begin);
    if (number.empty()) {
      const std::string_view token = run_until(text, pos, '[');
      return bad(text, token, pos == text.size(),
                 "a number after '" + std::string(type) + "', e.g. " + std::string(type) +
                     (takes_volume ? "95%" : "20Gy"));
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (!is_digit(number.front()) || ec != std::errc() || end != number.data() + number.size()) {
      return bad(text, number, false, "a number such as 95 or 0.03");
    }
    metric.input_value_ = value;

    // Input unit: everything up to the output bracket.
    const std::string_view unit = run_until(text, pos, '[');
    const std::string expected_unit = takes_volume ? "a volume unit after '" + std::string(number) + "': %, cc or cm3"
                                                   : "a dose unit after '" + std::string(number) + "': Gy, cGy or % (of prescription)";
    if (unit.empty()) {
      return bad(text, text.substr(pos), pos == text.size(), expected_unit);
    }
    if (takes_volume && unit == "%") {
      metric.input_unit_ = MetricInputUnit::percent_volume;
      if (value > 100) return bad(text, number, false, "a percentage of the volume from 0 to 100");
    } else if (takes_volume && (unit == "cc" || unit == "cm3")) {
      metric.input_unit_ = MetricInputUnit::cc;
    } else if (!takes_volume && unit == "Gy") {
      metric.input_unit_ = MetricInputUnit::gy;
    } else if (!takes_volume && unit == "cGy") {
      metric.input_unit_ = MetricInputUnit::cgy;
    } else if (!takes_volume && unit == "%") {
      metric.input_unit_ = MetricInputUnit::percent_rx;
    } else {
      return bad(text, unit, false, expected_unit);
    }
    pos += unit.size();
  }

  // Output unit in brackets, closing the metric.
  if (pos == text.size() || text[pos] != '[') {
    const std::string_view token = run_until(text, pos, '[');
    return bad(text, token, pos == text.size(),
               "'[' and an output unit after '" + std::string(text.substr(0, pos)) + "', e.g. " +
                   std::string(text.substr(0, pos)) + (is_dose_kind(metric.kind_) ? "[Gy]" : "[cc]"));
  }
  ++pos;
  const std::size_t close = text.find(']', pos);
  if (close == std::string_view::npos) {
    return bad(text, "", true, "']' closing '[" + std::string(text.substr(pos)) + "'");
  }
  const std::string_view output = text.substr(pos, close - pos);
  if (is_dose_kind(metric.kind_)) {
    if (output == "Gy") {
      metric.output_unit_ = MetricOutputUnit::gy;
    } else if (output == "cGy") {
      metric.output_unit_ = MetricOutputUnit::cgy;
    } else if (output == "%") {
      metric.output_unit_ = MetricOutputUnit::percent_rx;
    } else {
      return bad(text, output, false, "an output dose unit: Gy, cGy or % (of prescription)");
    }
  } else if (output == "cc" || output == "cm3") {
    metric.output_unit_ = MetricOutputUnit::cc;
  } else if (output == "%" && metric.kind_ != MetricKind::structure_volume) {
    metric.output_unit_ = MetricOutputUnit::percent_volume;
  } else {
    return bad(text, output, false,
               metric.kind_ == MetricKind::structure_volume ? "an output volume unit: cc or cm3"
                                                            : "an output volume unit: cc, cm3 or % (of volume)");
  }
  pos = close + 1;
  if (pos != text.size()) return bad(text, text.substr(pos), false, "nothing after ']'");
  return metric;
}

Expected<std::vector<Metric>> parse_metrics(const std::vector<std::string>& texts) {
  std::vector<Metric> metrics;
  metrics.reserve(texts.size());
  for (const auto& text : texts) {
    auto metric = parse_metric(text);
    if (!metric) return metric.error();
    metrics.push_back(std::move(*metric));
  }
  return metrics;
}

Expected<std::vector<Metric>> parse_metric_list(std::string_view comma_separated) {
  constexpr std::string_view kBlank = " \t\r\n";
  std::vector<Metric> metrics;
  if (comma_separated.find_first_not_of(kBlank) == std::string_view::npos) return metrics;
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = comma_separated.find(',', begin);
    std::string_view item = comma_separated.substr(
        begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin);
    const std::size_t first = item.find_first_not_of(kBlank);
    if (first == std::string_view::npos) {
      return Error::bad_metric(std::string(comma_separated), std::string(item),
                               "a metric between commas, e.g. \"D95%[Gy], V20Gy[cc]\"");
    }
    item = item.substr(first, item.find_last_not_of(kBlank) - first + 1);
    auto metric = parse_metric(item);
    if (!metric) return metric.error();
    metrics.push_back(std::move(*metric));
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return metrics;
}

MetricResult evaluate(const Metric& metric, const Dvh& dvh, std::optional<double> prescription_gy) {
  if (metric.kind() == MetricKind::structure_volume) return {dvh.total_volume_cc(), ""};

  MetricResult result;
  if (metric.needs_prescription() && !(prescription_gy && *prescription_gy > 0)) {
    result.warning = std::string(kNeedsRx);
    if (prescription_gy) result.warning += "; the prescription given is " + format_number(*prescription_gy) + " Gy";
    return result;
  }
  const double rx_gy = prescription_gy.value_or(0.0);
  if (dvh.empty()) {
    result.warning = dvh.outside_volume_cc() > 0 ? "no part of the structure is inside the dose grid"
                                                 : "the structure has no volume";
    return result;
  }
  const double covered_cc = dvh.covered_volume_cc();
  const double x = metric.input_value();

  auto dose_out = [&](double dose_gy) {
    switch (metric.output_unit()) {
      case MetricOutputUnit::cgy: return dose_gy * 100.0;
      case MetricOutputUnit::percent_rx: return dose_gy / rx_gy * 100.0;
      default: return dose_gy;
    }
  };
  auto volume_out = [&](double volume_cc) {
    return metric.output_unit() == MetricOutputUnit::percent_volume ? volume_cc / covered_cc * 100.0 : volume_cc;
  };
  auto dose_in_gy = [&]() {
    switch (metric.input_unit()) {
      case MetricInputUnit::cgy: return x / 100.0;
      case MetricInputUnit::percent_rx: return x / 100.0 * rx_gy;
      default: return x;
    }
  };
  auto too_large = [&](double volume_cc) {
    if (dvh.total_volume_cc() < volume_cc * (1.0 - kVolumeRoundOff))
      return "needs " + format_number(volume_cc) + " cc but the structure is only " +
             format_number(dvh.total_volume_cc()) + " cc";
    return "needs " + format_number(volume_cc) + " cc but only " + format_number(covered_cc) +
           " cc of the structure is inside the dose grid";
  };

  switch (metric.kind()) {
    case MetricKind::dose_at_volume: {
      const double volume_cc = metric.input_unit() == MetricInputUnit::percent_volume ? x / 100.0 * covered_cc : x;
      if (volume_cc > covered_cc * (1.0 + kVolumeRoundOff)) {
        result.warning = too_large(volume_cc);
        return result;
      }
      result.value = dose_out(*dvh.dose_at_volume_cc(std::min(volume_cc, covered_cc)));
      break;
    }
    case MetricKind::dose_complement: {
      // D at (covered - X): the dose that the coldest X stays below.
      const double complement_cc =
          metric.input_unit() == MetricInputUnit::percent_volume ? x / 100.0 * covered_cc : x;
      if (complement_cc > covered_cc * (1.0 + kVolumeRoundOff)) {
        result.warning = too_large(complement_cc);
        return result;
      }
      const double volume_cc = std::max(covered_cc - complement_cc, 0.0);
      result.value = dose_out(*dvh.dose_at_volume_cc(volume_cc));
      break;
    }
    case MetricKind::volume_at_dose:
      result.value = volume_out(dvh.volume_at_least_cc(dose_in_gy()));
      break;
    case MetricKind::complement_volume:
      result.value = volume_out(std::max(covered_cc - dvh.volume_at_least_cc(dose_in_gy()), 0.0));
      break;
    case MetricKind::min_dose: result.value = dose_out(dvh.min_gy()); break;
    case MetricKind::max_dose: result.value = dose_out(dvh.max_gy()); break;
    case MetricKind::mean_dose: result.value = dose_out(dvh.mean_gy()); break;
    case MetricKind::structure_volume: break;  // handled above
  }
  if (dvh.outside_volume_cc() > 0) {
    result.warning = format_number(dvh.outside_volume_cc()) + " cc of the structure (" +
                     format_number(dvh.total_volume_cc()) + " cc) is outside the dose grid; the metric uses the " +
                     format_number(covered_cc) + " cc inside it";
  }
  return result;
}

}  // namespace sbrtkit
