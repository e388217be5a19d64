#include "sbrtkit/dicom/rtplan.h"

#include <fmt/format.h>

#include "dicom_common.h"

namespace sbrtkit {

using detail::ItemView;

Expected<PlanInfo> read_rtplan(const std::filesystem::path& file) {
  auto loaded = detail::load_dicom(file);
  if (!loaded) return loaded.error();
  const ItemView ds(loaded->dataset, loaded->path);
  if (auto kind = detail::check_object_kind(ds, "RTPLAN", {UID_RTPlanStorage, UID_RTIonPlanStorage}, "RT Plan");
      !kind)
    return kind.error();

  PlanInfo plan;
  auto uid = ds.required_string(DCM_SOPInstanceUID);
  if (!uid) return uid.error();
  plan.sop_instance_uid = *uid;
  auto label = ds.required_string(DCM_RTPlanLabel);
  if (!label) return label.error();
  plan.label = *label;
  plan.name = ds.string(DCM_RTPlanName);
  plan.frame_of_reference_uid = ds.string(DCM_FrameOfReferenceUID);
  for (const auto& ref : ds.sequence(DCM_ReferencedStructureSetSequence))
    if (plan.referenced_structure_set_uid.empty())
      plan.referenced_structure_set_uid = ref.string(DCM_ReferencedSOPInstanceUID);

  const auto groups = ds.sequence(DCM_FractionGroupSequence);
  if (!groups.empty()) {
    auto fractions = groups.front().optional_integer(DCM_NumberOfFractionsPlanned);
    if (!fractions) return fractions.error();
    if (*fractions) {
      if (**fractions < 1)
        return groups.front().bad(DCM_NumberOfFractionsPlanned, "a positive count", std::to_string(**fractions));
      plan.fractions = static_cast<int>(**fractions);
    }
  }

  for (const auto& item : ds.sequence(DCM_DoseReferenceSequence)) {
    DoseReference ref;
    auto number = item.required_integer(DCM_DoseReferenceNumber);
    if (!number) return number.error();
    ref.number = static_cast<int>(*number);
    ref.description = item.string(DCM_DoseReferenceDescription);
    ref.structure_type = item.string(DCM_DoseReferenceStructureType);
    ref.type = item.string(DCM_DoseReferenceType);
    auto roi = item.optional_integer(DCM_ReferencedROINumber);
    if (!roi) return roi.error();
    if (*roi) ref.referenced_roi_number = static_cast<int>(**roi);
    auto rx = item.optional_number(DCM_TargetPrescriptionDose);
    if (!rx) return rx.error();
    if (*rx) {
      if (**rx < 0) return item.bad(DCM_TargetPrescriptionDose, "a dose >= 0 Gy", detail::ds_text(**rx));
      ref.target_prescription_gy = **rx;
    }
    plan.dose_references.push_back(std::move(ref));
  }
  return plan;
}

}  // namespace sbrtkit
