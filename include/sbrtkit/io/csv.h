#pragma once
/// CSV cells as RFC 4180 writes them: every table sbrtkit prints as CSV goes through csv_cell, so a
/// structure named `PTV, "boost"` or with a line break stays one cell in every spreadsheet.

#include <string>
#include <string_view>

namespace sbrtkit {

/// `text` as one CSV cell: unchanged when it holds no comma, quote, CR or LF; otherwise quoted with
/// inner quotes doubled.
std::string csv_cell(std::string_view text);

}  // namespace sbrtkit
