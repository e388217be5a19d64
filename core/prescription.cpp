#include "sbrtkit/prescription.h"

#include <cctype>

namespace sbrtkit {
namespace {

/// Tumour volumes that sit inside a planning target and share its prescription.
bool is_tumour_volume(const Structure& s) {
  const std::string type = ascii_upper(s.interpreted_type), name = ascii_upper(s.name);
  for (const char* kind : {"GTV", "CTV", "ITV", "IGTV"})
    if (type == kind || name.rfind(kind, 0) == 0) return true;
  return false;
}

}  // namespace

PrescriptionResolver::PrescriptionResolver(const StructureSet& structures, const PlanInfo* plan,
                                           std::optional<double> override_gy)
    : override_gy_(override_gy) {
  if (!plan) return;
  plan_gy_ = plan->prescription_gy();
  for (const auto& reference : plan->dose_references) {
    if (!reference.referenced_roi_number || !reference.target_prescription_gy) continue;
    if (!reference.type.empty() && reference.type != "TARGET") continue;
    for (const auto& s : structures.structures) {
      if (s.roi_number != *reference.referenced_roi_number) continue;
      // A target whose contours cannot be stacked still gets its own prescription, just no containment.
      auto stack = build_contour_stack(s, EndCap::half, 0);
      targets_.push_back({s.roi_number, s.name, *reference.target_prescription_gy,
                          stack ? std::move(*stack) : ContourStack{}});
    }
  }
}

PrescriptionChoice PrescriptionResolver::for_structure(const Structure& structure, PatientPoint centroid) const {
  if (override_gy_) return {override_gy_, "--rx"};
  for (const auto& t : targets_)
    if (t.roi_number == structure.roi_number) return {t.prescription_gy, "RTPLAN target"};
  if (is_tumour_volume(structure)) {
    const Target* container = nullptr;
    int containing = 0;
    for (const auto& t : targets_)
      if (t.stack.contains(centroid)) {
        container = &t;
        ++containing;
      }
    if (containing == 1)
      return {container->prescription_gy, "RTPLAN target " + container->name + " (contains its centroid)"};
  }
  if (plan_gy_) return {plan_gy_, "RTPLAN (largest target prescription)"};
  return {std::nullopt, ""};
}

}  // namespace sbrtkit
