#include "sbrtkit/dicom/dicom_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "dicom_common.h"

namespace sbrtkit {

using detail::ItemView;

namespace {

DicomFileInfo summarize(const detail::LoadedDicom& loaded, const std::filesystem::path& path) {
  const ItemView ds(loaded.dataset, loaded.path);
  DicomFileInfo info;
  info.path = path;
  info.modality = ds.string(DCM_Modality);
  info.sop_class_uid = ds.string(DCM_SOPClassUID);
  info.sop_instance_uid = ds.string(DCM_SOPInstanceUID);
  info.patient_id = ds.string(DCM_PatientID);
  info.patient_name = ds.string(DCM_PatientName);
  info.study_instance_uid = ds.string(DCM_StudyInstanceUID);
  info.series_instance_uid = ds.string(DCM_SeriesInstanceUID);
  info.frame_of_reference_uid = ds.string(DCM_FrameOfReferenceUID);
  info.acquisition_datetime = ds.string(DCM_AcquisitionDateTime);
  info.series_date = ds.string(DCM_SeriesDate);
  info.study_date = ds.string(DCM_StudyDate);
  if (info.modality == "RTPLAN") {
    info.label = ds.string(DCM_RTPlanLabel);
    info.rt_plan_date = ds.string(DCM_RTPlanDate);
    for (const auto& ref : ds.sequence(DCM_ReferencedStructureSetSequence))
      info.referenced_structure_set_uids.push_back(ref.string(DCM_ReferencedSOPInstanceUID));
  } else if (info.modality == "RTDOSE") {
    info.dose_summation_type = ds.string(DCM_DoseSummationType);
    for (const auto& ref : ds.sequence(DCM_ReferencedRTPlanSequence))
      info.referenced_plan_uids.push_back(ref.string(DCM_ReferencedSOPInstanceUID));
  } else if (info.modality == "RTSTRUCT") {
    info.label = ds.string(DCM_StructureSetLabel);
    for (const auto& for_item : ds.sequence(DCM_ReferencedFrameOfReferenceSequence)) {
      if (info.frame_of_reference_uid.empty()) info.frame_of_reference_uid = for_item.string(DCM_FrameOfReferenceUID);
      for (const auto& study : for_item.sequence(DCM_RTReferencedStudySequence))
        for (const auto& series : study.sequence(DCM_RTReferencedSeriesSequence))
          info.referenced_series_uids.push_back(series.string(DCM_SeriesInstanceUID));
    }
  }
  return info;
}

bool is_image(const DicomFileInfo& f) {
  return f.modality != "RTPLAN" && f.modality != "RTDOSE" && f.modality != "RTSTRUCT" && f.modality != "RTRECORD" &&
         f.modality != "REG" && f.modality != "SR" && f.modality != "KO" && f.modality != "PR";
}

std::string name_of(const DicomFileInfo& f) { return f.path.filename().string(); }

/// Links the image series of the structure set (or the only CT series in its frame of reference).
void attach_images(PlanBundle& b, const DicomIndex& index) {
  if (!b.rtstruct) return;
  std::map<std::string, std::vector<std::filesystem::path>> series_files;
  std::map<std::string, std::string> series_for, series_modality;
  for (const auto& f : index.files)
    if (is_image(f) && !f.series_instance_uid.empty()) {
      series_files[f.series_instance_uid].push_back(f.path);
      series_for[f.series_instance_uid] = f.frame_of_reference_uid;
      series_modality[f.series_instance_uid] = f.modality;
    }
  for (const auto& uid : b.rtstruct->referenced_series_uids) {
    if (series_files.count(uid)) {
      b.image_series_uid = uid;
      b.image_files = series_files[uid];
      return;
    }
    b.problems.push_back(fmt::format("RTSTRUCT {} references image series {} which is not in the folder",
                                     name_of(*b.rtstruct), uid));
  }
  std::vector<std::string> candidates;
  for (const auto& [uid, for_uid] : series_for)
    if (for_uid == b.rtstruct->frame_of_reference_uid && series_modality[uid] == "CT") candidates.push_back(uid);
  if (candidates.size() == 1) {
    b.image_series_uid = candidates.front();
    b.image_files = series_files[candidates.front()];
  } else if (b.rtstruct->referenced_series_uids.empty()) {
    b.problems.push_back(candidates.empty()
                             ? fmt::format("no CT series shares the frame of reference of RTSTRUCT {}",
                                           name_of(*b.rtstruct))
                             : fmt::format("{} CT series share the frame of reference of RTSTRUCT {}: none chosen",
                                           candidates.size(), name_of(*b.rtstruct)));
  }
}

void sort_doses(std::vector<DicomFileInfo>& doses) {
  std::stable_sort(doses.begin(), doses.end(), [](const DicomFileInfo& a, const DicomFileInfo& b) {
    return (a.dose_summation_type == "PLAN") > (b.dose_summation_type == "PLAN");
  });
}

}  // namespace

DicomIndex index_directory(const std::filesystem::path& root) {
  DicomIndex index;
  index.root = root;
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (std::filesystem::recursive_directory_iterator it(root, std::filesystem::directory_options::skip_permission_denied,
                                                        ec),
       end;
       !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) paths.push_back(it->path());
  if (ec) index.unreadable.push_back(Error::io(root.string(), "cannot list the folder: " + ec.message()));
  std::sort(paths.begin(), paths.end());
  // Headers are read in parallel (a trial holds hundreds of thousands of files; each read is independent),
  // then gathered in path order, so the index is the same whatever the thread count.
  struct Outcome {
    std::optional<DicomFileInfo> file;
    std::optional<Error> unreadable;
  };
  std::vector<Outcome> outcomes(paths.size());
  detail::quiet_dcmtk();  // before the threads: it sets DCMTK's global logger once
  const auto count = static_cast<std::int64_t>(paths.size());
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t n = 0; n < count; ++n) {
    const auto& p = paths[static_cast<std::size_t>(n)];
    Outcome& out = outcomes[static_cast<std::size_t>(n)];
    if (!detail::looks_like_dicom(p)) continue;
    auto loaded = detail::load_dicom(p, true);
    if (loaded)
      out.file = summarize(*loaded, p);
    else if (loaded.error().code != ErrorCode::not_dicom)
      out.unreadable = loaded.error();
  }
  for (auto& o : outcomes) {
    if (o.file)
      index.files.push_back(std::move(*o.file));
    else if (o.unreadable)
      index.unreadable.push_back(std::move(*o.unreadable));
    else
      ++index.non_dicom_files;
  }
  return index;
}

std::string PlanBundle::plan_uid() const {
  if (rtplan) return rtplan->sop_instance_uid;
  for (const auto& d : rtdoses)
    if (!d.referenced_plan_uids.empty()) return d.referenced_plan_uids.front();
  return "";
}

std::string PlanBundle::plan_label() const { return rtplan ? rtplan->label : ""; }

std::vector<PlanBundle> find_plans(const DicomIndex& index) {
  std::vector<PlanBundle> bundles;
  std::map<std::string, const DicomFileInfo*> structs;
  std::set<std::string> plan_uids;
  for (const auto& f : index.files) {
    if (f.modality == "RTSTRUCT") structs[f.sop_instance_uid] = &f;
    if (f.modality == "RTPLAN") plan_uids.insert(f.sop_instance_uid);
  }

  for (const auto& plan : index.files) {
    if (plan.modality != "RTPLAN") continue;
    PlanBundle b;
    b.rtplan = plan;
    for (const auto& d : index.files)
      if (d.modality == "RTDOSE" && std::count(d.referenced_plan_uids.begin(), d.referenced_plan_uids.end(),
                                               plan.sop_instance_uid))
        b.rtdoses.push_back(d);
    sort_doses(b.rtdoses);
    if (b.rtdoses.empty())
      b.problems.push_back(fmt::format("no RTDOSE references plan {} ({})", plan.sop_instance_uid, name_of(plan)));
    for (const auto& uid : plan.referenced_structure_set_uids) {
      if (const auto it = structs.find(uid); it != structs.end()) {
        b.rtstruct = *it->second;
        break;
      }
      b.problems.push_back(fmt::format("RTPLAN {} references structure set {} which is not in the folder",
                                       name_of(plan), uid));
    }
    if (!b.rtstruct && plan.referenced_structure_set_uids.empty())
      b.problems.push_back(fmt::format("RTPLAN {} references no structure set", name_of(plan)));
    bundles.push_back(std::move(b));
  }

  // Doses whose plan is absent: one bundle per referenced plan UID (or per dose without reference).
  std::map<std::string, PlanBundle> orphans;
  std::vector<PlanBundle> unreferenced;
  for (const auto& d : index.files) {
    if (d.modality != "RTDOSE") continue;
    const bool linked = std::any_of(d.referenced_plan_uids.begin(), d.referenced_plan_uids.end(),
                                    [&](const std::string& u) { return plan_uids.count(u) > 0; });
    if (linked) continue;
    PlanBundle* b = nullptr;
    if (d.referenced_plan_uids.empty()) {
      // Some exporters omit ReferencedRTPlanSequence: a dose in the frame of reference of exactly one
      // plan that has no dose of its own belongs to that plan.
      std::vector<PlanBundle*> candidates;
      for (auto& p : bundles) {
        const std::string& plan_for = p.rtstruct ? p.rtstruct->frame_of_reference_uid : p.rtplan->frame_of_reference_uid;
        if (p.rtdoses.empty() && !plan_for.empty() && plan_for == d.frame_of_reference_uid) candidates.push_back(&p);
      }
      if (candidates.size() == 1) {
        PlanBundle& p = *candidates.front();
        p.rtdoses.push_back(d);
        p.problems.erase(std::remove_if(p.problems.begin(), p.problems.end(),
                                        [](const std::string& m) { return m.rfind("no RTDOSE references plan", 0) == 0; }),
                         p.problems.end());
        p.problems.push_back(fmt::format("RTDOSE {} references no plan; linked to plan {}, the only plan without a "
                                         "dose in its frame of reference", name_of(d), name_of(*p.rtplan)));
        continue;
      }
      unreferenced.emplace_back();
      b = &unreferenced.back();
      b->problems.push_back(fmt::format("RTDOSE {} references no plan", name_of(d)));
    } else {
      const std::string& uid = d.referenced_plan_uids.front();
      b = &orphans[uid];
      if (b->rtdoses.empty())
        b->problems.push_back(
            fmt::format("RTDOSE {} references plan {} which is not in the folder", name_of(d), uid));
    }
    b->rtdoses.push_back(d);
  }
  for (auto& [uid, b] : orphans) bundles.push_back(std::move(b));
  for (auto& b : unreferenced) bundles.push_back(std::move(b));
  for (auto& b : bundles) {
    if (b.rtplan) continue;
    sort_doses(b.rtdoses);
    const std::string& for_uid = b.rtdoses.front().frame_of_reference_uid;
    std::vector<const DicomFileInfo*> same_for;
    for (const auto& [uid, s] : structs)
      if (s->frame_of_reference_uid == for_uid) same_for.push_back(s);
    if (same_for.size() == 1)
      b.rtstruct = *same_for.front();
    else
      b.problems.push_back(fmt::format("{} structure sets share the frame of reference of RTDOSE {}: none linked",
                                       same_for.size(), name_of(b.rtdoses.front())));
  }

  if (bundles.empty())
    for (const auto& [uid, s] : structs) {
      PlanBundle b;
      b.rtstruct = *s;
      b.problems.push_back("no RTPLAN or RTDOSE in the folder");
      bundles.push_back(std::move(b));
    }

  for (auto& b : bundles) {
    attach_images(b, index);
    if (b.rtstruct)
      for (const auto& d : b.rtdoses)
        if (d.frame_of_reference_uid != b.rtstruct->frame_of_reference_uid)
          b.problems.push_back(fmt::format("RTDOSE {} and RTSTRUCT {} have different frames of reference",
                                           name_of(d), name_of(*b.rtstruct)));
  }
  return bundles;
}

Expected<PlanBundle> select_plan(const std::vector<PlanBundle>& bundles, std::optional<std::string> plan_uid) {
  std::string candidates;
  for (const auto& b : bundles) {
    if (!candidates.empty()) candidates += ", ";
    const std::string uid = b.plan_uid();
    if (!uid.empty())
      candidates += uid;
    else if (!b.rtdoses.empty())
      candidates += "(dose without plan reference: " + name_of(b.rtdoses.front()) + ")";
    else if (b.rtstruct)
      candidates += "(structure set only: " + name_of(*b.rtstruct) + ")";
    if (!b.plan_label().empty()) candidates += " '" + b.plan_label() + "'";
  }
  if (plan_uid) {
    for (const auto& b : bundles)
      if (b.plan_uid() == *plan_uid) return b;
    return Error::bad_argument("plan UID", bundles.empty() ? "a plan in the folder" : "one of " + candidates,
                               *plan_uid);
  }
  if (bundles.size() == 1) return bundles.front();
  if (bundles.empty())
    return Error{ErrorCode::inconsistent, "", "", "", "", "no RTPLAN, RTDOSE or RTSTRUCT found in the folder"};
  return Error::bad_argument("plan UID", fmt::format("a plan UID to choose among {} plans: {}", bundles.size(), candidates),
                             "none given");
}

}  // namespace sbrtkit
