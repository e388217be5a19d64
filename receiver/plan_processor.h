#pragma once
// What happens to a study once it has been quiet for --idle-seconds: every complete plan in it (RTPLAN,
// the RTSTRUCT it references, at least one RTDOSE, the image series) whose inputs changed since it was
// last processed gets check (with a protocol), qa and report, written to
// DIR/results/<patient>/<plan UID>/ and stored in DIR/results.sqlite (the batch schema). inputs.txt, the
// sorted list of the plan's spool files, is written last: it marks the plan as processed, so a restart
// re-runs exactly the plans whose processing did not finish. Earlier results of a plan whose inputs
// changed (a re-sent RTDOSE) move to previous/<n>/.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "io/results_db.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/pipelines/batch.h"

namespace sbrtkit::receiver {

class PlanProcessor {
 public:
  static Expected<PlanProcessor> create(const std::filesystem::path& out_dir, const std::optional<std::string>& protocol);
  /// Processes the complete, changed plans of one study folder (DIR/incoming/<patient>/<study>); one log
  /// line per plan. Returns how many plans were processed.
  int process_study(const std::filesystem::path& study_dir);

 private:
  PlanProcessor(std::filesystem::path out_dir, std::optional<std::string> protocol,
                std::optional<BatchEvaluator> evaluator, ResultsDb db);
  void process_plan(const PlanJob& job, const std::filesystem::path& result_dir, const std::string& inputs);

  std::filesystem::path out_dir_;
  std::optional<std::string> protocol_;
  std::optional<BatchEvaluator> evaluator_;  // with --protocol
  std::unique_ptr<ResultsDb> db_;
};

}  // namespace sbrtkit::receiver
