#include "sbrtkit/suv.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

namespace sbrtkit {
namespace {

constexpr const char* kUnits = "(0054,1001) Units";
constexpr const char* kDecay = "(0054,1102) DecayCorrection";
constexpr const char* kCorrected = "(0028,0051) CorrectedImage";
constexpr const char* kWeight = "(0010,1030) PatientWeight";
constexpr const char* kSize = "(0010,1020) PatientSize";
constexpr const char* kSex = "(0010,0040) PatientSex";
constexpr const char* kDose = "(0054,0016) RadiopharmaceuticalInformationSequence > (0018,1074) RadionuclideTotalDose";
constexpr const char* kHalfLife = "(0054,0016) RadiopharmaceuticalInformationSequence > (0018,1075) RadionuclideHalfLife";
constexpr const char* kStartDateTime =
    "(0054,0016) RadiopharmaceuticalInformationSequence > (0018,1078) RadiopharmaceuticalStartDateTime";
constexpr const char* kStartTime =
    "(0054,0016) RadiopharmaceuticalInformationSequence > (0018,1072) RadiopharmaceuticalStartTime";
constexpr const char* kSeriesTime = "(0008,0021/0031) SeriesDate/SeriesTime";

// An injection further back than this with a time-only start is not taken as a midnight crossing:
// no F-18 / Ga-68 protocol scans 12-24 h after injection, so such a start is a wrong tag.
constexpr double kMaxMidnightUptakeS = 12 * 3600.0;
constexpr double kDay = 86400.0;

// "'text'" (built with append: GCC 12 warns falsely on "'" + std::string(...) + "'").
std::string quoted(std::string_view text) {
  std::string q;
  q.reserve(text.size() + 2);
  q.push_back('\'');
  q.append(text);
  q.push_back('\'');
  return q;
}

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Expected<long> parse_date_days(std::string_view date) {
  std::string d;
  for (char c : date)
    if (c != '.' && c != '-') d += c;  // legacy "YYYY.MM.DD" and ISO "YYYY-MM-DD"
  if (d.size() != 8 || !all_digits(d))
    return Error::bad_value("", "date", "YYYYMMDD", quoted(date));
  const int y = to_int(d.substr(0, 4)), m = to_int(d.substr(4, 2)), day = to_int(d.substr(6, 2));
  if (m < 1 || m > 12 || day < 1 || day > 31)
    return Error::bad_value("", "date", "a valid calendar date", quoted(date));
  return days_from_civil(y, m, day);
}

Expected<double> parse_time_seconds(std::string_view time) {
  std::string t;
  for (char c : time)
    if (c != ':') t += c;  // legacy "HH:MM:SS"
  std::string fraction;
  if (auto dot = t.find('.'); dot != std::string::npos) {
    fraction = t.substr(dot + 1);
    t = t.substr(0, dot);
  }
  if ((t.size() != 2 && t.size() != 4 && t.size() != 6) || !all_digits(t) || !all_digits(fraction))
    return Error::bad_value("", "time", "HHMMSS[.FFFFFF]", quoted(time));
  const int h = to_int(t.substr(0, 2));
  const int m = t.size() >= 4 ? to_int(t.substr(2, 2)) : 0;
  const int s = t.size() >= 6 ? to_int(t.substr(4, 2)) : 0;
  if (h > 23 || m > 59 || s > 60)
    return Error::bad_value("", "time", "a valid time of day", quoted(time));
  double frac = 0;
  if (!fraction.empty()) frac = std::stod("0." + fraction);
  return h * 3600.0 + m * 60.0 + s + frac;
}

Error retag(Error e, const std::string& file, const std::string& tag) {
  e.file = file;
  e.tag = tag;
  return e;
}

// A time point with the tag it came from, for notes and messages.
struct TimePoint {
  double seconds = 0;
  std::string source;
};

Expected<TimePoint> scan_start(const PetSuvTags& t, std::vector<std::string>& notes) {
  if (t.series_date.empty() || t.series_time.empty()) {
    if (t.acquisition_date.empty() || t.acquisition_time.empty())
      return Error::missing_tag(t.file, kSeriesTime);
  }
  std::optional<double> series, acquisition;
  if (!t.series_date.empty() && !t.series_time.empty()) {
    auto s = dicom_date_time_seconds(t.series_date, t.series_time);
    if (!s) return retag(s.error(), t.file, kSeriesTime);
    series = *s;
  }
  if (!t.acquisition_date.empty() && !t.acquisition_time.empty()) {
    auto a = dicom_date_time_seconds(t.acquisition_date, t.acquisition_time);
    if (!a) return retag(a.error(), t.file, "(0008,0022/0032) AcquisitionDate/AcquisitionTime");
    acquisition = *a;
  }
  if (series && (!acquisition || *series <= *acquisition)) {
    notes.push_back("scan start: SeriesDate/Time " + t.series_date + " " + t.series_time);
    return TimePoint{*series, "SeriesDate/Time"};
  }
  // The series time is after the acquisition: the series was re-created after the scan (post-processing).
  if (!t.ge_scan_datetime.empty()) {
    auto g = dicom_datetime_seconds(t.ge_scan_datetime);
    if (!g) return retag(g.error(), t.file, "(0009,100D) GE private scan date-time");
    notes.push_back("scan start: GE private (0009,100D) " + t.ge_scan_datetime +
                    " (SeriesTime is after AcquisitionTime)");
    return TimePoint{*g, "GE (0009,100D)"};
  }
  notes.push_back("scan start: earliest AcquisitionDate/Time " + t.acquisition_date + " " + t.acquisition_time +
                  (series ? " (SeriesTime is after it)" : " (no SeriesDate/Time)"));
  return TimePoint{*acquisition, "AcquisitionDate/Time"};
}

// Injection time relative to the scan start. Time-only values take the scan date and step back a day
// when that puts them after the scan (midnight crossing).
Expected<double> injection_seconds(const PetSuvTags& t, const SuvOverrides& o, const TimePoint& scan,
                                   std::vector<std::string>& notes) {
  const long scan_day = static_cast<long>(std::floor(scan.seconds / kDay));
  auto time_only = [&](std::string_view text, const std::string& tag) -> Expected<double> {
    auto tod = parse_time_seconds(text);
    if (!tod) return retag(tod.error(), tag == "--injection-time" ? "" : t.file, tag);
    double inj = static_cast<double>(scan_day) * kDay + *tod;
    if (inj > scan.seconds) {
      const double crossed = inj - kDay;
      if (scan.seconds - crossed > kMaxMidnightUptakeS)
        return Error::bad_value(tag == "--injection-time" ? "" : t.file, tag,
                                "an injection before the scan start (" + std::string(scan.source) + ")",
                                "'" + std::string(text) + "', after the scan time of day");
      notes.push_back("injection time '" + std::string(text) + "' is on the day before the scan (midnight)");
      inj = crossed;
    }
    return inj;
  };
  auto full = [&](std::string_view text, const std::string& tag) -> Expected<double> {
    auto v = dicom_datetime_seconds(text);
    if (!v) return retag(v.error(), tag == "--injection-time" ? "" : t.file, tag);
    return *v;
  };

  Expected<double> inj = 0.0;
  std::string tag;
  if (!o.injection_time.empty()) {
    tag = "--injection-time";
    std::string digits;
    for (char c : o.injection_time)
      if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') digits += c;
    const bool has_date = digits.find('.') == std::string::npos ? digits.size() >= 12 : digits.find('.') >= 12;
    inj = has_date ? full(digits, tag) : time_only(o.injection_time, tag);
    notes.push_back("injection time from --injection-time " + o.injection_time);
  } else if (!t.start_datetime.empty()) {
    tag = kStartDateTime;
    inj = full(t.start_datetime, tag);
    notes.push_back("injection: RadiopharmaceuticalStartDateTime " + t.start_datetime);
  } else if (!t.start_time.empty()) {
    tag = kStartTime;
    inj = time_only(t.start_time, tag);
    notes.push_back("injection: RadiopharmaceuticalStartTime " + t.start_time + " on the scan date");
  } else {
    return Error::missing_tag(t.file, std::string(kStartDateTime) + " or (0018,1072) RadiopharmaceuticalStartTime");
  }
  if (!inj) return inj.error();
  if (*inj > scan.seconds)
    return Error::bad_value(tag == "--injection-time" ? "" : t.file, tag,
                            "an injection before the scan start (" + scan.source + ")",
                            "an injection " + fmt_double(*inj - scan.seconds) + " s after it");
  return *inj;
}

}  // namespace

Expected<double> dicom_date_time_seconds(std::string_view date, std::string_view time) {
  auto d = parse_date_days(date);
  if (!d) return d.error();
  auto t = parse_time_seconds(time);
  if (!t) return t.error();
  return static_cast<double>(*d) * kDay + *t;
}

Expected<double> dicom_datetime_seconds(std::string_view datetime) {
  std::string dt(datetime);
  if (auto tz = dt.find_first_of("+-&", 8); tz != std::string::npos) dt = dt.substr(0, tz);
  if (dt.size() < 12)
    return Error::bad_value("", "date-time", "YYYYMMDDHHMM[SS[.FFFFFF]]", quoted(datetime));
  auto d = parse_date_days(dt.substr(0, 8));
  if (!d) return d.error();
  auto t = parse_time_seconds(dt.substr(8));
  if (!t) return t.error();
  return static_cast<double>(*d) * kDay + *t;
}

Expected<double> james_lbm_kg(double weight_kg, double height_cm, std::string_view sex) {
  const double ratio = weight_kg / height_cm;
  double lbm = 0;
  if (sex == "M")
    lbm = 1.10 * weight_kg - 128.0 * ratio * ratio;
  else if (sex == "F")
    lbm = 1.07 * weight_kg - 148.0 * ratio * ratio;
  else
    return Error::bad_value("", kSex, "M or F (SUL needs the sex; or --sex)", quoted(sex));
  // The James formula turns over (and goes negative) for very high BMI; such a mass is no mass.
  if (!(lbm > 0))
    return Error::bad_value("", kWeight, "a weight and height for which the James LBM is positive",
                            fmt_double(weight_kg) + " kg, " + fmt_double(height_cm) + " cm");
  return lbm;
}

Expected<SuvCalibration> suv_calibration(const PetSuvTags& t, const SuvOverrides& o, SuvType type) {
  SuvCalibration cal;
  cal.type = type;
  cal.units = t.units;
  auto& notes = cal.notes;

  // Mass (weight, or LBM for SUL): needed by every branch that converts from activity, and by SUL.
  struct Body {
    double weight_kg = 0, mass_kg = 0;  // mass = weight (SUVbw) or LBM (SUL)
  };
  auto body = [&]() -> Expected<Body> {
    double w = 0;
    if (o.weight_kg) {
      w = *o.weight_kg;
      notes.push_back("weight from --weight " + fmt_double(w) + " kg");
      if (!(w >= 1 && w <= 500)) return Error::bad_argument("--weight", "a weight in kg within 1..500", fmt_double(w));
    } else {
      if (!t.weight_kg || *t.weight_kg == 0) return Error::missing_tag(t.file, kWeight);
      w = *t.weight_kg;
      if (!(w >= 1 && w <= 500)) return Error::bad_value(t.file, kWeight, "a weight in kg within 1..500", fmt_double(w));
    }
    if (type == SuvType::body_weight) return Body{w, w};
    double h_m = 0;
    if (o.height_m) {
      h_m = *o.height_m;
      if (!(h_m >= 0.5 && h_m <= 2.5)) return Error::bad_argument("--height", "a height in m within 0.5..2.5", fmt_double(h_m));
    } else {
      if (!t.height_m || *t.height_m == 0) return Error::missing_tag(t.file, kSize);
      h_m = *t.height_m;
      if (!(h_m >= 0.5 && h_m <= 2.5)) return Error::bad_value(t.file, kSize, "a height in m within 0.5..2.5", fmt_double(h_m));
    }
    const std::string sex = o.sex.empty() ? t.sex : o.sex;
    auto lbm = james_lbm_kg(w, h_m * 100.0, sex);
    if (!lbm) return retag(lbm.error(), o.sex.empty() ? t.file : "", lbm.error().tag);
    notes.push_back("SUL: James LBM " + fmt_double(*lbm) + " kg (weight " + fmt_double(w) + " kg, height " +
                    fmt_double(h_m) + " m, sex " + sex + ")");
    return Body{w, *lbm};
  };

  // Bq/ml -> SUV: mass [g] / activity at the decay reference [Bq].
  auto activity_factor = [&]() -> Expected<double> {
    if (t.corrected_image.find("ATTN") == std::string::npos || t.corrected_image.find("DECY") == std::string::npos)
      return Error::bad_value(t.file, kCorrected, "ATTN and DECY (attenuation- and decay-corrected)",
                              "'" + t.corrected_image + "'");
    double dose = 0;
    if (o.injected_dose_bq) {
      dose = *o.injected_dose_bq;
      notes.push_back("injected dose from --injected-dose " + fmt_double(dose / 1e6) + " MBq");
      if (!(dose > 0)) return Error::bad_argument("--injected-dose", "a positive activity in MBq", fmt_double(dose / 1e6));
    } else {
      if (!t.total_dose_bq) return Error::missing_tag(t.file, kDose);
      dose = *t.total_dose_bq;
      if (!(dose > 0)) return Error::bad_value(t.file, kDose, "a positive activity in Bq", fmt_double(dose));
    }
    double decayed = dose;
    if (t.decay_correction == "START") {
      if (!t.half_life_s) return Error::missing_tag(t.file, kHalfLife);
      if (!(*t.half_life_s > 0)) return Error::bad_value(t.file, kHalfLife, "a positive half-life in s", fmt_double(*t.half_life_s));
      auto scan = scan_start(t, notes);
      if (!scan) return scan.error();
      auto inj = injection_seconds(t, o, *scan, notes);
      if (!inj) return inj.error();
      const double uptake = scan->seconds - *inj;
      decayed = dose * std::exp2(-uptake / *t.half_life_s);
      cal.uptake_s = uptake;
      notes.push_back("uptake " + fmt_double(uptake) + " s, half-life " + fmt_double(*t.half_life_s) +
                      " s: activity at scan start " + fmt_double(decayed / 1e6) + " MBq");
    } else if (t.decay_correction == "ADMIN") {
      notes.push_back("DecayCorrection ADMIN: images are decay-corrected to the injection, no decay applied");
    } else if (t.decay_correction.empty()) {
      return Error::missing_tag(t.file, kDecay);
    } else {
      return Error::unsupported(t.file, kDecay,
                                "DecayCorrection '" + t.decay_correction + "': only START and ADMIN are handled");
    }
    cal.decayed_dose_bq = decayed;
    auto b = body();
    if (!b) return b.error();
    cal.mass_kg = b->mass_kg;
    return b->mass_kg * 1000.0 / decayed;
  };

  // Images already in SUVbw (GML, Philips SUV factor): SUL = SUVbw x LBM / W.
  auto to_sul = [&]() -> Status {
    if (type != SuvType::lean_body_mass) return ok();
    auto b = body();
    if (!b) return b.error();
    cal.mass_kg = b->mass_kg;
    cal.factor *= b->mass_kg / b->weight_kg;
    return ok();
  };

  if (t.units == "BQML") {
    auto f = activity_factor();
    if (!f) return f.error();
    cal.factor = *f;
  } else if (t.units == "CNTS") {
    if (t.philips_suv_scale) {
      if (!(*t.philips_suv_scale > 0))
        return Error::bad_value(t.file, "(7053,1000) Philips SUV scale factor", "> 0", fmt_double(*t.philips_suv_scale));
      cal.factor = *t.philips_suv_scale;
      notes.push_back("Units CNTS: Philips (7053,1000) SUV scale factor " + fmt_double(cal.factor));
      if (auto st = to_sul(); !st) return st.error();
    } else if (t.philips_activity_scale) {
      if (!(*t.philips_activity_scale > 0))
        return Error::bad_value(t.file, "(7053,1009) Philips activity concentration scale factor", "> 0",
                                fmt_double(*t.philips_activity_scale));
      notes.push_back("Units CNTS: Philips (7053,1009) activity concentration scale factor " +
                      fmt_double(*t.philips_activity_scale) + " (x RescaleSlope) -> Bq/ml");
      auto f = activity_factor();
      if (!f) return f.error();
      cal.factor = *t.philips_activity_scale * *f;
    } else {
      return Error::unsupported(t.file, kUnits,
                                "Units CNTS without Philips (7053,1000) SUV or (7053,1009) activity scale factors");
    }
  } else if (t.units == "GML") {
    cal.factor = 1;
    notes.push_back("Units GML: the image holds SUVbw");
    if (auto st = to_sul(); !st) return st.error();
  } else if (t.units.empty()) {
    return Error::missing_tag(t.file, kUnits);
  } else {
    return Error::unsupported(t.file, kUnits, "Units '" + t.units + "': SUV needs BQML, CNTS (Philips) or GML");
  }
  return cal;
}

Volume<float> apply_suv(const Volume<float>& values, const SuvCalibration& calibration) {
  Volume<float> out = values;
  const double f = calibration.factor;
  for (auto& v : out.voxels) v = static_cast<float>(v * f);
  return out;
}

}  // namespace sbrtkit
