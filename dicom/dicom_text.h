#pragma once
// DICOM text values to UTF-8. DICOM strings are bytes in the character set named by
// SpecificCharacterSet (0008,0005); every report sbrtkit writes (JSON, CSV, SQLite, HTML) is UTF-8, so
// names are decoded once here at the edge. Bytes that cannot be decoded become U+FFFD so a damaged name
// stays visibly damaged instead of crashing a writer or vanishing.

#include <string>
#include <string_view>

namespace sbrtkit::detail {

/// Decodes `bytes` stored under the SpecificCharacterSet value `charset` (e.g. "ISO_IR 100",
/// "ISO_IR 192", "" for the default repertoire). Handled without any library: the default repertoire
/// (ASCII; an undeclared byte >= 0x80 becomes U+FFFD unless the whole value is valid UTF-8, which
/// exporters often write without declaring it), ISO_IR 100 (Latin-1) and ISO_IR 192 (UTF-8, invalid
/// sequences become U+FFFD). Any other declared set is converted through DCMTK's iconv backend; when
/// that fails, non-ASCII bytes become U+FFFD.
std::string dicom_text_to_utf8(std::string_view bytes, std::string_view charset);

/// `s` with every invalid UTF-8 sequence replaced by U+FFFD (valid input is returned unchanged).
std::string valid_utf8(std::string_view s);

}  // namespace sbrtkit::detail
