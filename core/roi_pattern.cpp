#include "sbrtkit/roi_pattern.h"

#include <array>
#include <bitset>
#include <cctype>
#include <cstdint>
#include <vector>

namespace sbrtkit {

// A Thompson automaton: instructions as in Cox, "Regular Expression Matching Can Be Simple And Fast"
// (2007). `split` forks the thread to x and y, `jump` goes to x, assertions test the position.
struct RoiPattern::Program {
  enum class Op : std::uint8_t { byte_set, split, jump, assert_begin, assert_end, match };
  struct Inst {
    Op op = Op::match;
    int x = 0, y = 0;
    int set = -1;  // index into sets for byte_set
  };
  std::vector<Inst> code;
  std::vector<std::bitset<256>> sets;  // byte sets, case folded at compile time
};

namespace {

using Program = RoiPattern::Program;
using ByteSet = std::bitset<256>;

/// Syntax tree of the pattern; compiled to the automaton once parsing succeeded.
struct Node {
  enum class Kind { set, concat, alternate, repeat, begin, end, empty } kind = Kind::empty;
  ByteSet set;
  std::vector<Node> children;
  int min = 0, max = -1;  // repeat: max -1 = unbounded
};

struct SyntaxError {
  std::string expected, found;
};

ByteSet fold_case(ByteSet s) {
  for (int c = 'a'; c <= 'z'; ++c) {
    const int u = c - 'a' + 'A';
    if (s[std::size_t(c)] || s[std::size_t(u)]) s.set(std::size_t(c)).set(std::size_t(u));
  }
  return s;
}

ByteSet range_set(int lo, int hi) {
  ByteSet s;
  for (int c = lo; c <= hi; ++c) s.set(std::size_t(c));
  return s;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Node parse() {
    Node n = alternation();
    if (pos_ < s_.size()) {
      if (s_[pos_] == ')') fail("a '(' before the ')' at " + at(), "an unmatched ')'");
      fail("an operator or a character at " + at(), "'" + std::string(1, s_[pos_]) + "'");
    }
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& expected, const std::string& found) const {
    throw SyntaxError{expected, found};
  }
  std::string at() const { return "character " + std::to_string(pos_ + 1); }
  bool more() const { return pos_ < s_.size(); }
  char peek() const { return s_[pos_]; }

  Node alternation() {
    Node first = concatenation();
    if (!more() || peek() != '|') return first;
    Node alt;
    alt.kind = Node::Kind::alternate;
    alt.children.push_back(std::move(first));
    while (more() && peek() == '|') {
      ++pos_;
      alt.children.push_back(concatenation());
    }
    return alt;
  }

  Node concatenation() {
    Node cat;
    cat.kind = Node::Kind::concat;
    while (more() && peek() != '|' && peek() != ')') cat.children.push_back(repetition());
    return cat;
  }

  Node repetition() {
    Node atom_node = atom();
    while (more()) {
      int min = 0, max = -1;
      const char c = peek();
      if (c == '*') {
        ++pos_;
      } else if (c == '+') {
        ++pos_;
        min = 1;
      } else if (c == '?') {
        ++pos_;
        max = 1;
      } else if (c == '{' && counted(min, max)) {
      } else {
        break;
      }
      if (atom_node.kind == Node::Kind::begin || atom_node.kind == Node::Kind::end)
        fail("something to repeat before the quantifier at " + at(), "an anchor");
      if (more() && peek() == '?') ++pos_;  // lazy: the same names match the whole pattern
      Node rep;
      rep.kind = Node::Kind::repeat;
      rep.min = min;
      rep.max = max;
      rep.children.push_back(std::move(atom_node));
      atom_node = std::move(rep);
    }
    return atom_node;
  }

  /// {m}, {m,}, {m,n} at pos_; false (pos_ unchanged) when the brace does not start a count, in which
  /// case ECMAScript (Annex B) reads '{' as a literal.
  bool counted(int& min, int& max) {
    std::size_t p = pos_ + 1;
    auto digits = [&](int& out) {
      const std::size_t begin = p;
      long v = 0;
      while (p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p]))) {
        v = std::min<long>(v * 10 + (s_[p] - '0'), 1000000);
        ++p;
      }
      out = int(v);
      return p > begin;
    };
    if (!digits(min)) return false;
    max = min;
    if (p < s_.size() && s_[p] == ',') {
      ++p;
      if (!digits(max)) max = -1;
    }
    if (p >= s_.size() || s_[p] != '}') return false;
    const std::string count(s_.substr(pos_, p + 1 - pos_));
    pos_ = p + 1;
    if (min > kMaxRoiPatternRepeat || max > kMaxRoiPatternRepeat)
      fail("repetition counts of at most " + std::to_string(kMaxRoiPatternRepeat), "'" + count + "'");
    if (max >= 0 && max < min) fail("{m,n} with m <= n", "'" + count + "'");
    return true;
  }

  Node atom() {
    const char c = peek();
    Node n;
    switch (c) {
      case '*': case '+': case '?':
        fail("something to repeat before the '" + std::string(1, c) + "' at " + at(), "nothing");
      case '(': return group();
      case '[': return char_class();
      case '.':
        ++pos_;
        n.kind = Node::Kind::set;
        n.set = ~(range_set('\n', '\n') | range_set('\r', '\r'));  // ECMAScript: not a line terminator
        return n;
      case '^': ++pos_; n.kind = Node::Kind::begin; return n;
      case '$': ++pos_; n.kind = Node::Kind::end; return n;
      case '\\':
        ++pos_;
        n.kind = Node::Kind::set;
        n.set = escape(false);
        return n;
      default:
        ++pos_;
        n.kind = Node::Kind::set;
        n.set.set(static_cast<unsigned char>(c));
        return n;
    }
  }

  Node group() {
    const std::size_t open = pos_;
    ++pos_;
    if (more() && peek() == '?') {
      if (pos_ + 1 < s_.size() && s_[pos_ + 1] == ':') {
        pos_ += 2;
      } else {
        fail("a plain group '(...)' or '(?:...)' (look-around and named groups are not supported) at character " +
                 std::to_string(open + 1),
             "'" + std::string(s_.substr(open, std::min<std::size_t>(3, s_.size() - open))) + "'");
      }
    }
    Node inner = alternation();
    if (!more() || peek() != ')')
      fail("a closing ')' for the group opened at character " + std::to_string(open + 1), "the end of the pattern");
    ++pos_;
    return inner;
  }

  /// The escape after a backslash at pos_; `in_class` makes \b a backspace, as ECMAScript does.
  ByteSet escape(bool in_class) {
    if (!more()) fail("a character after '\\'", "the end of the pattern");
    const char c = s_[pos_++];
    ByteSet s;
    const ByteSet digit = range_set('0', '9');
    const ByteSet word = range_set('a', 'z') | range_set('A', 'Z') | digit | range_set('_', '_');
    ByteSet space;
    for (char w : {' ', '\t', '\n', '\v', '\f', '\r'}) space.set(static_cast<unsigned char>(w));
    switch (c) {
      case 'd': return digit;
      case 'D': return ~digit;
      case 'w': return word;
      case 'W': return ~word;
      case 's': return space;
      case 'S': return ~space;
      case 't': s.set('\t'); return s;
      case 'n': s.set('\n'); return s;
      case 'r': s.set('\r'); return s;
      case 'f': s.set('\f'); return s;
      case 'v': s.set('\v'); return s;
      case 'b':
        if (in_class) {
          s.set('\b');
          return s;
        }
        fail("no word-boundary assertion (\\b is not supported) at character " + std::to_string(pos_ - 1), "'\\b'");
      default: break;
    }
    if (std::isdigit(static_cast<unsigned char>(c)))
      fail("no back-reference (not supported: they need backtracking) at character " + std::to_string(pos_ - 1),
           "'\\" + std::string(1, c) + "'");
    if (std::isalnum(static_cast<unsigned char>(c)))
      fail("a known escape (\\d \\w \\s \\D \\W \\S \\t \\n \\r) or an escaped punctuation character at character " +
               std::to_string(pos_ - 1),
           "'\\" + std::string(1, c) + "'");
    s.set(static_cast<unsigned char>(c));  // an escaped punctuation character stands for itself
    return s;
  }

  Node char_class() {
    const std::size_t open = pos_;
    ++pos_;
    bool negate = false;
    if (more() && peek() == '^') {
      negate = true;
      ++pos_;
    }
    ByteSet s;
    while (true) {
      if (!more()) fail("a closing ']' for the class opened at character " + std::to_string(open + 1), "the end of the pattern");
      if (peek() == ']') break;
      auto one = [&](ByteSet& item) -> int {  // the member at pos_; its byte when it is a single one, else -1
        if (peek() == '\\') {
          ++pos_;
          item = escape(true);
          if (item.count() != 1) return -1;
          for (int b = 0; b < 256; ++b)
            if (item[std::size_t(b)]) return b;
          return -1;
        }
        const int b = static_cast<unsigned char>(s_[pos_++]);
        item.reset();
        item.set(std::size_t(b));
        return b;
      };
      ByteSet item;
      const int lo = one(item);
      if (pos_ + 1 < s_.size() && peek() == '-' && s_[pos_ + 1] != ']' && lo >= 0) {
        ++pos_;
        ByteSet upper;
        const int hi = one(upper);
        if (hi < 0) fail("a single character after '-' in the class at character " + std::to_string(open + 1), "a class escape");
        if (hi < lo) fail("a range low-high with low <= high in the class at character " + std::to_string(open + 1), "a reversed range");
        s |= range_set(lo, hi);
      } else {
        s |= item;
      }
    }
    ++pos_;
    Node n;
    n.kind = Node::Kind::set;
    n.set = negate ? ~fold_case(s) : s;
    return n;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

class Compiler {
 public:
  explicit Compiler(Program& p) : p_(p) {}

  void emit(const Node& n) {
    switch (n.kind) {
      case Node::Kind::empty: return;
      case Node::Kind::set: {
        const int set = int(p_.sets.size());
        p_.sets.push_back(fold_case(n.set));
        add({Program::Op::byte_set, 0, 0, set});
        return;
      }
      case Node::Kind::begin: add({Program::Op::assert_begin, 0, 0, -1}); return;
      case Node::Kind::end: add({Program::Op::assert_end, 0, 0, -1}); return;
      case Node::Kind::concat:
        for (const auto& c : n.children) emit(c);
        return;
      case Node::Kind::alternate: {
        // split L1, next; L1: a; jump end; next: split L2, ... ; last alternative falls through.
        std::vector<int> jumps;
        for (std::size_t i = 0; i < n.children.size(); ++i) {
          if (i + 1 < n.children.size()) {
            const int split = add({Program::Op::split, 0, 0, -1});
            p_.code[std::size_t(split)].x = here();
            emit(n.children[i]);
            jumps.push_back(add({Program::Op::jump, 0, 0, -1}));
            p_.code[std::size_t(split)].y = here();
          } else {
            emit(n.children[i]);
          }
        }
        for (int j : jumps) p_.code[std::size_t(j)].x = here();
        return;
      }
      case Node::Kind::repeat: {
        const Node& body = n.children.front();
        for (int i = 0; i < n.min; ++i) emit(body);
        if (n.max < 0) {
          // L: split body, out; body; jump L
          const int split = add({Program::Op::split, 0, 0, -1});
          p_.code[std::size_t(split)].x = here();
          emit(body);
          add({Program::Op::jump, split, 0, -1});
          p_.code[std::size_t(split)].y = here();
        } else {
          // Each optional copy: split body, out.
          std::vector<int> splits;
          for (int i = n.min; i < n.max; ++i) {
            const int split = add({Program::Op::split, 0, 0, -1});
            p_.code[std::size_t(split)].x = here();
            splits.push_back(split);
            emit(body);
          }
          for (int s : splits) p_.code[std::size_t(s)].y = here();
        }
        return;
      }
    }
  }

  int add(Program::Inst inst) {
    if (p_.code.size() >= kMaxRoiPatternStates) throw SyntaxError{"a pattern of at most " +
        std::to_string(kMaxRoiPatternStates) + " automaton states (simplify the repetitions)", "more"};
    p_.code.push_back(inst);
    return int(p_.code.size()) - 1;
  }
  int here() const { return int(p_.code.size()); }

 private:
  Program& p_;
};

/// The set of automaton threads at one position, without duplicates (a state-generation stamp per pc).
class ThreadList {
 public:
  explicit ThreadList(std::size_t states) : stamp_(states, 0) { pcs_.reserve(states); }
  void clear(std::uint32_t generation) {
    pcs_.clear();
    generation_ = generation;
  }
  bool insert(int pc) {
    if (stamp_[std::size_t(pc)] == generation_) return false;
    stamp_[std::size_t(pc)] = generation_;
    pcs_.push_back(pc);
    return true;
  }
  const std::vector<int>& pcs() const { return pcs_; }

 private:
  std::vector<std::uint32_t> stamp_;
  std::vector<int> pcs_;
  std::uint32_t generation_ = 0;
};

/// Adds pc and everything reachable from it without reading a byte at `pos` of a name of `size` bytes.
void add_closure(const Program& p, ThreadList& list, int start, std::size_t pos, std::size_t size,
                 std::vector<int>& stack) {
  stack.clear();
  stack.push_back(start);
  while (!stack.empty()) {
    const int pc = stack.back();
    stack.pop_back();
    if (!list.insert(pc)) continue;
    const auto& inst = p.code[std::size_t(pc)];
    switch (inst.op) {
      case Program::Op::jump: stack.push_back(inst.x); break;
      case Program::Op::split:
        stack.push_back(inst.y);
        stack.push_back(inst.x);
        break;
      case Program::Op::assert_begin:
        if (pos == 0) stack.push_back(pc + 1);
        break;
      case Program::Op::assert_end:
        if (pos == size) stack.push_back(pc + 1);
        break;
      case Program::Op::byte_set:
      case Program::Op::match: break;
    }
  }
}

}  // namespace

Expected<RoiPattern> RoiPattern::compile(std::string_view pattern) {
  const std::string text(pattern);
  if (pattern.size() > kMaxRoiPatternLength)
    return Error::bad_value("", "pattern", "a pattern of at most " + std::to_string(kMaxRoiPatternLength) + " characters",
                            std::to_string(pattern.size()) + " characters");
  auto program = std::make_shared<Program>();
  try {
    const Node tree = Parser(pattern).parse();
    Compiler compiler(*program);
    compiler.emit(tree);
    compiler.add({Program::Op::match, 0, 0, -1});
  } catch (const SyntaxError& e) {
    return Error::bad_value("", "pattern", e.expected, e.found);
  }
  return RoiPattern(text, std::move(program));
}

bool RoiPattern::matches(std::string_view name) const {
  const Program& p = *program_;
  const std::size_t states = p.code.size();
  ThreadList current(states), next(states);
  std::vector<int> stack;
  std::uint32_t generation = 1;
  current.clear(generation);
  add_closure(p, current, 0, 0, name.size(), stack);
  for (std::size_t pos = 0; pos < name.size(); ++pos) {
    const auto byte = static_cast<unsigned char>(name[pos]);
    next.clear(++generation);
    for (int pc : current.pcs()) {
      const auto& inst = p.code[std::size_t(pc)];
      if (inst.op == Program::Op::byte_set && p.sets[std::size_t(inst.set)][byte])
        add_closure(p, next, pc + 1, pos + 1, name.size(), stack);
    }
    if (next.pcs().empty()) return false;
    std::swap(current, next);
  }
  for (int pc : current.pcs())
    if (p.code[std::size_t(pc)].op == Program::Op::match) return true;
  return false;
}

}  // namespace sbrtkit
