// The explain matcher on text in memory: log prefixes, escapes and wrapping,
// the catalog's patterns, the readers of numbers, and bounded time on
// adversarial input.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <string>

#include "explain/explainer.h"
#include "explain/log_lines.h"
#include "explain/plausible_shapes.h"
#include "inspect/shared_diagnoses.h"
#include "io/quoting.h"

using namespace mtool;

namespace {

std::vector<std::string> codes(const ExplainReport& report) {
  std::vector<std::string> out;
  for (const Finding& f : report.findings) out.push_back(f.code + (f.confidence == Confidence::Matches ? "" : "?"));
  return out;
}

}  // namespace

TEST_CASE("log prefixes are cut off: Xcode, logcat (brief and threadtime), JNI wrappers") {
  CHECK(strip_log_prefix("2023-04-26 12:42:54.214353+0800 PyTorchDemo[5324:2043952] PytorchStreamReader failed") ==
        "PytorchStreamReader failed");
  CHECK(strip_log_prefix("E/PyTorchDemo(1234): Lite Interpreter") == "Lite Interpreter");
  CHECK(strip_log_prefix("11-24 09:35:11.099: I/ETLOG(3388): Missing operator: [4] x") == "Missing operator: [4] x");
  CHECK(strip_log_prefix("07-24 19:16:23.331 20563 20563 E PyTorch: boom") == "boom");
  CHECK(strip_log_prefix("E/AndroidRuntime: FATAL EXCEPTION: main") == "FATAL EXCEPTION: main");
  CHECK(strip_log_prefix("2019-10-30 16:54:00.469 13290-13342/org.pytorch.demo E/PyTorchDemo: Error during") ==
        "Error during");
  CHECK(strip_log_prefix("java.lang.RuntimeException: Unable to start activity ComponentInfo{a/b}: "
                         "com.facebook.jni.CppException: PytorchStreamReader failed") == "PytorchStreamReader failed");
  // Not prefixes: a line that only starts with digits, a tag-like word with spaces.
  CHECK(strip_log_prefix("2048 elements") == "2048 elements");
  CHECK(strip_log_prefix("Error: The model does not") == "Error: The model does not");
}

TEST_CASE("escaped line breaks, CRLF and JSON quotes become lines") {
  std::vector<LogLine> lines = split_log("{\"message\":\"first\\nsecond \\\"quoted\\\"\\r\\nthird\"}\r\nfourth\r\n");
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].text == "{\"message\":\"first");
  CHECK(lines[1].text == "second \"quoted\"");
  CHECK(lines[2].text == "third\"}");
  CHECK(lines[3].text == "fourth");
  CHECK(lines[3].number == 4);
  // A backtrace frame is noise: kept for matching, never quoted alone.
  CHECK(split_log("frame #0: c10::Error::Error + 92")[0].noise);
}

TEST_CASE("squeezed text ignores case and whitespace, so wrapped messages still match") {
  CHECK(squeeze("Lite Interpreter\tVERSION  number") == "liteinterpreterversionnumber");
  ExplainReport wrapped = explain_text("RuntimeError: PytorchStreamReader failed locating file\n   constants.pkl: file not found");
  CHECK(codes(wrapped) == std::vector<std::string>{shared::kTorchSaveNotTorchScript.code});
  ExplainReport mid_word = explain_text("what(): isTuple() INTERNAL ASSERT FAILED at ivalue_inl.h:723, Expected Tuple but got Ten\nsor");
  CHECK(codes(mid_word) == std::vector<std::string>{"output-type-mismatch"});
  ExplainReport at_space = explain_text("what(): isTuple() INTERNAL ASSERT FAILED at ivalue_inl.h:723, Expected Tuple but got\nTensor");
  REQUIRE(at_space.findings.size() == 1);
  CHECK(at_space.findings[0].value("got") == "Tensor");
}

TEST_CASE("record names inside any archive folder, and Espresso alone") {
  CHECK(codes(explain_text("[enforce fail at inline_container.cc:222] . file not found: yolov5s/constants.pkl")) ==
        std::vector<std::string>{shared::kTorchSaveNotTorchScript.code});
  CHECK(codes(explain_text("file not found: model/bytecode.pkl")) == std::vector<std::string>{shared::kTorchScriptNotLite.code});
  // Espresso's exception line names many failures (a missing custom layer, a flexible-shape resize): a guess.
  ExplainReport espresso = explain_text("[espresso] [Espresso::handle_ex_plan] exception=Espresso exception: \"Invalid blob shape\"");
  CHECK(codes(espresso) == std::vector<std::string>{"coreml-nn-runtime-error?"});
  CHECK_FALSE(espresso.recognised());
}

TEST_CASE("the codes inspect and explain share are the same strings") {
  ExplainReport report = explain_text("com.facebook.jni.CppException: PytorchStreamReader failed locating file bytecode.pkl");
  REQUIRE(report.findings.size() == 1);
  CHECK(report.findings[0].code == shared::kTorchScriptNotLite.code);
  CHECK(find_failure(shared::kTruncated.code)->fix == shared::kTruncated.fix);
  CHECK(find_failure(shared::kTorchSaveNotTorchScript.code)->fix ==
        fmt::format(shared::kTorchSaveNotTorchScript.fix, "torch.load(path, weights_only=True)"));
  // Every catalog entry is reachable by its code, and codes are unique.
  for (const FailureEntry& entry : failure_catalog()) CHECK(find_failure(entry.code) == &entry);
}

TEST_CASE("versions decide between too new and too old") {
  ExplainReport too_new = explain_text("The model version must be between 3 and 7 but the model version is 9 ()");
  REQUIRE(too_new.findings.size() == 1);
  CHECK(too_new.findings[0].code == shared::kBytecodeTooNew.code);
  CHECK(too_new.findings[0].fix.find("--to 7") != std::string::npos);
  ExplainReport unreachable = explain_text("The model version must be between 3 and 3 but the model version is 6 ()");
  CHECK(unreachable.findings[0].fix.find("No backport reaches bytecode 3") != std::string::npos);
  ExplainReport too_old = explain_text("The model version must be between 4 and 8 but the model version is 3 ()");
  CHECK(too_old.findings[0].code == shared::kBytecodeTooOld.code);
}

TEST_CASE("element counts: plausible shapes from common sizes, prime factors otherwise") {
  std::vector<PlausibleShape> shapes = plausible_shapes(100352);
  REQUIRE(shapes.size() >= 2);
  CHECK(shapes[0].text() == "[1, 2, 224, 224]");
  CHECK(shapes[1].text() == "[1, 2048, 7, 7]");
  CHECK(plausible_shapes(150528)[0].text() == "[1, 3, 224, 224]");
  CHECK(plausible_shapes(1000)[0].meaning == "ImageNet-1k class scores");
  CHECK(plausible_shapes(2142000)[0].text() == "[1, 25200, 85]");  // YOLOv5s at 640
  std::vector<PlausibleShape> yolo = plausible_shapes(705600);      // YOLOv8 at 640 (or YOLOv5 with 23 classes)
  CHECK(std::any_of(yolo.begin(), yolo.end(), [](const PlausibleShape& s) { return s.text() == "[1, 84, 8400]"; }));
  CHECK(plausible_shapes(7919).empty());
  CHECK(prime_factors(100352) == "2^11 x 7^2");
  CHECK(prime_factors(7919) == "7919");
  CHECK(prime_factors(1) == "1");
  ExplainReport prime = explain_text("a Tensor with 7919 elements cannot be converted to Scalar");
  CHECK(prime.findings[0].facts[0].find("7919") != std::string::npos);
}

TEST_CASE("look-alikes are not explained") {
  for (const char* text : {"Saved constants.pkl and bytecode.pkl", "Backend selected: XnnpackBackend",
                           "Receiver com.example.Boot is not registered", "Expected all tensors to be on the same device",
                           "t.is_cuda() INTERNAL ASSERT FAILED at x.h:1, Expected CUDA but got CPU",
                           "a Tensor with elements", "Missing key(s) in state_dict", ""}) {
    CAPTURE(text);
    ExplainReport report = explain_text(text);
    CHECK_FALSE(report.recognised());
  }
}

TEST_CASE("paths are quoted for the shell and for Python") {
  CHECK(shell_quote("models/m.ptl") == "models/m.ptl");
  CHECK(shell_quote("my model's.ptl") == "'my model'\\''s.ptl'");
  CHECK(shell_quote("$(rm -rf ~)") == "'$(rm -rf ~)'");
  // Control characters: $'...' with \xNN, so the printed command is what runs and never drives the terminal.
  CHECK(shell_quote("m\x1b[1m's\n.pt") == "$'m\\x1b[1m\\'s\\x0a.pt'");
  CHECK(shell_quote("") == "''");
  CHECK(python_string("a'b\\c\n") == "'a\\'b\\\\c\\x0a'");
}

TEST_CASE("any text takes bounded time: long lines, many lines, nested escapes") {
  std::string many(3 << 20, 'a');
  for (size_t i = 0; i < many.size(); i += 97) many[i] = '\n';
  std::string escapes;
  for (int i = 0; i < 200000; ++i) escapes += "\\\\n\\\"PytorchStreamReader ";
  std::string piece_soup;
  for (int i = 0; i < 100000; ++i) piece_soup += "Expected -dimensional input for Could not run 'quantized:: ";
  for (const std::string& text : {many, escapes, piece_soup, std::string(kMaxLogBytes * 2, '\\')}) {
    auto start = std::chrono::steady_clock::now();
    ExplainReport report = explain_text(text);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(seconds < 20.0);  // linear time; quadratic would take minutes (ASan and a busy machine allowed for)
    CHECK(report.lines_read <= kMaxLogLines);
  }
}

TEST_CASE("an ExecuTorch program confirms a backend or operator it uses, and refutes one it does not") {
  // A program as inspect reads it: forward delegates to XnnpackBackend and calls aten::add.out.
  ModelReport program;
  program.path = "model.pte";
  program.format = ModelFormat::ExecuTorch;
  program.executorch = ExecuTorchReport{};
  program.executorch->identifier = "ET12";
  EtMethod forward;
  forward.name = "forward";
  forward.delegates.push_back(EtDelegate{"XnnpackBackend", "inline", 1024, 1, 0});
  forward.operators.push_back(EtOperator{"aten::add", "out", 2, {}});
  program.executorch->methods.push_back(forward);
  auto verdict = [&](std::string_view log, std::string_view code) {
    ExplainReport report = explain_text(log);
    check_against_model(report, program);
    for (const Finding& finding : report.findings) {
      if (finding.code == code && finding.model) return std::string(model_verdict_name(finding.model->verdict));
    }
    return std::string();
  };
  CHECK(verdict("Backend XnnpackBackend is not registered.", "executorch-backend-not-linked") == "confirms");
  CHECK(verdict("Backend CoreMLBackend is not registered.", "executorch-backend-not-linked") == "refutes");
  CHECK(verdict("Missing operator: [3] aten::add.out", "executorch-missing-operator") == "confirms");
  CHECK(verdict("Missing operator: [3] aten::mul.out", "executorch-missing-operator") == "refutes");
  CHECK(verdict("Program identifier 'ET09' != expected 'ET12'", "executorch-identifier-mismatch") == "refutes");
  program.executorch->identifier = "ET09";
  CHECK(verdict("Program identifier 'ET09' != expected 'ET12'", "executorch-identifier-mismatch") == "confirms");
}
