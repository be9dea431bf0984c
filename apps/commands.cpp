// lenet train / eval / predict: glue from parsed options to the library.
#include "commands.h"

#include <filesystem>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/parallel.h"
#include "data/image.h"
#include "io/checkpoint.h"
#include "io/model_file.h"
#include "io/numpy_format.h"
#include "kernels/pooling.h"
#include "nn/summary.h"
#include "vision/random_filters.h"
#include "kernels/softmax.h"
#include "train/evaluate.h"

namespace lenet::app {

std::string resolve_data_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("LENET_DATA"); env != nullptr && *env != '\0') return env;
  if (std::filesystem::is_directory("data/mnist")) return "data/mnist";
  const std::string source_tree = std::string(LENET_SOURCE_DIR) + "/data/mnist";
  if (std::filesystem::is_directory(source_tree)) return source_tree;
  fail("no MNIST folder found: pass --data DIR, set LENET_DATA, or run scripts/fetch-mnist.sh");
}

int run_train(const CommonOptions& common, const ModelSpec& model, const TrainConfig& config) {
  config.validate();
  set_threads(common.threads);
  Network network(model);  // checks the architecture before the data is read
  const MnistSplit split = load_mnist(resolve_data_dir(common.data), common.validation_size);
  network.init(config.seed);
  auto reporter = common.json ? make_json_reporter() : make_text_reporter(::isatty(STDERR_FILENO) != 0);
  try {
    train(network, split, config, *reporter);
  } catch (const DivergedError& e) {
    fmt::print(stderr, "lenet: error: {}\n", e.what());
    return 3;
  }
  return 0;
}

int run_eval(const CommonOptions& common, const std::string& model_path, int batch_size) {
  if (batch_size <= 0) fail("--batch-size must be at least 1, got {}", batch_size);
  set_threads(common.threads);
  Network network = network_from_checkpoint(load_checkpoint(model_path));
  const MnistSplit split = load_mnist(resolve_data_dir(common.data), common.validation_size);
  const Shape in = network.input_shape();
  const int pad = network.spec().pad;
  if (in.c != 1 || in.h != split.test.rows + 2 * pad || in.w != split.test.cols + 2 * pad)
    fail("{}: the model expects {}x{}x{} input (padding {}) but the data's images are {}x{}", model_path, in.c, in.h,
         in.w, pad, split.test.rows, split.test.cols);
  const Evaluation validation = evaluate(network, split.validation, batch_size);
  const Evaluation test = evaluate(network, split.test, batch_size);
  if (common.json) {
    fmt::print("{}\n", nlohmann::json{{"model", model_path},
                                      {"validation_error", validation.error_rate()},
                                      {"validation_errors", validation.errors},
                                      {"validation_count", validation.count},
                                      {"test_error", test.error_rate()},
                                      {"test_errors", test.errors},
                                      {"test_count", test.count}}
                           .dump());
  } else {
    fmt::print("validation error {:f} % ({} of {})\n", validation.error_rate() * 100, validation.errors,
               validation.count);
    fmt::print("test error {:f} % ({} of {})\n", test.error_rate() * 100, test.errors, test.count);
  }
  return 0;
}

int run_predict(const CommonOptions& common, const std::string& model_path, const std::vector<std::string>& images) {
  set_threads(common.threads);
  Network network = network_from_checkpoint(load_checkpoint(model_path));
  const Shape in = network.input_shape();
  if (in.c != 1) fail("{}: predict supports grey-input models only (this one has {} maps)", model_path, in.c);
  // Read and check every image first, so a bad one is reported before any output; then convert
  // them as training did (padding and pixel range from the model description).
  const InputTransform transform = input_transform(network);
  const int h = in.h - 2 * transform.pad, w = in.w - 2 * transform.pad;
  Dataset batch;
  batch.rows = h;
  batch.cols = w;
  for (const std::string& path : images) {
    const Image grey = to_grey(read_image(path));
    if (grey.width != w || grey.height != h)
      fail("{}: the image is {}x{} but the model expects {}x{} (resizing is not supported)", path, grey.width,
           grey.height, w, h);
    batch.images.insert(batch.images.end(), grey.pixels.begin(), grey.pixels.end());
    batch.labels.push_back(0);
  }
  Tensor x;
  std::vector<std::int32_t> unused_labels;
  make_minibatch(batch, {}, 0, batch.count(), x, unused_labels, transform);
  const Tensor& probs = network.forward(x);
  const int k = network.classes();
  for (std::size_t i = 0; i < images.size(); ++i) {
    const float* p = probs.data() + i * k;
    const int best = argmax(p, k);
    if (common.json) {
      fmt::print("{}\n", nlohmann::json{{"image", images[i]},
                                        {"class", best},
                                        {"probability", p[best]},
                                        {"probabilities", std::vector<float>(p, p + k)}}
                             .dump());
    } else {
      std::string all;
      for (int c = 0; c < k; ++c) all += fmt::format(" {}:{:.4f}", c, p[c]);
      fmt::print("{}: class {} (p = {:.4f})  probabilities{}\n", images[i], best, p[best], all);
    }
  }
  return 0;
}

int run_summary(const CommonOptions& common, const std::string& model) {
  const bool checkpoint = model.ends_with(".safetensors");
  Network network = checkpoint ? network_from_checkpoint(load_checkpoint(model))
                               : Network(load_model_description(model));
  const ModelSummary s = summarize(network);
  if (!common.json) {
    fmt::print("{}", format_summary(s));
    return 0;
  }
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerSummary& l : s.layers)
    layers.push_back({{"name", l.name},
                      {"type", l.type},
                      {"output", {l.output.c, l.output.h, l.output.w}},
                      {"parameters", l.parameters},
                      {"connections", l.connections},
                      {"multiply_adds", l.multiply_adds}});
  fmt::print("{}\n", nlohmann::json{{"input", {s.input.c, s.input.h, s.input.w}},
                                    {"layers", layers},
                                    {"parameters", s.parameters},
                                    {"connections", s.connections},
                                    {"multiply_adds", s.multiply_adds},
                                    {"activation_bytes_per_image", s.activation_bytes}}
                         .dump());
  return 0;
}

int run_pool_demo(std::uint32_t seed, const std::vector<int>& shape, int pool_h, int pool_w) {
  if (shape.size() != 4) fail("--shape needs 4 values N,C,H,W, got {}", shape.size());
  for (int d : shape)
    if (d <= 0 || d > 4096) fail("--shape values must be in 1..4096, got {}", d);
  if (pool_h <= 0 || pool_w <= 0) fail("--pool values must be positive, got {}x{}", pool_h, pool_w);
  const int n = shape[0], c = shape[1], h = shape[2], w = shape[3];
  if (std::size_t(n) * c * h * w > 100'000'000) fail("--shape {}x{}x{}x{} is too large for a printout", n, c, h, w);
  // invals = numpy.random.RandomState(seed).rand(N, C, H, W), in C order.
  Rng rng(seed);
  std::vector<double> invals(std::size_t(n) * c * h * w);
  for (double& v : invals) v = rng.random_sample();
  const std::size_t plane = std::size_t(h) * w;
  for (const bool ignore_border : {true, false}) {
    const PoolShape s{n * c, h, w, pool_h, pool_w, ignore_border};
    std::vector<double> out(s.out_size());
    if (!out.empty()) ref::max_pool_forward(s, invals.data(), out.data());
    // The seed shows sample 0 with ignore_border True and sample 1 with False.
    const int sample = ignore_border ? 0 : std::min(1, n - 1);
    const std::size_t out_plane = std::size_t(s.out_h()) * s.out_w();
    fmt::print("With ignore_border set to {}:\n", ignore_border ? "True" : "False");
    fmt::print("invals[{}, 0, :, :] =\n{}\n", sample,
               format_like_numpy(invals.data() + std::size_t(sample) * c * plane, h, w));
    fmt::print("output[{}, 0, :, :] =\n{}\n", sample,
               out_plane == 0 ? std::string("[]")
                              : format_like_numpy(out.data() + std::size_t(sample) * c * out_plane, s.out_h(),
                                                  s.out_w()));
    if (ignore_border) fmt::print("\n");
  }
  return 0;
}

int run_filters(const std::string& image, const std::string& out_dir, std::uint32_t seed, int filters, int size) {
  Image rgb = read_image(image);
  if (rgb.channels == 1) fail("{}: a grey image; the demo convolves the three colour maps of a colour image", image);
  const FeatureMaps f = random_filter_maps(rgb, seed, filters, size);
  std::filesystem::create_directories(out_dir);
  std::vector<Image> pictures{rgb};
  write_png(out_dir + "/input.png", rgb);
  for (std::size_t k = 0; k < f.maps.size(); ++k) {
    pictures.push_back(map_picture(f.maps[k], f.height, f.width));
    write_png(fmt::format("{}/map{}.png", out_dir, k), pictures.back());
  }
  write_png(out_dir + "/filters.png", side_by_side(pictures));
  fmt::print("{}x{} image, {} random {}x{} filters (seed {}): {} feature maps of {}x{}\n", rgb.width, rgb.height,
             filters, size, size, seed, f.maps.size(), f.width, f.height);
  for (std::size_t k = 0; k < f.maps.size(); ++k) {
    const auto [lo, hi] = std::minmax_element(f.maps[k].begin(), f.maps[k].end());
    fmt::print("  map{}: bias {:+.4f}, sigmoid outputs {:.4f} .. {:.4f} -> {}/map{}.png\n", k, f.biases[k], *lo, *hi,
               out_dir, k);
  }
  fmt::print("side by side: {}/filters.png\n", out_dir);
  return 0;
}

}  // namespace lenet::app
