#pragma once
/// RTPLAN reading: label, structure-set reference, fractionation and prescriptions (`PlanInfo`).
/// Beams and control points are not read.

#include <filesystem>

#include "sbrtkit/expected.h"
#include "sbrtkit/plan.h"

namespace sbrtkit {

/// Reads an RT Plan Storage or RT Ion Plan Storage object.
/// fractions = NumberOfFractionsPlanned (300A,0078) of the first item of FractionGroupSequence
/// (300A,0070), nullopt when the sequence or the value is absent. dose_references lists every item of
/// DoseReferenceSequence (300A,0010); TargetPrescriptionDose (300A,0026) is in Gy.
Expected<PlanInfo> read_rtplan(const std::filesystem::path& file);

}  // namespace sbrtkit
