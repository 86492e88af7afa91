#pragma once
// `mtool score`'s work in the runtime library: load the model once, decode
// and prepare photos on worker threads while the model runs, and report one
// JSON object per photo, in order, as soon as it is ready.
#include <functional>
#include <nlohmann/json.hpp>

namespace mtool {

using ScoreEmitter = std::function<void(const nlohmann::json& event)>;

// Request: {"model", "loader", "recipe", "images": [paths], "labels", "labels_source", "top_k", "batch", "threads",
// "output": {"kind", "defects"}, "save_inputs", "save_inputs_first" (the number of the first saved input), "model_ran" (a later chunk of one run: an
// inference failure is the photo's, not the model's)}. Emits {"event": "loaded", ...}, one {"event": "image", ...} per path, then
// {"event": "done", ...}. Throws (one sentence) when the model cannot be loaded or rejects the first input.
void run_score(const nlohmann::json& request, const ScoreEmitter& emit);

}  // namespace mtool
