#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {

/// Exit codes of `sbrtkit batch` (docs/batch.md): 0 every plan of the shard evaluated and none with a
/// major deviation; 1 every plan evaluated, at least one major deviation; 2 bad input (arguments,
/// protocol, root, output folder) or no plan under the root; 3 to 125: 2 + the number of plans that could
/// not be evaluated (error rows), 125 meaning 123 or more. Codes above 125 are left to the shell.
int batch_exit_code(std::size_t failed_plans, std::size_t major_plans);

/// Registers `sbrtkit batch`; its callback stores the exit code in exit_code.
void add_batch_command(CLI::App& app, int& exit_code);

}  // namespace sbrtkit::cli
