#pragma once
/// What sbrtkit needs from an RTPLAN: prescriptions and fractionation. Pure data.

#include <optional>
#include <string>
#include <vector>

namespace sbrtkit {

/// One item of DoseReferenceSequence (300A,0010).
struct DoseReference {
  int number = 0;                                // DoseReferenceNumber (300A,0012)
  std::string description;                       // DoseReferenceDescription (300A,0016)
  std::string structure_type;                    // DoseReferenceStructureType: POINT, VOLUME, SITE, COORDINATES
  std::string type;                              // DoseReferenceType: TARGET or ORGAN_AT_RISK
  std::optional<int> referenced_roi_number;      // ReferencedROINumber (3006,0084)
  std::optional<double> target_prescription_gy;  // TargetPrescriptionDose (300A,0026)
};

struct PlanInfo {
  std::string sop_instance_uid;
  std::string label;                          // RTPlanLabel (300A,0002)
  std::string name;                           // RTPlanName (300A,0003)
  std::string frame_of_reference_uid;         // may be empty in RTPLAN
  std::string referenced_structure_set_uid;   // ReferencedStructureSetSequence (300C,0060)
  std::optional<int> fractions;               // NumberOfFractionsPlanned (300A,0078), first fraction group
  std::vector<DoseReference> dose_references;

  /// The plan-level prescription for metrics "relative to Rx": the largest TARGET prescription
  /// (SBRT plans with several targets report each target against its own prescription elsewhere).
  std::optional<double> prescription_gy() const;
};

}  // namespace sbrtkit
