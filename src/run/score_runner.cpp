#include "run/score_runner.h"

#include <atomic>
#include <condition_variable>
#include <fmt/format.h>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <torch/version.h>
#include <torch/torch.h>

#include "explain/input_rejection.h"
#include "run/image_input.h"
#include "run/measure.h"
#include "run/model_runner.h"
#include "run/output_interpretation.h"

namespace mtool {

namespace {

using Json = nlohmann::json;

// The dtype as score's --dtype spells it.
std::string dtype_name(const torch::Tensor& tensor) {
  if (tensor.scalar_type() == torch::kByte) return "uint8";
  if (tensor.scalar_type() == torch::kFloat) return "float32";
  return c10::toString(tensor.scalar_type());
}

struct Prepared {
  std::optional<PreparedImage> image;
  std::string error;
};

// Photos prepared on worker threads, handed out in order. Workers run at most
// `window` photos ahead of the consumer, so memory stays flat however many
// photos a run has.
class PreparePipeline {
 public:
  PreparePipeline(const std::vector<std::string>& paths, const Recipe& recipe, int workers, size_t window)
      : paths_(paths), recipe_(recipe), window_(window), slots_(paths.size()), ready_(paths.size(), false) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  }

  ~PreparePipeline() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    consumed_cv_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  Prepared take(size_t index) {
    std::unique_lock lock(mutex_);
    produced_cv_.wait(lock, [&] { return ready_[index]; });
    Prepared out = std::move(slots_[index]);
    slots_[index] = Prepared{};
    consumed_ = index + 1;
    lock.unlock();
    consumed_cv_.notify_all();
    return out;
  }

 private:
  void work() {
    for (;;) {
      size_t index = next_.fetch_add(1);
      if (index >= paths_.size()) return;
      {
        std::unique_lock lock(mutex_);
        consumed_cv_.wait(lock, [&] { return stopping_ || index < consumed_ + window_; });
        if (stopping_) return;
      }
      Prepared prepared;
      try {
        prepared.image = prepare_image(paths_[index], recipe_);
      } catch (const std::exception& error) {
        prepared.error = error.what();
      }
      {
        std::lock_guard lock(mutex_);
        slots_[index] = std::move(prepared);
        ready_[index] = true;
      }
      produced_cv_.notify_all();
    }
  }

  const std::vector<std::string>& paths_;
  const Recipe& recipe_;
  size_t window_;
  std::vector<Prepared> slots_;
  std::vector<bool> ready_;
  std::atomic<size_t> next_{0};
  size_t consumed_ = 0;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable produced_cv_;
  std::condition_variable consumed_cv_;
  std::vector<std::thread> threads_;
};

struct Pending {
  size_t index;
  Prepared prepared;
};

class Scorer {
 public:
  Scorer(const Json& request, const ScoreEmitter& emit) : request_(request), emit_(emit) {
    hints_.labels = request.value("labels", std::vector<std::string>{});
    hints_.labels_source = request.value("labels_source", "");
    hints_.top_k = request.value("top_k", 5);
    if (request.contains("output") && request["output"].is_object()) {
      hints_.kind = request["output"].value("kind", "");
      hints_.defects = request["output"].value("defects", std::vector<std::string>{});
    }
    batch_ = std::max(1, request.value("batch", 1));
    save_inputs_ = request.value("save_inputs", "");
    // A run streamed in chunks numbers saved inputs across all of them.
    save_inputs_first_ = request.value("save_inputs_first", static_cast<size_t>(0));
    // A later chunk of a streamed run: the model already ran, so a failing photo is that photo's error.
    any_inference_ = request.value("model_ran", false);
  }

  void run(Model& model, const std::vector<std::string>& paths, const Recipe& recipe, int workers) {
    model_ = &model;
    PreparePipeline pipeline(paths, recipe, workers, static_cast<size_t>(2 * batch_ + workers));
    for (size_t i = 0; i < paths.size(); ++i) {
      Prepared prepared = pipeline.take(i);
      if (prepared.image && !pending_.empty() && pending_.back().prepared.image &&
          !prepared.image->tensor.sizes().equals(pending_.back().prepared.image->tensor.sizes())) {
        flush();  // a batch holds one shape
      }
      pending_.push_back({i, std::move(prepared)});
      if (ok_count() >= static_cast<size_t>(batch_)) flush();
    }
    flush();
  }

 private:
  size_t ok_count() const {
    size_t count = 0;
    for (const Pending& item : pending_) count += item.prepared.image ? 1 : 0;
    return count;
  }

  void flush() {
    std::vector<torch::Tensor> inputs;
    for (const Pending& item : pending_) {
      if (item.prepared.image) inputs.push_back(item.prepared.image->tensor);
    }
    c10::IValue output;
    std::string error;
    double inference_ms = 0;
    if (!inputs.empty()) {
      torch::Tensor batch = inputs.size() == 1 ? inputs[0] : torch::cat(inputs, 0);
      Clock::time_point start = Clock::now();
      try {
        output = model_->forward({batch});
      } catch (const c10::Error& e) {
        error = first_line(e.what_without_backtrace());
      } catch (const std::exception& e) {
        error = first_line(e.what());
      }
      inference_ms = ms_since(start) / static_cast<double>(inputs.size());
      if (!error.empty() && !any_inference_) {
        if (inputs.size() > 1 && runs_alone(inputs[0])) {
          score_one_at_a_time(error, inputs.size());
          return;
        }
        throw std::runtime_error(
            describe_rejection(error, batch.sizes().vec(), dtype_name(batch), InputOrigin::Photos));
      }
      any_inference_ = any_inference_ || error.empty();
    }
    int64_t position = 0;
    for (Pending& item : pending_) emit_image(item, output, error, inference_ms, position, static_cast<int64_t>(inputs.size()));
    pending_.clear();
  }

  bool runs_alone(const torch::Tensor& input) {
    try {
      model_->forward({input});
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  // Some models take one photo per call only (a quantized linear layer whose engine has no batched
  // kernel, a reshape to [1, -1]): said once, then every photo is scored alone, in this run's later
  // chunks too (the note carries the batch size the caller must use from now on).
  void score_one_at_a_time(const std::string& error, size_t tried) {
    emit_({{"event", "note"},
           {"batch", 1},
           {"text", fmt::format("the model failed on a batch of {} ({}) but runs one photo at a time: scoring with "
                                "--batch 1", tried, error)}});
    batch_ = 1;
    std::vector<Pending> waiting = std::move(pending_);
    pending_.clear();
    for (Pending& item : waiting) {
      pending_.push_back(std::move(item));
      if (pending_.back().prepared.image) flush();
    }
    flush();
  }

  void emit_image(Pending& item, const c10::IValue& output, const std::string& error, double inference_ms,
                  int64_t& position, int64_t batch) {
    const std::string& path = request_["images"][item.index].get_ref<const std::string&>();
    Json event = {{"event", "image"}, {"index", item.index}, {"path", path}, {"error", nullptr}};
    if (!item.prepared.image) {
      event["error"] = item.prepared.error;
      emit_(event);
      return;
    }
    const PreparedImage& image = *item.prepared.image;
    event["width"] = image.width;
    event["height"] = image.height;
    event["input_shape"] = image.tensor.sizes().vec();
    event["timings_ms"] = {{"decode", image.decode_ms}, {"preprocess", image.preprocess_ms}, {"inference", inference_ms}};
    if (!save_inputs_.empty()) event["saved_input"] = save_input(image.tensor, item.index);
    if (!error.empty()) {
      event["error"] = "inference failed: " + error;
    } else {
      event["output"] = interpret_output(output, position, batch, hints_);
    }
    ++position;
    emit_(event);
  }

  // The exact tensor the model saw, as torch.save writes it (torch.load reads it).
  std::string save_input(const torch::Tensor& tensor, size_t index) const {
    std::string path = fmt::format("{}/{:06d}.pt", save_inputs_, save_inputs_first_ + index);
    std::vector<char> bytes = torch::pickle_save(tensor);
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
    return path;
  }

  const Json& request_;
  const ScoreEmitter& emit_;
  std::string save_inputs_;
  size_t save_inputs_first_ = 0;
  OutputHints hints_;
  int batch_ = 1;
  Model* model_ = nullptr;
  std::vector<Pending> pending_;
  bool any_inference_ = false;
};

}  // namespace

void run_score(const Json& request, const ScoreEmitter& emit) {
  int threads = request.value("threads", 0);
  if (threads > 0) torch::set_num_threads(threads);
  int workers = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Each worker decodes one photo on its own thread; libvips' own threads would only contend with them.
  set_image_decoder_threads(1);
  Recipe recipe;
  apply_recipe_json(recipe, request["recipe"], "recipe");
  std::string qengine = use_quantized_engine(request);
  Clock::time_point load_start = Clock::now();
  Model model(request["model"].get<std::string>(), request["loader"].get<std::string>());
  emit({{"event", "loaded"}, {"load_ms", ms_since(load_start)}, {"threads", torch::get_num_threads()},
        {"decode_workers", workers}, {"libtorch", TORCH_VERSION}, {"qengine", qengine}});
  std::vector<std::string> paths = request["images"].get<std::vector<std::string>>();
  Clock::time_point start = Clock::now();
  Scorer(request, emit).run(model, paths, recipe, workers);
  double total_ms = ms_since(start);
  emit({{"event", "done"}, {"images", paths.size()}, {"total_ms", total_ms},
        {"images_per_s", total_ms > 0 ? static_cast<double>(paths.size()) * 1000.0 / total_ms : 0.0},
        {"peak_rss_bytes", peak_rss_bytes()}});
}

}  // namespace mtool
