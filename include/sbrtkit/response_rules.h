#pragma once
/// Everything a `response` rules file sets: the matching and classification rules (response.h) and the
/// lesion segmentation used on both studies.

#include <string>

#include "sbrtkit/lesion.h"
#include "sbrtkit/response.h"

namespace sbrtkit {

/// Segmentation settings of the rules file (section `segmentation`).
struct ResponseSegmentation {
  SegmentationOptions options;            // percent-of-max 41%, seed SUV 3, min 0.1 cc by default
  // Physiological uptake: the defaults of PhysiologicalUptakeRules (lesion.h), shared with `lesions`.
  std::string exclude_rois = PhysiologicalUptakeRules{}.exclude_rois;
  double exclude_margin_mm = PhysiologicalUptakeRules{}.exclude_margin_mm;
  double max_volume_cc = PhysiologicalUptakeRules{}.max_volume_cc;
};

struct ResponseRuleSet {
  ResponseRules rules;
  ResponseSegmentation segmentation;
};

}  // namespace sbrtkit
