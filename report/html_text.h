#pragma once
// Text helpers of the HTML page, private to the report room.

#include <string>
#include <string_view>

namespace sbrtkit {

/// RFC 4648 base64 with padding.
std::string base64_encode(std::string_view bytes);
/// Text escaped for HTML element content and attribute values (& < > " ').
std::string html_escape(std::string_view text);

}  // namespace sbrtkit
