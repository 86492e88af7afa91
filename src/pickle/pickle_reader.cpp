#include "pickle/pickle_reader.h"

#include <charconv>
#include <cstdlib>
#include <tuple>
#include <fmt/format.h>
#include <unordered_map>

#include "pickle/python2_names.h"
#include "pickle/python_escapes.h"

namespace mtool {

namespace {

// Opcode bytes, as named in CPython's Lib/pickletools.py.
enum Opcode : uint8_t {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', FLOAT = 'F', INT = 'I', BININT = 'J',
  BININT1 = 'K', LONG = 'L', BININT2 = 'M', NONE = 'N', PERSID = 'P', BINPERSID = 'Q', REDUCE = 'R',
  STRING = 'S', BINSTRING = 'T', SHORT_BINSTRING = 'U', UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a',
  BUILD = 'b', GLOBAL = 'c', DICT = 'd', EMPTY_DICT = '}', APPENDS = 'e', GET = 'g', BINGET = 'h', INST = 'i',
  LONG_BINGET = 'j', LIST = 'l', EMPTY_LIST = ']', OBJ = 'o', PUT = 'p', BINPUT = 'q', LONG_BINPUT = 'r',
  SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G',
  PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85, TUPLE2 = 0x86,
  TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b,
  BINBYTES = 'B', SHORT_BINBYTES = 'C',
  SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, EMPTY_SET = 0x8f, ADDITEMS = 0x90,
  FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95,
  BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98,
};

class Reader {
 public:
  Reader(Bytes bytes, uint64_t base_offset, PickleLimits limits)
      : bytes_(bytes), in_(bytes, base_offset), limits_(std::move(limits)) {}

  PickleProgram run();
  PickleProgram run_tolerant(std::optional<std::string>& error);

 private:
  [[noreturn]] void fail(const std::string& message, Damage damage = Damage::Damaged) const {
    throw FormatError(fmt::format("offset {}: {}", op_offset_, message), damage);
  }

  PickleNode* make(PickleKind kind) {
    PickleNode& node = program_.arena.emplace_back();
    node.kind = kind;
    node.offset = op_offset_;
    return &node;
  }
  void push(const PickleNode* node) { stack_.push_back(node); }
  const PickleNode* pop() {
    if (stack_.size() <= floor()) fail(fmt::format("opcode 0x{:02x} needs a value but the stack is empty", op_));
    const PickleNode* node = stack_.back();
    stack_.pop_back();
    return node;
  }
  const PickleNode* top() const {
    if (stack_.size() <= floor()) fail(fmt::format("opcode 0x{:02x} needs a value but the stack is empty", op_));
    return stack_.back();
  }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::vector<const PickleNode*> pop_to_mark() {
    if (marks_.empty()) fail(fmt::format("opcode 0x{:02x} needs a MARK but there is none", op_));
    size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<const PickleNode*> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }
  // The mutable node behind a value that the pickle is about to modify in place.
  PickleNode* mutable_node(const PickleNode* node) { return const_cast<PickleNode*>(node); }

  void grow_depth(PickleNode* container, const PickleNode* child) {
    container->depth = std::max(container->depth, child->depth + 1);
    if (container->depth > limits_.max_depth) {
      fail(fmt::format("values nest deeper than {} levels", limits_.max_depth));
    }
  }
  const PickleNode* container(PickleKind kind, std::vector<const PickleNode*> items) {
    PickleNode* node = make(kind);
    for (const PickleNode* item : items) grow_depth(node, item);
    node->items = std::move(items);
    return node;
  }

  void memo_put(uint64_t key) { memo_[key] = top(); }
  const PickleNode* memo_get(uint64_t key) {
    auto found = memo_.find(key);
    if (found == memo_.end()) fail(fmt::format("memo entry {} is used before it is stored", key));
    return found->second;
  }

  // Names as find_class imports them: Python 2 names mapped to Python 3 ones.
  const PickleNode* make_global(std::string module, std::string name, bool resolved = true) {
    if (resolved) std::tie(module, name) = python3_name(module, name);
    program_.globals.push_back({module, name, op_offset_, resolved});
    PickleNode* node = make(PickleKind::Global);
    node->text = std::move(module);
    node->name = std::move(name);
    return node;
  }
  const PickleNode* make_call(const PickleNode* callable, const PickleNode* args) {
    register_extension(callable, args);
    PickleNode* node = make(PickleKind::Call);
    node->callable = callable;
    node->args = args;
    grow_depth(node, callable);
    grow_depth(node, args);
    return node;
  }
  const PickleNode* make_int(int64_t value) {
    PickleNode* node = make(PickleKind::Int);
    node->int_value = value;
    return node;
  }
  const PickleNode* make_text(PickleKind kind, Bytes text) {
    PickleNode* node = make(kind);
    node->text = std::string(text);
    return node;
  }
  const PickleNode* make_long(Bytes little_endian);
  const PickleNode* make_decimal(Bytes digits);
  uint64_t decimal_key(Bytes digits);

  void register_extension(const PickleNode* callable, const PickleNode* args);
  const PickleNode* extension_global(uint32_t code);
  const PickleNode* stack_global(const PickleNode* module, const PickleNode* name);

  void append_items(const PickleNode* target, const std::vector<const PickleNode*>& items);
  void set_items(const PickleNode* target, const std::vector<const PickleNode*>& items);
  void build(const PickleNode* target, const PickleNode* state);

  bool step();

  Bytes bytes_;
  ByteReader in_;
  PickleLimits limits_;
  PickleProgram program_;
  std::vector<const PickleNode*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, const PickleNode*> memo_;
  // copyreg.add_extension(module, name, code) calls seen so far: EXT1/2/4
  // opcodes later in the stream import what they registered.
  std::unordered_map<int64_t, std::pair<std::string, std::string>> extensions_;
  uint64_t op_offset_ = 0;
  uint8_t op_ = 0;
};

const PickleNode* Reader::make_long(Bytes bytes) {
  PickleNode* node = make(PickleKind::Int);
  if (bytes.size() <= 8) {
    uint64_t value = 0;
    for (size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
    // Sign-extend two's complement.
    if (!bytes.empty() && bytes.size() < 8 && (static_cast<uint8_t>(bytes.back()) & 0x80)) {
      value |= ~uint64_t{0} << (bytes.size() * 8);
    }
    node->int_value = static_cast<int64_t>(value);
    return node;
  }
  node->big_int = true;
  for (size_t i = bytes.size(); i-- > 0;) node->text += fmt::format("{:02x}", static_cast<uint8_t>(bytes[i]));
  return node;
}

const PickleNode* Reader::make_decimal(Bytes digits) {
  // Protocol 0 INT and LONG: "01"/"00" are True/False; LONG ends with 'L'.
  if (digits == "01" || digits == "00") {
    PickleNode* node = make(PickleKind::Bool);
    node->bool_value = digits == "01";
    return node;
  }
  if (!digits.empty() && digits.back() == 'L') digits.remove_suffix(1);
  int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error == std::errc::result_out_of_range) {
    PickleNode* node = make(PickleKind::Int);
    node->big_int = true;
    node->text = std::string(digits);
    return node;
  }
  // Python's int(text, 0) also takes hex, signs, spaces and underscores; the
  // value never names a global, so anything else is read as 0, not a break.
  if (error != std::errc() || end != digits.data() + digits.size()) value = 0;
  return make_int(value);
}

uint64_t Reader::decimal_key(Bytes digits) {
  uint64_t key = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), key);
  if (error != std::errc() || end != digits.data() + digits.size()) fail("memo key is not a decimal number");
  return key;
}

void Reader::append_items(const PickleNode* target, const std::vector<const PickleNode*>& items) {
  // Appending to anything but a list calls its .append/.extend, which CPython
  // looks up and calls: keep the values so nothing they name is lost.
  PickleNode* node = mutable_node(target);
  if (node->kind == PickleKind::Global) program_.mutations.push_back({node->text, node->name, op_offset_});
  for (const PickleNode* item : items) {
    grow_depth(node, item);
    node->items.push_back(item);
  }
}

void Reader::set_items(const PickleNode* target, const std::vector<const PickleNode*>& items) {
  if (items.size() % 2 != 0) fail("SETITEMS with an odd number of values");
  // SETITEM on anything but a dict calls its __setitem__ (on an imported
  // object: a change to it, e.g. os.environ).
  PickleNode* node = mutable_node(target);
  if (node->kind == PickleKind::Global) program_.mutations.push_back({node->text, node->name, op_offset_});
  for (const PickleNode* item : items) {
    grow_depth(node, item);
    node->items.push_back(item);
  }
}

void Reader::build(const PickleNode* target, const PickleNode* state) {
  PickleNode* node = mutable_node(target);
  if (node->kind == PickleKind::Call && node->state == nullptr) {
    node->state = state;
    grow_depth(node, state);
    return;
  }
  if (node->kind == PickleKind::Global) program_.mutations.push_back({node->text, node->name, op_offset_});
  // BUILD on anything else (or twice): keep both as a call of "BUILD".
  PickleNode* wrapper = make(PickleKind::Call);
  wrapper->callable = target;
  wrapper->state = state;
  grow_depth(wrapper, target);
  grow_depth(wrapper, state);
  stack_.back() = wrapper;
}

// A value made while loading (a call's result, a persistent id) is only known
// then; a literal that is not text makes CPython refuse the opcode.
const PickleNode* Reader::stack_global(const PickleNode* module, const PickleNode* name) {
  if (module->is(PickleKind::String) && name->is(PickleKind::String)) return make_global(module->text, name->text);
  auto computed = [](const PickleNode* node) {
    return node->is(PickleKind::Call) || node->is(PickleKind::Global) || node->is(PickleKind::PersistentId);
  };
  if (!computed(module) && !computed(name)) fail("STACK_GLOBAL requires str");
  return make_global("<computed>", module->is(PickleKind::String) ? module->text + "." + describe(name) : describe(name),
                     false);
}

void Reader::register_extension(const PickleNode* callable, const PickleNode* args) {
  if (!callable->is(PickleKind::Global) || callable->qualified_name() != "copyreg.add_extension") return;
  if (!args->is(PickleKind::Tuple) || args->items.size() != 3) return;
  const std::string* module = args->items[0]->as_string();
  const std::string* name = args->items[1]->as_string();
  std::optional<int64_t> code = args->items[2]->as_int();
  if (module != nullptr && name != nullptr && code) extensions_[*code] = {*module, *name};
}

// CPython registers no extension codes by default (copyreg._extension_registry
// is empty): a code is what this stream registered, or unknown.
const PickleNode* Reader::extension_global(uint32_t code) {
  auto found = extensions_.find(code);
  if (found != extensions_.end()) return make_global(found->second.first, found->second.second);
  return make_global("copyreg", fmt::format("<extension {}>", code), false);
}

PickleProgram Reader::run_tolerant(std::optional<std::string>& error) {
  try {
    while (step()) {
    }
  } catch (const FormatError& failure) {
    error = failure.what();
  }
  program_.end_offset = in_.position();
  return std::move(program_);
}

PickleProgram Reader::run() {
  while (step()) {
  }
  program_.end_offset = in_.position();
  return std::move(program_);
}

bool Reader::step() {
  op_offset_ = in_.file_offset();
  if (in_.at_end()) fail("the pickle ends without a STOP opcode (truncated)", Damage::Truncated);
  op_ = in_.u8();
  switch (op_) {
    case PROTO: {
      program_.protocol = in_.u8();
      if (program_.protocol > 5) fail(fmt::format("unsupported pickle protocol {}", program_.protocol));
      break;
    }
    case FRAME: in_.u64le(); break;  // frames only group opcodes; nothing to do
    case STOP: {
      if (stack_.empty()) fail("STOP with an empty stack");
      program_.root = stack_.back();
      return false;
    }
    case MARK: marks_.push_back(stack_.size()); break;
    case POP: {
      if (!marks_.empty() && stack_.size() == floor()) {
        marks_.pop_back();  // POP of a MARK, as CPython allows
      } else {
        pop();
      }
      break;
    }
    case POP_MARK: pop_to_mark(); break;
    case DUP: push(top()); break;

    case NONE: push(make(PickleKind::None)); break;
    case NEWTRUE:
    case NEWFALSE: {
      PickleNode* node = make(PickleKind::Bool);
      node->bool_value = op_ == NEWTRUE;
      push(node);
      break;
    }
    case INT: push(make_decimal(in_.line("INT"))); break;
    case LONG: push(make_decimal(in_.line("LONG"))); break;
    case BININT: push(make_int(in_.i32le())); break;
    case BININT1: push(make_int(in_.u8())); break;
    case BININT2: push(make_int(in_.u16le())); break;
    case LONG1: push(make_long(in_.take(in_.u8(), "LONG1 digits"))); break;
    case LONG4: {
      int32_t length = in_.i32le();
      if (length < 0) fail("LONG4 with a negative length");
      push(make_long(in_.take(static_cast<uint64_t>(length), "LONG4 digits")));
      break;
    }
    case FLOAT: {
      Bytes text = in_.line("FLOAT");
      PickleNode* node = make(PickleKind::Float);
      // strtod, not from_chars: libc++ before 17 (Apple's included) has no floating-point from_chars.
      // mtool never calls setlocale, so the decimal point is '.' as Python writes it.
      node->float_value = std::strtod(std::string(text.begin(), text.end()).c_str(), nullptr);
      push(node);
      break;
    }
    case BINFLOAT: {
      PickleNode* node = make(PickleKind::Float);
      node->float_value = in_.f64be();
      push(node);
      break;
    }

    case STRING: {
      Bytes quoted = in_.line("STRING");
      if (quoted.size() < 2 || (quoted.front() != '\'' && quoted.front() != '"') || quoted.back() != quoted.front()) {
        fail("the STRING opcode argument must be quoted");
      }
      std::optional<std::string> text = decode_string_escapes(quoted.substr(1, quoted.size() - 2));
      if (!text) fail("STRING with a malformed \\x escape");
      push(make_text(PickleKind::String, *text));
      break;
    }
    case UNICODE: {
      std::optional<std::string> text = decode_raw_unicode_escape(in_.line("UNICODE"));
      if (!text) fail("UNICODE with a malformed \\u escape");
      push(make_text(PickleKind::String, *text));
      break;
    }
    case BINSTRING: {
      int32_t length = in_.i32le();
      if (length < 0) fail("BINSTRING with a negative length");
      push(make_text(PickleKind::String, in_.take(static_cast<uint64_t>(length), "BINSTRING")));
      break;
    }
    case SHORT_BINSTRING: push(make_text(PickleKind::String, in_.take(in_.u8(), "SHORT_BINSTRING"))); break;
    case BINUNICODE: push(make_text(PickleKind::String, in_.take(in_.u32le(), "BINUNICODE string"))); break;
    case SHORT_BINUNICODE: push(make_text(PickleKind::String, in_.take(in_.u8(), "SHORT_BINUNICODE string"))); break;
    case BINUNICODE8: push(make_text(PickleKind::String, in_.take(in_.u64le(), "BINUNICODE8 string"))); break;
    case BINBYTES: push(make_text(PickleKind::ByteString, in_.take(in_.u32le(), "BINBYTES data"))); break;
    case SHORT_BINBYTES: push(make_text(PickleKind::ByteString, in_.take(in_.u8(), "SHORT_BINBYTES data"))); break;
    case BINBYTES8: push(make_text(PickleKind::ByteString, in_.take(in_.u64le(), "BINBYTES8 data"))); break;
    case BYTEARRAY8: push(make_text(PickleKind::ByteString, in_.take(in_.u64le(), "BYTEARRAY8 data"))); break;
    case NEXT_BUFFER: push(make(PickleKind::Buffer)); break;
    case READONLY_BUFFER: top(); break;

    case EMPTY_TUPLE: push(container(PickleKind::Tuple, {})); break;
    case TUPLE1: {
      auto a = pop();
      push(container(PickleKind::Tuple, {a}));
      break;
    }
    case TUPLE2: {
      auto b = pop();
      auto a = pop();
      push(container(PickleKind::Tuple, {a, b}));
      break;
    }
    case TUPLE3: {
      auto c = pop();
      auto b = pop();
      auto a = pop();
      push(container(PickleKind::Tuple, {a, b, c}));
      break;
    }
    case TUPLE: push(container(PickleKind::Tuple, pop_to_mark())); break;
    case EMPTY_LIST: push(container(PickleKind::List, {})); break;
    case LIST: push(container(PickleKind::List, pop_to_mark())); break;
    case EMPTY_DICT: push(container(PickleKind::Dict, {})); break;
    case DICT: {
      auto items = pop_to_mark();
      if (items.size() % 2 != 0) fail("DICT with an odd number of values");
      push(container(PickleKind::Dict, std::move(items)));
      break;
    }
    case EMPTY_SET: push(container(PickleKind::Set, {})); break;
    case FROZENSET: push(container(PickleKind::FrozenSet, pop_to_mark())); break;
    case APPEND: {
      auto value = pop();
      append_items(top(), {value});
      break;
    }
    case APPENDS:
    case ADDITEMS: {  // a set's ADDITEMS reads like a list's APPENDS
      auto items = pop_to_mark();
      append_items(top(), items);
      break;
    }
    case SETITEM: {
      auto value = pop();
      auto key = pop();
      set_items(top(), {key, value});
      break;
    }
    case SETITEMS: {
      auto items = pop_to_mark();
      set_items(top(), items);
      break;
    }

    case PUT: memo_put(decimal_key(in_.line("PUT"))); break;
    case BINPUT: memo_put(in_.u8()); break;
    case LONG_BINPUT: memo_put(in_.u32le()); break;
    case MEMOIZE: memo_put(memo_.size()); break;
    case GET: push(memo_get(decimal_key(in_.line("GET")))); break;
    case BINGET: push(memo_get(in_.u8())); break;
    case LONG_BINGET: push(memo_get(in_.u32le())); break;

    case GLOBAL: {
      std::string module(in_.line("GLOBAL module"));
      std::string name(in_.line("GLOBAL name"));
      push(make_global(std::move(module), std::move(name)));
      break;
    }
    case STACK_GLOBAL: {
      auto name = pop();
      auto module = pop();
      push(stack_global(module, name));
      break;
    }
    case EXT1:
    case EXT2:
    case EXT4: {
      uint32_t code = op_ == EXT1 ? in_.u8() : op_ == EXT2 ? in_.u16le() : in_.u32le();
      push(extension_global(code));
      break;
    }
    case REDUCE:     // callable(*args)
    case NEWOBJ: {   // cls.__new__(cls, *args): for a reader, the same shape
      auto args = pop();
      auto callable = pop();
      push(make_call(callable, args));
      break;
    }
    case NEWOBJ_EX: {
      auto kwargs = pop();
      auto args = pop();
      auto cls = pop();
      auto call = make_call(cls, args);
      mutable_node(call)->state = kwargs;
      push(call);
      break;
    }
    case INST: {
      std::string module(in_.line("INST module"));
      std::string name(in_.line("INST name"));
      auto args = container(PickleKind::Tuple, pop_to_mark());
      push(make_call(make_global(std::move(module), std::move(name)), args));
      break;
    }
    case OBJ: {
      auto items = pop_to_mark();
      if (items.empty()) fail("OBJ without a class");
      auto cls = items.front();
      items.erase(items.begin());
      push(make_call(cls, container(PickleKind::Tuple, std::move(items))));
      break;
    }
    case BUILD: {
      auto state = pop();
      build(top(), state);
      if (limits_.inline_data_after_build) {
        in_.skip(limits_.inline_data_after_build(*top(), bytes_.substr(in_.position())));
      }
      break;
    }
    case PERSID: {
      PickleNode* node = make(PickleKind::PersistentId);
      node->args = make_text(PickleKind::String, in_.line("PERSID"));
      push(node);
      break;
    }
    case BINPERSID: {
      auto id = pop();
      PickleNode* node = make(PickleKind::PersistentId);
      node->args = id;
      grow_depth(node, id);
      push(node);
      break;
    }
    default: fail(fmt::format("unknown pickle opcode 0x{:02x}", op_));
  }
  return true;
}

}  // namespace

PickleProgram read_pickle(Bytes bytes, uint64_t base_offset, PickleLimits limits) {
  return Reader(bytes, base_offset, limits).run();
}

PickleProgram read_pickle_tolerant(Bytes bytes, uint64_t base_offset, std::optional<std::string>& error,
                                   PickleLimits limits) {
  return Reader(bytes, base_offset, limits).run_tolerant(error);
}

bool looks_like_pickle(Bytes bytes) {
  if (bytes.empty()) return false;
  auto first = static_cast<uint8_t>(bytes[0]);
  if (first == PROTO) return bytes.size() >= 2 && static_cast<uint8_t>(bytes[1]) <= 5;
  // The unpickler needs no header: any opcode can open a pickle.
  return is_pickle_opcode(first);
}

bool is_pickle_opcode(uint8_t byte) {
  if (byte >= PROTO && byte <= READONLY_BUFFER) return true;
  constexpr std::string_view kTextOpcodes = "(.012FIJKLMNPQRSTUVXabcd}eghijl]opqrstu)GBC";
  return byte != 0 && kTextOpcodes.find(static_cast<char>(byte)) != std::string_view::npos;
}

}  // namespace mtool
