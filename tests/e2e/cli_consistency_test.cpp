// The CLI as a careful user meets it: misspelt commands, help for nested
// commands, plain refusals, errors that point to the right help, and --json
// that always answers.
#include <doctest/doctest.h>
#include <algorithm>
#include <cstdlib>

#include "run_mtool.h"

using namespace mtool::test;

TEST_SUITE("cli") {
  TEST_CASE("a shortened or misspelt command suggests the one meant") {
    RunResult shortened = run_mtool({"insp", "x.pt"});
    CHECK(shortened.exit_code == 2);
    CHECK(shortened.one_error_line());
    CHECK(shortened.err.find("did you mean 'mtool inspect'?") != std::string::npos);
    RunResult misspelt = run_mtool({"scna", "x.pt"});
    CHECK(misspelt.err.find("did you mean 'mtool scan'?") != std::string::npos);
    RunResult unknown = run_mtool({"frobnicate"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("'frobnicate' is not an mtool command (see 'mtool --help')") != std::string::npos);
  }

  TEST_CASE("mtool help reaches nested commands") {
    RunResult result = run_mtool({"help", "recipe", "set"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("--labels") != std::string::npos);
    RunResult wrong = run_mtool({"help", "recipe", "nope"});
    CHECK(wrong.exit_code == 2);
    CHECK(wrong.err.find("'mtool recipe' has no command 'nope'") != std::string::npos);
  }

  TEST_CASE("a usage error points to that command's help, and --tolerance -1 is refused plainly") {
    RunResult result = run_mtool({"backport", fixture("lite_v8.ptl"), "--to", "7", "--tolerance", "-1"});
    CHECK(result.exit_code == 2);
    CHECK(result.one_error_line());
    CHECK(result.err.find("--tolerance: must be 0 or more, not -1 (see 'mtool backport --help')") != std::string::npos);
    RunResult nested = run_mtool({"recipe", "set"});
    CHECK(nested.err.find("(see 'mtool recipe set --help')") != std::string::npos);
  }
}

TEST_SUITE("cli") {
  // One rule for every command: 1 when a file cannot do what was asked, 2 for usage or a file that cannot be
  // read; and each command's --help lists the codes it gives (only scan has 3).
  TEST_CASE("exit codes follow one rule, and each command's --help lists the ones it gives") {
    std::string dir = scratch_dir("exit_codes");
    write_file(dir + "/existing.ptl", "x");
    struct Case {
      std::vector<std::string> args;
      int code;
    };
    const std::string photo = fixture("score/photos/photo.png");
    for (const Case& c : std::vector<Case>{
             {{"inspect", fixture("random.bin")}, 1},
             {{"inspect", fixture("nope.pt")}, 2},
             {{"bench", "--runs", "1", "--loads", "1", fixture("state_dict.pt")}, 1},
             {{"bench", "--runs", "1", fixture("nope.pt")}, 2},
             {{"backport", fixture("lite_flatbuffer.ptl"), "--to", "5", "-o", dir + "/a.ptl"}, 1},
             {{"backport", fixture("lite_v8.ptl"), "--to", "8", "-o", dir + "/a.ptl"}, 1},
             {{"backport", fixture("lite_v5.ptl"), "--to", "6", "-o", dir + "/a.ptl"}, 1},
             {{"backport", fixture("lite_v8.ptl"), "--to", "3", "-o", dir + "/a.ptl"}, 2},
             {{"backport", fixture("lite_v8.ptl"), "--to", "7", "-o", dir + "/existing.ptl"}, 2},
             {{"convert", fixture("state_dict.pt"), "-o", dir + "/c.ptl"}, 1},
             {{"convert", fixture("nope.pt"), "-o", dir + "/c.ptl"}, 2},
             {{"score", "-m", fixture("score/two_inputs.pt"), photo}, 1},
             {{"score", "-m", fixture("score/wrong_shape.pt"), photo}, 1},
             {{"score", "-m", fixture("state_dict.pt"), photo}, 1},
             {{"score", "-m", fixture("nope.pt"), photo}, 2},
             {{"recipe", "set", fixture("random.bin"), "--resize", "10", "-o", dir + "/r.bin"}, 1},
             {{"recipe", "set", fixture("nope.pt"), "--resize", "10"}, 2},
             {{"recipe", "set", fixture("scripted_truncated.pt"), "--resize", "10", "-o", dir + "/t.pt"}, 1},
             {{"recipe", "set", fixture("scripted_bad_crc.pt"), "--resize", "10", "-o", dir + "/b.pt"}, 1},
             // Not a model, or a damaged one: no recipe to show (was the default recipe and 0).
             {{"recipe", "show", fixture("random.bin")}, 1},
             {{"recipe", "show", fixture("empty.pt")}, 1},
             {{"recipe", "show", fixture("state_dict.pt")}, 1},
             {{"recipe", "show", fixture("scripted_truncated.pt")}, 1},
             {{"recipe", "show", fixture("scripted_bad_crc.pt")}, 1},
             {{"recipe", "show", fixture("lite_truncated.ptl")}, 1},
             {{"recipe", "show", fixture("nope.pt")}, 2},
         }) {
      std::string command = c.args[0] == "recipe" ? "recipe " + c.args[1] : c.args[0];
      CAPTURE(command);
      CAPTURE(c.args.back());
      RunResult result = run_mtool(c.args);
      CHECK(result.exit_code == c.code);
      CHECK(result.err.starts_with("mtool: error: "));  // convert's torch.save fix adds the Python lines to run
      if (c.args[0] == "recipe") {
        CHECK(result.one_error_line());
        CHECK(result.out.empty());
        CHECK(result.err.find(c.args[2]) != std::string::npos);  // the file it is about
      }
      std::vector<std::string> help = {c.args[0]};
      if (c.args[0] == "recipe") help.push_back(c.args[1]);
      help.push_back("--help");
      RunResult shown = run_mtool(help);
      CHECK(shown.out.find("Exit codes:\n") != std::string::npos);
      CHECK(shown.out.find("\n  " + std::to_string(c.code) + "   ") != std::string::npos);
      CHECK(shown.out.find("scan only") == std::string::npos);  // no code of another command
    }
    // `recipe --help`, without its subcommand, lists recipe's codes too, not the program's.
    RunResult recipe_help = run_mtool({"recipe", "--help"});
    CHECK(recipe_help.out.find("Exit codes:\n  0   the recipe was shown or written\n") != std::string::npos);
    CHECK(recipe_help.out.find("scan only") == std::string::npos);
  }
}

TEST_SUITE("backport") {
  TEST_CASE("a LibTorch error keeps the model's path and points to the fix") {
    std::string dir = scratch_dir("libtorch_error_prefix");
    // Without torchvision's library (mtool loads Debian's python3-torchvision's when it is installed).
    setenv("MTOOL_TORCHVISION_OPS", "", 1);
    RunResult result = run_mtool({"convert", fixture("torchvision_nms.pt"), "-o", dir + "/out.ptl"});
    unsetenv("MTOOL_TORCHVISION_OPS");
    CHECK(result.exit_code == 1);
    // A note that the library is absent, then the one error line.
    CHECK(result.err.rfind("mtool: note: ", 0) == 0);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 2);
    CHECK(result.err.find("torchvision_nms.pt: Unknown builtin op: torchvision::nms") != std::string::npos);
    CHECK(result.err.find("`mtool inspect ") != std::string::npos);
  }

  TEST_CASE("backport --json answers with a document even when there is nothing to do") {
    RunResult result = run_mtool({"backport", "--json", fixture("lite_v8.ptl"), "--runtime", "1.13"});
    CHECK(result.exit_code == 0);
    nlohmann::json answer = result.json();  // was empty stdout
    CHECK(answer["nothing_to_do"] == true);
    CHECK(answer["output"].is_null());
  }
}

TEST_SUITE("score") {
  TEST_CASE("--threads above the core count is warned about") {
    RunResult result = run_mtool({"score", "--threads", "64", fixture("score/quality/pristine.jpg")});
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("mtool: warning: --threads 64 is more than the") != std::string::npos);
  }

  TEST_CASE("--labels with the wrong number of names is refused, not replaced by ImageNet's") {
    std::string dir = scratch_dir("labels_count");
    write_file(dir + "/three.txt", "a\nb\nc\n");
    RunResult result = run_mtool({"score", "-m", fixture("score/logits7.pt"), "--labels", dir + "/three.txt",
                                  fixture("score/quality/pristine.jpg")});
    CHECK(result.exit_code == 2);
    CHECK(result.one_error_line());
    CHECK(result.err.find("three.txt: 3 names for a 7-class output; give one name per class") != std::string::npos);
  }
}
