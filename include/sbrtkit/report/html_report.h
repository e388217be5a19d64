#pragma once
/// The report page: one self-contained HTML file (inline SVG plot, PNG slices as data URIs, no scripts,
/// no fonts, no network) laid out from what run_report gathered.

#include <string>

#include "sbrtkit/expected.h"
#include "sbrtkit/pipelines/report.h"

namespace sbrtkit {

/// Errors: a slice picture that could not be encoded as PNG.
Expected<std::string> format_report_html(const ReportContent& content);

}  // namespace sbrtkit
