#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {
/// Registers `sbrtkit report`: exit code 0 when the page was written (and, with --protocol, no major
/// deviation), 1 with a major deviation (the page is still written), 2 on bad input.
void add_report_command(CLI::App& app, int& exit_code);
}  // namespace sbrtkit::cli
