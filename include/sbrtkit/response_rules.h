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
  std::string exclude_rois = "Bladder*,Bowel*,Kidney*,Rectum*";  // physiological uptake masks
  double exclude_margin_mm = 8;           // the masks grow by this to take the organs' spill-out
  double max_volume_cc = 50;              // larger components are organs (kidneys), not lesions; <= 0 keeps all
};

struct ResponseRuleSet {
  ResponseRules rules;
  ResponseSegmentation segmentation;
};

}  // namespace sbrtkit
