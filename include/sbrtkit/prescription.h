#pragma once
/// Which prescription a structure's relative metrics (V100%[%], D95%[%]) are measured against.
/// SBRT plans often treat several targets to different doses; a physicist reads each target against its
/// own prescription, and a GTV against the prescription of the PTV around it.

#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/geometry.h"
#include "sbrtkit/plan.h"
#include "sbrtkit/structure.h"

namespace sbrtkit {

struct PrescriptionChoice {
  std::optional<double> prescription_gy;
  std::string source;  // e.g. "--rx", "RTPLAN target", "RTPLAN target PTV_L3 (contains its centroid)"
};

class PrescriptionResolver {
 public:
  /// override_gy (--rx) wins for every structure. Without a plan and an override, no prescription.
  PrescriptionResolver(const StructureSet& structures, const PlanInfo* plan, std::optional<double> override_gy);

  /// In order: the override; the structure's own TARGET dose reference; for a GTV, CTV or ITV (by
  /// interpreted type or name prefix) the referenced target whose contour stack contains its centroid,
  /// when exactly one does; else the plan's largest target prescription.
  PrescriptionChoice for_structure(const Structure& structure, PatientPoint centroid) const;

 private:
  struct Target {
    int roi_number;
    std::string name;
    double prescription_gy;
    ContourStack stack;
  };
  std::optional<double> override_gy_;
  std::optional<double> plan_gy_;
  std::vector<Target> targets_;
};

}  // namespace sbrtkit
