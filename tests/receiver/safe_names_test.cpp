// Spool folder names from PatientID and --allow parsing (receiver.h).
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "receiver/spool.h"
#include "sbrtkit/receiver/receiver.h"

namespace sbrtkit {
namespace {

bool is_single_safe_component(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.front() == '.' || name.size() > 64) return false;
  for (char c : name)
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return name.find("..") == std::string::npos;
}

TEST(SafePatientFolder, KeepsAnIdThatIsAlreadySafe) {
  EXPECT_EQ(safe_patient_folder("SBRTKIT-MCRPC-1"), "SBRTKIT-MCRPC-1");
  EXPECT_EQ(safe_patient_folder("P_12.3"), "P_12.3");
  EXPECT_EQ(safe_patient_folder("P123 "), "P123");  // DICOM space padding is not part of the ID
}

TEST(SafePatientFolder, TraversalSeparatorsAndControlCharactersNeverSurvive) {
  for (const std::string& id : std::vector<std::string>{"../../x", "..", ".", "a/b", "a\\b", "/etc/passwd", "x\ny", std::string("a\0b", 3),
                               ".hidden", "a..b", std::string(200, 'z')}) {
    const std::string name = safe_patient_folder(id);
    EXPECT_TRUE(is_single_safe_component(name)) << "'" << id << "' -> '" << name << "'";
  }
  EXPECT_EQ(safe_patient_folder(""), "no-patient-id");
}

TEST(SafePatientFolder, DifferentIdsThatRewriteAlikeGetDifferentFolders) {
  // "a/b", "a\b", "a b" and "a?b" all become "a_b" before the hash; a plain "a_b" is kept as is.
  std::set<std::string> names;
  for (const std::string& id : std::vector<std::string>{"a/b", "a\\b", "a b", "a?b", "a_b"}) names.insert(safe_patient_folder(id));
  EXPECT_EQ(names.size(), 5u);
  EXPECT_EQ(safe_patient_folder("a/b"), safe_patient_folder("a/b"));  // stable across runs
}

TEST(ParseAllowedPeer, AeAndAeAtHost) {
  auto a = parse_allowed_peer("PLANNING");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ae_title, "PLANNING");
  EXPECT_FALSE(a->host);
  auto b = parse_allowed_peer("PACS@10.0.0.5");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->ae_title, "PACS");
  EXPECT_EQ(*b->host, "10.0.0.5");
}

TEST(ParseAllowedPeer, BadEntriesNameTheOption) {
  for (const char* text : {"", "@host", "PACS@", "SEVENTEEN_CHARS_X", "A\\B"}) {
    auto p = parse_allowed_peer(text);
    ASSERT_FALSE(p) << text;
    EXPECT_NE(p.error().message().find("--allow"), std::string::npos) << p.error().message();
  }
}

TEST(SpoolUid, OnlyDigitsAndDotsMakeAFileName) {
  EXPECT_TRUE(receiver::is_valid_uid("1.2.840.10008.5.1.4.1.1.2"));
  for (const char* uid : {"", "..", "../etc", "1..2", ".1", "1.", "1.2/3", "abc"}) EXPECT_FALSE(receiver::is_valid_uid(uid)) << uid;
  EXPECT_FALSE(receiver::is_valid_uid(std::string(65, '1')));
}

}  // namespace
}  // namespace sbrtkit
