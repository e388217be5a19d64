#include "sbrtkit/plan.h"

#include <algorithm>

namespace sbrtkit {

std::optional<double> PlanInfo::prescription_gy() const {
  std::optional<double> best;
  for (const auto& r : dose_references)
    if (r.target_prescription_gy && (r.type == "TARGET" || r.type.empty()))
      best = best ? std::max(*best, *r.target_prescription_gy) : *r.target_prescription_gy;
  return best;
}

}  // namespace sbrtkit
