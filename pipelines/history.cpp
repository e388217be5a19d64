// `sbrtkit history` use case: discovery, frames, accumulation, limits. See include/sbrtkit/pipelines/history.h.
#include "sbrtkit/pipelines/history.h"

#include <fmt/format.h>

#include <chrono>
#include <set>

#include "pipelines/history_steps.h"
#include "sbrtkit/dicom/rt_writer.h"
#include "sbrtkit/dicom/rtplan.h"
#include "sbrtkit/dicom/rtstruct.h"
#include "sbrtkit/io/protocol_loader.h"

namespace sbrtkit {

using namespace history_detail;

namespace {

std::string course_name(std::size_t c, const CourseFiles& f) {
  return fmt::format("course {} (plan {}{}, {})", c + 1, f.plan_uid, f.label.empty() ? "" : " '" + f.label + "'",
                     f.bundle.rtplan ? f.bundle.rtplan->path.string() : f.dose_files.front().string());
}

Expected<std::size_t> choose_reference(const PatientDicom& p, const HistoryRequest& r, std::string& why) {
  if (r.reference_plan_uid) {
    for (std::size_t c = 0; c < p.courses.size(); ++c)
      if (p.courses[c].plan_uid == *r.reference_plan_uid) {
        why = "--reference";
        return c;
      }
    std::string list;
    for (const auto& c : p.courses) {
      if (!list.empty()) list += ", ";
      list += c.plan_uid;
      list += " (" + c.date + ")";
    }
    return Error::bad_argument("--reference", "the plan UID of one of the courses: " + list, *r.reference_plan_uid);
  }
  const std::size_t last = p.courses.size() - 1;
  if (last > 0 && p.courses[last].date == p.courses[last - 1].date)
    return Error::inconsistent(
        p.courses[last].bundle.rtplan ? p.courses[last].bundle.rtplan->path.string() : p.courses[last].plan_uid,
        "(300A,0006) RTPlanDate",
        fmt::format("the latest date {} is that of two courses ({} and {}): the reference course is not known; give "
                    "--reference PLAN_UID",
                    p.courses[last].date, p.courses[last - 1].plan_uid, p.courses[last].plan_uid));
  why = "the latest course";
  return last;
}

void step(const HistoryRequest& r, const std::string& what, std::size_t done, std::size_t total) {
  if (r.progress) r.progress(what, done, total);
}

}  // namespace

Expected<HistoryReport> run_history(const HistoryRequest& r) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!std::filesystem::is_directory(r.patient_dir)) return Error::io(r.patient_dir.string(), "not a folder");
  HistoryReport rep;

  // Rules first: a bad file stops everything before any work.
  AlphaBetaRules rules;
  rules.table = default_alpha_beta_table();
  if (r.alpha_beta_file) {
    auto loaded = load_alpha_beta_rules(*r.alpha_beta_file);
    if (!loaded) return loaded.error();
    rules = std::move(*loaded);
  }
  rep.alpha_beta_origin = rules.table.origin;
  rep.alpha_beta_elsewhere_gy = rules.table.elsewhere_gy;
  rep.alpha_beta_elsewhere_source = rules.table.elsewhere_source;
  std::optional<Protocol> protocol;
  if (!r.no_limits) {
    auto p = load_protocol(r.limits.value_or("reirradiation-spine"));
    if (!p) return p.error();
    protocol = std::move(*p);
    rep.limits_protocol_id = protocol->id;
    rep.limits_protocol_name = protocol->name;
    rep.limits_protocol_file = protocol->file;
  }

  step(r, "indexing the folder", 0, 0);
  const DicomIndex index = index_directory(r.patient_dir);
  auto patient = discover_patient(index);
  if (!patient) return patient.error();
  rep.warnings = patient->warnings;
  std::set<std::string> patients;
  for (const auto& c : patient->courses)
    if (c.bundle.rtplan) patients.insert(c.bundle.rtplan->patient_id);
  if (patients.size() > 1) {
    std::string list;
    for (const auto& p : patients) {
      if (!list.empty()) list += ", ";
      list += p;
    }
    return Error::inconsistent(r.patient_dir.string(), "(0010,0020) PatientID",
                               "one patient per folder; the RTPLANs belong to " + list);
  }
  if (!patient->courses.front().bundle.rtplan) return Error::inconsistent(patient->courses.front().dose_files.front().string(), "(300C,0002) ReferencedRTPlanSequence", "the RTPLAN of this dose is not in the folder (its fractions are needed for EQD2)");
  rep.patient_id = patient->courses.front().bundle.rtplan->patient_id;
  rep.patient_name = patient->courses.front().bundle.rtplan->patient_name;
  auto reference = choose_reference(*patient, r, rep.reference_choice);
  if (!reference) return reference.error();
  rep.reference_course = *reference;
  if (const auto& plan = patient->courses[rep.reference_course].bundle.rtplan)
    rep.reference_study_instance_uid = plan->study_instance_uid;

  // Courses: plan, fractions, structures of the reference.
  for (std::size_t c = 0; c < patient->courses.size(); ++c) {
    const CourseFiles& f = patient->courses[c];
    HistoryCourse h;
    h.plan_uid = f.plan_uid;
    h.label = f.label;
    h.date = f.date;
    h.date_source = f.date_source;
    h.frame_of_reference_uid = f.frame_of_reference_uid;
    h.ct_series_uid = f.bundle.image_series_uid;
    h.dose_composition = f.dose_composition;
    for (const auto& d : f.dose_files) h.dose_files.push_back(d.string());
    if (f.bundle.rtstruct) h.rtstruct_file = f.bundle.rtstruct->path.string();
    if (!f.bundle.rtplan)
      return Error::inconsistent(f.dose_files.front().string(), "(300C,0002) ReferencedRTPlanSequence",
                                 "the RTPLAN of this dose is not in the folder (its fractions are needed for EQD2)");
    h.rtplan_file = f.bundle.rtplan->path.string();
    rep.courses.push_back(std::move(h));
  }
  if (rules.recovery.size() > 0)
    for (std::size_t c = 1; c < rep.courses.size(); ++c)
      if (rep.courses[c].date == rep.courses[c - 1].date)
        return Error::inconsistent(rep.courses[c].rtplan_file, "(300A,0006) RTPlanDate",
                                   "recovery applies to the earlier courses, but this course and " +
                                       rep.courses[c - 1].rtplan_file + " share the date " + rep.courses[c].date);
  const HistoryCourse& ref = rep.courses[rep.reference_course];
  rep.reference_plan_uid = ref.plan_uid;
  rep.reference_frame_of_reference_uid = ref.frame_of_reference_uid;
  rep.reference_ct_series_uid = ref.ct_series_uid;
  if (ref.rtstruct_file.empty())
    return Error::inconsistent(ref.rtplan_file, "(300C,0060) ReferencedStructureSetSequence",
                               "the reference course has no RTSTRUCT in the folder: no structures to accumulate in");
  auto structures = read_rtstruct(ref.rtstruct_file);
  if (!structures) return structures.error();
  rep.reference_structures = std::move(*structures);

  // Every CT once, with pixels.
  const std::size_t total_steps = rep.courses.size() + patient->studies.size() + 3;
  std::size_t done = 1;
  step(r, "reading the reference CT", done, total_steps);
  std::optional<ImageSeries> reference_ct;
  const auto& ref_files = patient->courses[rep.reference_course].bundle.image_files;
  if (!ref_files.empty()) {
    auto ct = read_image_series(ref_files);
    if (!ct) return ct.error().with_context("reference planning CT");
    reference_ct = std::move(*ct);
  } else {
    rep.warnings.push_back(fmt::format("the reference course has no planning CT in the folder ({}): only frames "
                                       "linked by Spatial Registration objects can be placed",
                                       ref.rtstruct_file));
  }
  const RigidRegistrationOptions options =
      reference_ct ? bounded_options(reference_ct->values.geometry, r.registration_options) : r.registration_options;
  const double thickness = reference_ct ? reference_ct->geometry.spacing_mm().z : 0.0;

  std::vector<DoseVolume> doses;
  for (std::size_t c = 0; c < rep.courses.size(); ++c) {
    HistoryCourse& h = rep.courses[c];
    const CourseFiles& f = patient->courses[c];
    step(r, fmt::format("course {} of {}: plan, dose, frame", c + 1, rep.courses.size()), ++done, total_steps);
    auto plan = read_rtplan(h.rtplan_file);
    if (!plan) return plan.error();
    if (!plan->fractions)
      return Error::missing_tag(h.rtplan_file, "(300A,0078) NumberOfFractionsPlanned (needed for EQD2)");
    h.fractions = *plan->fractions;
    auto dose = read_course_dose(f, plan->prescription_gy(), rep.notes);
    if (!dose) return dose.error();
    h.dose_grid = dose->geometry;
    doses.push_back(std::move(*dose));
    if (c == rep.reference_course) {
      h.registration.method = "reference";
      continue;
    }
    std::optional<ImageSeries> ct;
    if (!f.bundle.image_files.empty() && h.frame_of_reference_uid != rep.reference_frame_of_reference_uid) {
      auto read = read_image_series(f.bundle.image_files);
      if (!read) return read.error().with_context(course_name(c, f));
      ct = std::move(*read);
    }
    auto placed = place_frame(course_name(c, f) + (f.bundle.image_files.empty() && f.bundle.rtstruct
                                                       ? " (no planning CT: RTSTRUCT " + f.bundle.rtstruct->path.string() +
                                                             " (3006,0014) names no CT series in the folder)"
                                                       : ""),
                              h.frame_of_reference_uid, rep.reference_frame_of_reference_uid,
                              patient->registration_files, reference_ct ? &*reference_ct : nullptr,
                              ct ? &*ct : nullptr, options, r.poor_registration_correlation, rep.warnings);
    if (!placed) return placed.error();
    h.to_reference = placed->to_reference;
    h.registration = placed->registration;
  }

  // Studies: placed when possible; a study that cannot be is a warning (the dose side does not need it).
  for (std::size_t s = 0; s < patient->studies.size(); ++s) {
    const StudyFiles& f = patient->studies[s];
    step(r, fmt::format("study {} of {}: frame", s + 1, patient->studies.size()), ++done, total_steps);
    HistoryStudy h;
    h.series_uid = f.series_uid;
    h.modality = f.modality;
    h.date = f.date;
    h.date_source = f.date_source;
    h.frame_of_reference_uid = f.frame_of_reference_uid;
    h.ct_series_uid = f.ct_series_uid;
    h.files = f.files;
    h.ct_files = f.ct_files;
    const std::string what = fmt::format("PET study {} of {} ({})", f.series_uid, f.date, f.files.front().string());
    // A study in a course's frame follows that course; else its own CT.
    std::optional<std::size_t> course_frame;
    for (std::size_t c = 0; c < rep.courses.size(); ++c)
      if (rep.courses[c].frame_of_reference_uid == f.frame_of_reference_uid) course_frame = c;
    if (course_frame && f.frame_of_reference_uid != rep.reference_frame_of_reference_uid) {
      h.placed = true;
      h.to_reference = rep.courses[*course_frame].to_reference;
      h.registration = rep.courses[*course_frame].registration;
      h.registration.method = "frame of course " + std::to_string(*course_frame + 1) + ": " + h.registration.method;
      rep.studies.push_back(std::move(h));
      continue;
    }
    std::optional<ImageSeries> ct;
    if (!f.ct_files.empty() && f.frame_of_reference_uid != rep.reference_frame_of_reference_uid) {
      auto read = read_image_series(f.ct_files);
      if (!read) {
        rep.warnings.push_back(what + ": its CT could not be read (" + read.error().message() + "): not placed");
        rep.studies.push_back(std::move(h));
        continue;
      }
      ct = std::move(*read);
    }
    auto placed = place_frame(what, f.frame_of_reference_uid, rep.reference_frame_of_reference_uid,
                              patient->registration_files, reference_ct ? &*reference_ct : nullptr,
                              ct ? &*ct : nullptr, options, r.poor_registration_correlation, rep.warnings);
    if (!placed) {
      rep.warnings.push_back(placed.error().message() + ": study not placed in the reference frame");
    } else {
      h.placed = true;
      h.to_reference = placed->to_reference;
      h.registration = placed->registration;
    }
    rep.studies.push_back(std::move(h));
  }

  step(r, "accumulating the courses' doses", ++done, total_steps);
  if (auto st = accumulate_courses(rep, doses, rules, thickness); !st) return st.error();
  step(r, "judging the cumulative limits", ++done, total_steps);
  if (protocol)
    if (auto st = judge_limits(rep, *protocol, thickness); !st) return st.error();
  for (const auto& n : rep.accumulated.notes) rep.notes.push_back(n);
  rep.notes.push_back("alpha/beta: " + rep.alpha_beta_origin + "; where structures overlap the smallest a/b wins; "
                      "voxels in no structure, and voxels only partly inside structures, take " +
                      fmt::format("{:g}", rep.alpha_beta_elsewhere_gy) + " Gy into that minimum");
  rep.notes.push_back("reference: plan " + rep.reference_plan_uid + " (" + rep.reference_choice + ")");
  step(r, "done", total_steps, total_steps);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

Status write_accumulated_rtdose(const std::filesystem::path& file, const HistoryReport& rep, bool eqd2) {
  if (rep.courses.empty()) return Error::bad_argument("history report", "at least one course", "none");
  PatientStudy study;
  study.patient_name = rep.patient_name;
  study.patient_id = rep.patient_id;
  study.birth_date = "";
  study.sex = "";
  study.weight_kg.reset();
  study.height_m.reset();
  study.study_date = rep.courses.back().date.substr(0, 4) + rep.courses.back().date.substr(5, 2) +
                     rep.courses.back().date.substr(8, 2);
  study.study_description = "sbrtkit history: accumulated dose";
  study.study_instance_uid = rep.reference_study_instance_uid;
  study.frame_of_reference_uid = rep.reference_frame_of_reference_uid;
  RtDoseWriteOptions o;
  o.series.series_description = eqd2 ? "sbrtkit accumulated EQD2" : "sbrtkit accumulated physical dose";
  o.series.series_number = eqd2 ? 902 : 901;
  o.dose_type = eqd2 ? "EFFECTIVE" : "PHYSICAL";
  o.summation_type = "MULTI_PLAN";
  o.referenced_plan_uid = rep.courses.front().plan_uid;
  for (std::size_t c = 1; c < rep.courses.size(); ++c) o.more_referenced_plan_uids.push_back(rep.courses[c].plan_uid);
  o.frame_of_reference_uid = rep.reference_frame_of_reference_uid;
  auto written = write_rtdose(file, study, eqd2 ? rep.accumulated.eqd2_gy : rep.accumulated.physical_gy, o);
  if (!written) return written.error();
  return ok();
}

}  // namespace sbrtkit
