// A patient's courses and PET/CT studies from the DICOM headers. See include/sbrtkit/dicom/patient_courses.h.
#include "sbrtkit/dicom/patient_courses.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace sbrtkit {
namespace {

std::string file_name(const std::filesystem::path& p) { return p.filename().string(); }

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/// The first date of `candidates` (value, tag name) that parses; the warnings name every malformed one.
struct DateChoice {
  std::string date, source;
};
std::optional<DateChoice> first_date(const std::vector<std::pair<std::string, std::string>>& candidates,
                                     const std::filesystem::path& file, std::vector<std::string>& warnings) {
  for (const auto& [value, tag] : candidates) {
    if (value.empty()) continue;
    if (auto d = iso_date(value)) return DateChoice{*d, tag + " of " + file_name(file)};
    warnings.push_back(fmt::format("{}: {} is '{}', not a date (YYYYMMDD): ignored", file.string(), tag, value));
  }
  return std::nullopt;
}

/// Doses making up the whole course: a PLAN dose when there is one, else every BEAM dose (summed by the
/// caller), else the only dose of any other summation type.
Expected<std::pair<std::vector<std::filesystem::path>, std::string>> course_doses(const PlanBundle& b) {
  std::vector<std::filesystem::path> plan, beam, other;
  for (const auto& d : b.rtdoses) {
    if (d.dose_summation_type == "PLAN") plan.push_back(d.path);
    else if (d.dose_summation_type == "BEAM") beam.push_back(d.path);
    else other.push_back(d.path);
  }
  const std::string where = b.rtplan ? b.rtplan->path.string() : b.rtdoses.front().path.string();
  if (!plan.empty()) {
    std::string note = "PLAN dose " + file_name(plan.front());
    if (plan.size() > 1) note += fmt::format(" (first of {} PLAN doses by path)", plan.size());
    return std::pair{std::vector{plan.front()}, note};
  }
  if (!beam.empty()) return std::pair{beam, fmt::format("sum of {} BEAM doses", beam.size())};
  if (other.size() == 1)
    return std::pair{other, fmt::format("{} dose {} (DoseSummationType not PLAN)",
                                        b.rtdoses.front().dose_summation_type, file_name(other.front()))};
  return Error::inconsistent(where, "(3004,000A) DoseSummationType",
                             fmt::format("{} doses of plan {} and none is the PLAN dose or a BEAM dose: which one "
                                         "is the course's dose is not known",
                                         other.size(), b.plan_uid()));
}

bool is_course_ct(const std::string& series_uid, const std::vector<CourseFiles>& courses) {
  for (const auto& c : courses)
    if (c.bundle.image_series_uid == series_uid) return true;
  return false;
}

}  // namespace

std::optional<std::string> iso_date(const std::string& text) {
  if (text.size() < 8) return std::nullopt;
  for (int i = 0; i < 8; ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[static_cast<std::size_t>(i)]))) return std::nullopt;
  const int y = std::stoi(text.substr(0, 4)), m = std::stoi(text.substr(4, 2)), d = std::stoi(text.substr(6, 2));
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || m < 1 || m > 12 || d < 1) return std::nullopt;
  if (d > days[m - 1] + (m == 2 && is_leap(y) ? 1 : 0)) return std::nullopt;
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

Expected<PatientDicom> discover_patient(const DicomIndex& index) {
  PatientDicom out;
  for (const auto& e : index.unreadable) out.warnings.push_back("skipped unreadable file: " + e.message());
  for (const auto& f : index.files)
    if (f.modality == "REG") out.registration_files.push_back(f.path);

  // Courses: every bundle with a plan or a dose.
  for (auto& b : find_plans(index)) {
    if (!b.rtplan && b.rtdoses.empty()) continue;
    CourseFiles c;
    for (const auto& p : b.problems) out.warnings.push_back(p);
    c.plan_uid = b.plan_uid();
    c.label = b.plan_label();
    if (b.rtdoses.empty())
      return Error::inconsistent(b.rtplan->path.string(), "(300C,0002) ReferencedRTPlanSequence",
                                 "no RTDOSE in the folder references plan " + c.plan_uid +
                                     ": the course's dose is missing");
    auto doses = course_doses(b);
    if (!doses) return doses.error();
    c.dose_files = doses->first;
    c.dose_composition = doses->second;
    const DicomFileInfo& dated = b.rtplan ? *b.rtplan : b.rtdoses.front();
    c.frame_of_reference_uid = b.rtstruct ? b.rtstruct->frame_of_reference_uid : b.rtdoses.front().frame_of_reference_uid;
    if (c.frame_of_reference_uid.empty()) c.frame_of_reference_uid = b.rtdoses.front().frame_of_reference_uid;
    auto date = first_date({{dated.rt_plan_date, "RTPlanDate (300A,0006)"},
                            {dated.series_date, "SeriesDate (0008,0021)"},
                            {dated.study_date, "StudyDate (0008,0020)"}},
                           dated.path, out.warnings);
    if (!date)
      return Error::bad_value(dated.path.string(), "(300A,0006) RTPlanDate",
                              "a course date (RTPlanDate, SeriesDate or StudyDate)", "none of them");
    c.date = date->date;
    c.date_source = date->source;
    c.bundle = std::move(b);
    out.courses.push_back(std::move(c));
  }
  if (out.courses.empty())
    return Error::inconsistent(index.root.string(), "(0008,0060) Modality",
                               "no RT course (an RTPLAN with its RTDOSE) in the folder");
  std::sort(out.courses.begin(), out.courses.end(), [](const CourseFiles& a, const CourseFiles& b) {
    return std::tie(a.date, a.plan_uid) < std::tie(b.date, b.plan_uid);
  });
  for (std::size_t i = 1; i < out.courses.size(); ++i)
    if (out.courses[i].date == out.courses[i - 1].date)
      out.warnings.push_back(fmt::format(
          "two courses on the same date {}: {} and {} ({}); their order (taken by plan UID) is not known from the DICOM",
          out.courses[i].date, out.courses[i - 1].bundle.rtplan ? out.courses[i - 1].bundle.rtplan->path.string() : out.courses[i - 1].plan_uid,
          out.courses[i].bundle.rtplan ? out.courses[i].bundle.rtplan->path.string() : out.courses[i].plan_uid,
          "RTPlanDate (300A,0006)"));

  // Series of images: PET studies, and CT series that may be their CT.
  struct Series {
    std::vector<const DicomFileInfo*> files;
  };
  std::map<std::string, Series> series;
  for (const auto& f : index.files)
    if ((f.modality == "PT" || f.modality == "CT") && !f.series_instance_uid.empty())
      series[f.series_instance_uid].files.push_back(&f);
  for (const auto& [uid, s] : series) {
    const DicomFileInfo& first = *s.files.front();
    if (first.modality != "PT") continue;
    StudyFiles st;
    st.series_uid = uid;
    st.study_uid = first.study_instance_uid;
    st.modality = first.modality;
    st.frame_of_reference_uid = first.frame_of_reference_uid;
    for (const auto* f : s.files) st.files.push_back(f->path);
    auto date = first_date({{first.acquisition_datetime, "AcquisitionDateTime (0008,002A)"},
                            {first.series_date, "SeriesDate (0008,0021)"},
                            {first.study_date, "StudyDate (0008,0020)"}},
                           first.path, out.warnings);
    if (!date) {
      out.warnings.push_back(fmt::format(
          "{}: PET series {} has no AcquisitionDateTime (0008,002A), SeriesDate (0008,0021) or StudyDate (0008,0020): "
          "left out of the history (its place in time is not known)",
          first.path.string(), uid));
      continue;
    }
    st.date = date->date;
    st.date_source = date->source;
    // The study's CT: a CT series in the PET's frame that is not a planning CT; the same study first.
    std::vector<std::string> candidates;
    for (const auto& [ct_uid, ct] : series) {
      const DicomFileInfo& c0 = *ct.files.front();
      if (c0.modality != "CT" || c0.frame_of_reference_uid != st.frame_of_reference_uid) continue;
      if (is_course_ct(ct_uid, out.courses)) continue;
      candidates.push_back(ct_uid);
    }
    if (candidates.size() > 1) {
      std::vector<std::string> same_study;
      for (const auto& c : candidates)
        if (series[c].files.front()->study_instance_uid == st.study_uid) same_study.push_back(c);
      if (!same_study.empty()) candidates = same_study;
    }
    if (!candidates.empty()) {
      st.ct_series_uid = candidates.front();
      for (const auto* f : series[candidates.front()].files) st.ct_files.push_back(f->path);
      if (candidates.size() > 1)
        out.warnings.push_back(fmt::format("{}: {} CT series share the frame of reference of PET series {}; using {}",
                                           first.path.string(), candidates.size(), uid, candidates.front()));
    } else {
      bool course_frame = false;
      for (const auto& c : out.courses) course_frame |= c.frame_of_reference_uid == st.frame_of_reference_uid;
      if (!course_frame)
        out.warnings.push_back(fmt::format(
            "{}: PET series {} has no CT series in its frame of reference (0020,0052) {}: it can only be placed by a "
            "Spatial Registration object",
            first.path.string(), uid, st.frame_of_reference_uid));
    }
    out.studies.push_back(std::move(st));
  }
  std::sort(out.studies.begin(), out.studies.end(), [](const StudyFiles& a, const StudyFiles& b) {
    return std::tie(a.date, a.series_uid) < std::tie(b.date, b.series_uid);
  });
  return out;
}

}  // namespace sbrtkit
