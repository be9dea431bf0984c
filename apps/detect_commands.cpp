// lenet make-scene / make-windows / detect: glue from parsed options to src/vision.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "core/error.h"
#include "core/parallel.h"
#include "data/idx.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "vision/scenes.h"

namespace lenet::app {

namespace {

// "A,B" into two numbers of type T, with the flag's name in the error.
template <typename T>
std::pair<T, T> parse_pair(const std::string& text, const char* flag) {
  double a = 0, b = 0;
  char rest = 0;
  if (std::sscanf(text.c_str(), "%lf,%lf%c", &a, &b, &rest) != 2 && std::sscanf(text.c_str(), "%lfx%lf%c", &a, &b, &rest) != 2)
    fail("{} must be two numbers A,B, got '{}'", flag, text);
  // Checked before the cast: a double outside int's range converts to nothing defined.
  if (!std::isfinite(a) || !std::isfinite(b) || std::abs(a) > 1e9 || std::abs(b) > 1e9)
    fail("{} values must be finite and at most 1e9, got '{}'", flag, text);
  return {static_cast<T>(a), static_cast<T>(b)};
}

nlohmann::json box_json(const Box& b) { return {{"x", b.x}, {"y", b.y}, {"w", b.w}, {"h", b.h}}; }

Box box_from_json(const nlohmann::json& j, const std::string& where) {
  try {
    return {j.at("x").get<double>(), j.at("y").get<double>(), j.at("w").get<double>(), j.at("h").get<double>()};
  } catch (const nlohmann::json::exception& e) {
    fail("{}: a box needs numbers x, y, w, h ({})", where, e.what());
  }
}

void create_folder(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("{}: cannot create the folder: {}", dir, ec.message());
}

// Writes the four IDX files of a train and a test set under temporary names, then renames them
// all, so the folder never holds a half-written file or a new train set beside an old test set;
// on failure the temporary files are removed.
void write_datasets(const std::string& dir, const Dataset& train, const Dataset& test) {
  std::vector<std::pair<std::string, IdxArray>> files;
  for (const auto& [prefix, data] : {std::pair<std::string, const Dataset*>{"train", &train}, {"t10k", &test}}) {
    IdxArray images{{std::uint32_t(data->count()), std::uint32_t(data->rows), std::uint32_t(data->cols)}, data->images};
    IdxArray labels{{std::uint32_t(data->count())}, {}};
    for (int label : data->labels) labels.data.push_back(static_cast<std::uint8_t>(label));
    files.emplace_back(dir + "/" + prefix + "-images-idx3-ubyte.gz", std::move(images));
    files.emplace_back(dir + "/" + prefix + "-labels-idx1-ubyte.gz", std::move(labels));
  }
  try {
    for (const auto& [path, array] : files) write_idx(path + ".tmp", array, true);
  } catch (...) {
    std::error_code ignored;
    for (const auto& file : files) std::filesystem::remove(file.first + ".tmp", ignored);
    throw;
  }
  for (const auto& file : files) {
    std::error_code ec;
    std::filesystem::rename(file.first + ".tmp", file.first, ec);
    if (ec) fail("{}: cannot rename into place: {}", file.first, ec.message());
  }
}

struct LoadedScene {
  std::string path;
  std::vector<Truth> truths;
};

std::vector<LoadedScene> load_scenes(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot open the scene list", path);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON: {}", path, e.what());
  }
  if (!j.is_object() || !j.contains("scenes") || !j["scenes"].is_array())
    fail("{}: expected an object with a 'scenes' list, as lenet make-scene writes", path);
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::vector<LoadedScene> scenes;
  for (std::size_t i = 0; i < j["scenes"].size(); ++i) {
    const nlohmann::json& s = j["scenes"][i];
    const std::string where = fmt::format("{}: scene {}", path, i);
    if (!s.is_object() || !s.contains("image") || !s["image"].is_string() || !s.contains("boxes") || !s["boxes"].is_array())
      fail("{}: needs an 'image' file name and a 'boxes' list", where);
    LoadedScene scene{(dir / s["image"].get<std::string>()).string(), {}};
    for (const nlohmann::json& b : s["boxes"]) {
      if (!b.is_object() || !b.contains("label") || !b["label"].is_number_integer())
        fail("{}: every box needs an integer 'label'", where);
      scene.truths.push_back({box_from_json(b, where), b["label"].get<int>()});
    }
    scenes.push_back(std::move(scene));
  }
  return scenes;
}

nlohmann::json detections_json(const std::vector<Detection>& detections) {
  nlohmann::json list = nlohmann::json::array();
  for (const Detection& d : detections) {
    nlohmann::json item = box_json(d.box);
    item["label"] = d.label;
    item["score"] = d.score;
    list.push_back(item);
  }
  return list;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int run_make_scene(const CommonOptions& common, const SceneCommand& options) {
  SceneOptions scene;
  std::tie(scene.width, scene.height) = parse_pair<int>(options.size, "--size");
  std::tie(scene.min_digits, scene.max_digits) = parse_pair<int>(options.digits, "--digits");
  std::tie(scene.min_size, scene.max_size) = parse_pair<double>(options.digit_size, "--digit-size");
  scene.validate();
  if (options.count < 1) fail("--count must be at least 1, got {}", options.count);
  const MnistSplit split = load_mnist(resolve_data_dir(common.data), common.validation_size);
  create_folder(options.out);
  Rng rng(options.seed);
  nlohmann::json list = nlohmann::json::array();
  long digits = 0;
  for (int i = 0; i < options.count; ++i) {
    const Scene s = make_scene(split.test, scene, rng);
    const std::string name = fmt::format("scene-{:03d}.png", i);
    write_png(options.out + "/" + name, image_from_plane(s.image));
    nlohmann::json boxes = nlohmann::json::array();
    for (std::size_t k = 0; k < s.truths.size(); ++k) {
      nlohmann::json b = box_json(s.truths[k].box);
      b["label"] = s.truths[k].label;
      b["mnist_test_index"] = s.indices[k];
      boxes.push_back(b);
    }
    digits += static_cast<long>(s.truths.size());
    list.push_back({{"image", name}, {"boxes", boxes}});
  }
  const nlohmann::json doc{{"generator", "lenet make-scene"},
                           {"seed", options.seed},
                           {"digits_from", "MNIST test set"},
                           {"scenes", list}};
  write_file_atomically(options.out + "/scenes.json", doc.dump(1) + "\n");
  fmt::print("wrote {} scenes ({} digits) and scenes.json to {}\n", options.count, digits, options.out);
  return 0;
}

int run_make_windows(const CommonOptions& common, const WindowsCommand& options) {
  if (options.count < 1) fail("--count must be at least 1, got {}", options.count);
  if (options.window < 8 || options.window > 256) fail("--window must be in [8, 256], got {}", options.window);
  const MnistSplit split = load_mnist(resolve_data_dir(common.data), common.validation_size);
  create_folder(options.out);
  Rng rng(options.seed);
  constexpr int kBackground = 10;
  // The training file's last 10,000 windows (the validation split) draw on the MNIST validation
  // digits only; the test file on the MNIST test digits.
  Dataset train = make_detector_windows(split.train, 0, split.train.count(), options.count, options.window, kBackground, rng);
  const Dataset validation =
      make_detector_windows(split.validation, 0, split.validation.count(), 10000, options.window, kBackground, rng);
  train.images.insert(train.images.end(), validation.images.begin(), validation.images.end());
  train.labels.insert(train.labels.end(), validation.labels.begin(), validation.labels.end());
  const Dataset test = make_detector_windows(split.test, 0, split.test.count(), 10000, options.window, kBackground, rng);
  write_datasets(options.out, train, test);
  const long background = std::count(train.labels.begin(), train.labels.end(), kBackground);
  fmt::print("wrote {} training windows (the last 10000 for validation; {} of all labelled 10 = no digit) and {} test "
             "windows to {}\n",
             train.count(), background, test.count(), options.out);
  return 0;
}

int run_detect(const CommonOptions& common, const DetectCommand& options) {
  set_threads(common.threads);
  if (options.images.empty() == options.scenes.empty())
    fail("give either image files or --scenes scenes.json (not both)");
  Network network = network_from_checkpoint(load_checkpoint(options.model));
  const DetectOptions& detect_options = options.detect;
  if (options.compare_windowed < 0) fail("--compare-windowed must be 0 or more, got {}", options.compare_windowed);
  if (!options.annotate.empty()) create_folder(options.annotate);
  Detector detector(network, detect_options);

  auto annotate_to = [&](const std::string& image_path, const Plane& image, const std::vector<Detection>& found) {
    if (options.annotate.empty()) return;
    const std::string stem = std::filesystem::path(image_path).stem().string();
    write_png(options.annotate + "/" + stem + "-detections.png", annotate(image, found));
  };

  if (options.scenes.empty()) {
    // Read every image first, so that a bad one stops the run before any output.
    std::vector<Plane> planes;
    for (const std::string& path : options.images) planes.push_back(plane_from_image(read_image(path)));
    for (std::size_t i = 0; i < planes.size(); ++i) {
      DetectStats stats;
      const std::vector<Detection> found = detector.detect(planes[i], &stats);
      annotate_to(options.images[i], planes[i], found);
      if (common.json) {
        fmt::print("{}\n", nlohmann::json{{"image", options.images[i]},
                                          {"detections", detections_json(found)},
                                          {"levels", stats.levels},
                                          {"windows", stats.windows},
                                          {"seconds", stats.seconds}}
                               .dump());
        continue;
      }
      fmt::print("{}: {} digit{} ({} levels, {} windows, {:.1f} ms)\n", options.images[i], found.size(),
                 found.size() == 1 ? "" : "s", stats.levels, stats.windows, stats.seconds * 1e3);
      for (const Detection& d : found)
        fmt::print("  {} at x {:.0f} y {:.0f} w {:.0f} h {:.0f}  score {:.4f}\n", d.label, d.box.x, d.box.y, d.box.w,
                   d.box.h, d.score);
    }
    return 0;
  }

  const std::vector<LoadedScene> scenes = load_scenes(options.scenes);
  if (scenes.empty()) fail("{}: the scene list is empty", options.scenes);
  std::vector<Plane> planes;
  for (const LoadedScene& s : scenes) planes.push_back(plane_from_image(read_image(s.path)));
  MatchCounts total;
  std::vector<double> seconds;
  long windows = 0;
  for (std::size_t i = 0; i < scenes.size(); ++i) {
    DetectStats stats;
    const std::vector<Detection> found = detector.detect(planes[i], &stats);
    annotate_to(scenes[i].path, planes[i], found);
    total += match_detections(found, scenes[i].truths, 0.5);
    seconds.push_back(stats.seconds);
    windows += stats.windows;
  }
  // Shared computation against window by window, alternating on the same scenes.
  std::vector<double> shared_s, windowed_s;
  const int compare = std::min<int>(options.compare_windowed, static_cast<int>(scenes.size()));
  DetectOptions shared_options = detect_options, windowed_options = detect_options;
  shared_options.windowed = false;
  windowed_options.windowed = true;
  Detector shared(network, shared_options), windowed(network, windowed_options);
  for (int i = 0; i < compare; ++i) {
    DetectStats a, b;
    shared.detect(planes[i], &a);
    windowed.detect(planes[i], &b);
    shared_s.push_back(a.seconds);
    windowed_s.push_back(b.seconds);
  }
  const double speedup = compare > 0 ? median(windowed_s) / median(shared_s) : 0;
  if (common.json) {
    nlohmann::json j{{"scenes", scenes.size()},
                     {"truths", total.truths},
                     {"detections", total.detections},
                     {"true_positives", total.true_positives},
                     {"located", total.located},
                     {"precision", total.precision()},
                     {"recall", total.recall()},
                     {"median_seconds_per_scene", median(seconds)},
                     {"windows_per_scene", double(windows) / scenes.size()}};
    if (compare > 0) {
      j["compared_scenes"] = compare;
      j["median_seconds_shared"] = median(shared_s);
      j["median_seconds_windowed"] = median(windowed_s);
      j["windowed_over_shared"] = speedup;
    }
    fmt::print("{}\n", j.dump());
    return 0;
  }
  fmt::print("{} scenes, {} digits, {} detections (IoU >= 0.5 and the right digit)\n", scenes.size(), total.truths,
             total.detections);
  fmt::print("precision {:.4f} ({} of {}), recall {:.4f} ({} of {})\n", total.precision(), total.true_positives,
             total.detections, total.recall(), total.true_positives, total.truths);
  fmt::print("located whatever the digit: {} ({:.4f} of the digits)\n", total.located,
             total.truths > 0 ? double(total.located) / total.truths : 1.0);
  fmt::print("median time per scene {:.1f} ms ({:.0f} windows per scene, {} threads)\n", median(seconds) * 1e3,
             double(windows) / scenes.size(), max_threads());
  if (compare > 0)
    fmt::print("shared computation vs window by window on {} scenes: median {:.1f} ms vs {:.1f} ms, {:.1f}x faster\n",
               compare, median(shared_s) * 1e3, median(windowed_s) * 1e3, speedup);
  return 0;
}

}  // namespace lenet::app
