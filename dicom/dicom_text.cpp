#include "dicom_text.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcspchrs.h>

#include <algorithm>
#include <cstdint>

namespace sbrtkit::detail {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

void append_code_point(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the valid UTF-8 sequence starting at s[i], 0 when invalid (overlong forms, surrogates and
// code points above U+10FFFF are invalid, as in RFC 3629).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) { n = 3; lo = 0xA0; }
  else if (c >= 0xE1 && c <= 0xEC) n = 3;
  else if (c == 0xED) { n = 3; hi = 0x9F; }
  else if (c >= 0xEE && c <= 0xEF) n = 3;
  else if (c == 0xF0) { n = 4; lo = 0x90; }
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else if (c == 0xF4) { n = 4; hi = 0x8F; }
  else return 0;
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string ascii_or_replacement(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x80) out += c;
    else out += replacement;
  }
  return out;
}

// SpecificCharacterSet may be multi-valued ("\ISO 2022 IR 100"); the first non-empty value names the
// set used without escape sequences, which is all single-byte sets need.
std::string first_term(std::string_view charset) {
  std::string term;
  for (char c : charset) {
    if (c == '\\') {
      if (!term.empty()) break;
      continue;
    }
    if (c != ' ' || !term.empty()) term += c;
  }
  while (!term.empty() && term.back() == ' ') term.pop_back();
  return term;
}

}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += replacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string dicom_text_to_utf8(std::string_view bytes, std::string_view charset) {
  if (is_ascii(bytes)) return std::string(bytes);
  const std::string set = first_term(charset);
  if (set.empty() || set == "ISO_IR 6" || set == "ISO 2022 IR 6") {
    // Undeclared 8-bit bytes: keep them when they form UTF-8 (a common exporter habit), else mark them.
    return is_valid_utf8(bytes) ? std::string(bytes) : ascii_or_replacement(bytes);
  }
  if (set == "ISO_IR 192") return valid_utf8(bytes);
  if (set == "ISO_IR 100" || set == "ISO 2022 IR 100") {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) append_code_point(out, static_cast<unsigned char>(c));  // Latin-1 = U+0000..U+00FF
    return out;
  }
  DcmSpecificCharacterSet converter;
  OFString converted;
  if (converter.selectCharacterSet(OFString(std::string(charset).c_str())).good() &&
      converter.convertString(OFString(bytes.data(), bytes.size()), converted).good())
    return valid_utf8(std::string_view(converted.c_str(), converted.length()));
  return ascii_or_replacement(bytes);
}

}  // namespace sbrtkit::detail
