#pragma once
// One exception type for every problem that is the input's or the user's fault.
// It carries a sentence for people and a stable code for --json; the CLI catches
// it once and prints `mtool: error: <path>: <message>`.
#include <stdexcept>
#include <string>

namespace mtool {

enum class ErrorKind {
  Usage,    // bad flags or arguments
  Io,       // the file could not be opened or read
  Format,   // the bytes are not what they claim to be
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message)
      : std::runtime_error(std::move(message)), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// What a malformed input says about the file: its bytes end before what they
// declare (a cut download or copy), or they are wrong. Set where the error is
// thrown, so the diagnosis code never depends on the message's wording.
enum class Damage {
  Damaged,
  Truncated,
};

// The input is malformed: a parser found bytes it cannot accept.
class FormatError : public Error {
 public:
  explicit FormatError(std::string message, Damage damage = Damage::Damaged)
      : Error(ErrorKind::Format, std::move(message)), damage_(damage) {}
  Damage damage() const { return damage_; }

 private:
  Damage damage_;
};

}  // namespace mtool
