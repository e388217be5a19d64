// DICOM text to UTF-8 (dicom/dicom_text.h). The expected strings are written as UTF-8 byte escapes so the
// test does not depend on the source file's encoding: "\xc3\xbc" is U+00FC (u umlaut), "\xef\xbf\xbd" U+FFFD.
#include "dicom_text.h"

#include <gtest/gtest.h>

namespace sbrtkit::detail {
namespace {

const std::string replacement = "\xef\xbf\xbd";

TEST(DicomText, Latin1IsDecodedToUtf8) {
  // ISO_IR 100: each byte is its own code point; 0xFC -> U+00FC, 0xE9 -> U+00E9.
  EXPECT_EQ(dicom_text_to_utf8("R\xfc" "ckenmark", "ISO_IR 100"), "R\xc3\xbc" "ckenmark");
  EXPECT_EQ(dicom_text_to_utf8("H\xfc" "fte_L", "ISO_IR 100"), "H\xc3\xbc" "fte_L");
  EXPECT_EQ(dicom_text_to_utf8("Ren\xe9^Fran\xe7ois", "ISO_IR 100"), "Ren\xc3\xa9^Fran\xc3\xa7ois");
}

TEST(DicomText, AsciiIsUnchangedUnderEveryCharacterSet) {
  for (const char* set : {"", "ISO_IR 6", "ISO_IR 100", "ISO_IR 192", "ISO_IR 101"})
    EXPECT_EQ(dicom_text_to_utf8("PTV_L3", set), "PTV_L3") << set;
}

TEST(DicomText, Utf8IsKeptAndInvalidSequencesAreReplacedVisibly) {
  EXPECT_EQ(dicom_text_to_utf8("H\xc3\xbc" "fte", "ISO_IR 192"), "H\xc3\xbc" "fte");
  // A lone continuation byte and a truncated two-byte sequence: each bad byte becomes U+FFFD.
  EXPECT_EQ(dicom_text_to_utf8("a\x80" "b", "ISO_IR 192"), "a" + replacement + "b");
  EXPECT_EQ(dicom_text_to_utf8("a\xc3", "ISO_IR 192"), "a" + replacement);
}

TEST(DicomText, UndeclaredEightBitBytesAreReplacedUnlessTheWholeValueIsUtf8) {
  // No SpecificCharacterSet: the default repertoire is ASCII. Exporters often write UTF-8 without
  // declaring it; that is kept. Any other byte >= 0x80 is not guessed at.
  EXPECT_EQ(dicom_text_to_utf8("H\xc3\xbc" "fte", ""), "H\xc3\xbc" "fte");
  EXPECT_EQ(dicom_text_to_utf8("H\xfc" "fte", ""), "H" + replacement + "fte");
}

TEST(DicomText, OtherCharacterSetsGoThroughDcmtk) {
  // ISO_IR 101 (Latin-2): 0xB1 is U+0105 (a with ogonek), 0xE8 U+010D (c with caron).
  EXPECT_EQ(dicom_text_to_utf8("\xb1\xe8", "ISO_IR 101"), "\xc4\x85\xc4\x8d");
}

TEST(DicomText, ValidUtf8ReturnsValidInputUnchanged) {
  EXPECT_EQ(valid_utf8("PTV \xc3\xbc \xe2\x82\xac"), "PTV \xc3\xbc \xe2\x82\xac");
  EXPECT_EQ(valid_utf8("\xff"), replacement);
}

}  // namespace
}  // namespace sbrtkit::detail
