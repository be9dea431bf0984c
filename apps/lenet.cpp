// lenet: the command line. Parses arguments and hands them to the subcommands.
#include <cstdio>
#include <exception>
#include <new>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.h"
#include "core/error.h"
#include "io/model_file.h"

namespace {

// "5" or "5,5" / "5x5" into (h, w).
std::pair<int, int> parse_size(const std::string& text, const char* flag) {
  int h = 0, w = 0;
  char sep = 0;
  char rest = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &h, &sep, &w, &rest) == 3 && (sep == ',' || sep == 'x')) return {h, w};
  if (std::sscanf(text.c_str(), "%d%c", &h, &rest) == 1) return {h, h};
  lenet::fail("{} must be N or H,W (e.g. 5 or 5,5), got '{}'", flag, text);
}

void add_common(CLI::App* cmd, lenet::app::CommonOptions& common, bool with_data) {
  if (with_data) {
    cmd->add_option("--data", common.data,
                    "MNIST folder with the four IDX files, raw or .gz (default: $LENET_DATA, else data/mnist)");
    cmd->add_option("--validation-size", common.validation_size,
                    "images at the end of the training file held out for validation")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }
  cmd->add_option("--threads", common.threads, "threads for OpenMP and OpenBLAS (0 = all cores)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", common.json, "write one JSON object per line instead of text");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lenet: build, train, run and explain LeNet-family convolutional networks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lenet 0.1.0");

  lenet::app::CommonOptions common;
  lenet::TrainConfig config;
  config.out = "lenet-model.safetensors";
  std::vector<int> nkerns{20, 50};
  int n_hidden = 500;
  int n_classes = 10;
  std::string filter_size = "5", pool_size = "2";
  bool keep_partial = false;
  std::string model_path;
  std::vector<std::string> images;
  int eval_batch = 500;
  std::string train_model;
  std::string summary_model = "tutorial";
  std::uint32_t demo_seed = 1;
  std::vector<int> demo_shape{3, 2, 5, 5};
  std::string demo_pool = "2";

  CLI::App* train = app.add_subcommand("train", "train a LeNet on MNIST (the tutorial's by default; SGD + early stopping)");
  add_common(train, common, true);
  train->add_option("--learning-rate", config.learning_rate, "SGD step size")->capture_default_str();
  train->add_option("--lr-decay", config.lr_decay, "multiply the step size by this after every epoch")
      ->capture_default_str();
  train->add_option("--momentum", config.momentum, "classical momentum (0 = plain SGD, as the tutorial)")
      ->capture_default_str();
  train->add_option("--weight-decay", config.weight_decay, "L2 penalty on weights (not biases)")->capture_default_str();
  train->add_option("--shift", config.shift, "augmentation: move each training image up to N pixels at random")
      ->capture_default_str();
  train->add_option("--distort", config.distort,
                    "augmentation: random scaling, squeezing and shear of this amount (e.g. 0.1), plus --shift")
      ->capture_default_str();
  train->add_option("--batch-size", config.batch_size, "minibatch size")->capture_default_str();
  train->add_option("--n-epochs", config.n_epochs, "maximum epochs (0 saves the initial model)")->capture_default_str();
  train->add_option("--nkerns", nkerns, "filters of the two conv-pool layers")
      ->delimiter(',')
      ->expected(2)
      ->capture_default_str();
  train->add_option("--classes", n_classes, "classes of the tutorial net's output (11 for a detector: 10 = no digit)")
      ->capture_default_str();
  train->add_option("--n-hidden", n_hidden, "units of the tanh hidden layer")->capture_default_str();
  train->add_option("--filter-size", filter_size, "conv filter size, N or H,W")->capture_default_str();
  train->add_option("--pool-size", pool_size, "max-pool size, N or H,W")->capture_default_str();
  train->add_flag("--keep-partial-windows", keep_partial, "max-pool with ignore_border=False");
  train->add_option("--seed", config.seed, "seed of numpy's RandomState for the initial weights")
      ->capture_default_str();
  train->add_option("--patience", config.patience, "early stopping: look at this many minibatches at least")
      ->capture_default_str();
  train->add_option("--patience-increase", config.patience_increase, "early stopping: patience multiplier")
      ->capture_default_str();
  train->add_option("--improvement-threshold", config.improvement_threshold,
                    "early stopping: a relative improvement of this much counts")
      ->capture_default_str();
  train->add_flag("--deterministic", config.deterministic,
                 "bitwise repeatable results for any --threads (the BLAS runs on one thread)");
  train->add_flag("--shuffle", config.shuffle, "shuffle the training set every epoch (the tutorial does not)");
  train->add_option("--out", config.out, "checkpoint path for the best model (safetensors)")->capture_default_str();
  train->add_option("--model", train_model,
                    "architecture: a preset ('tutorial') or a JSON model file (see docs/models.md); "
                    "replaces --nkerns, --n-hidden, --filter-size, --pool-size");

  CLI::App* eval = app.add_subcommand("eval", "print the validation and test error of a saved model");
  add_common(eval, common, true);
  eval->add_option("--model", model_path, "checkpoint (.safetensors)")->required();
  eval->add_option("--batch-size", eval_batch, "images per forward pass")->capture_default_str();

  CLI::App* predict = app.add_subcommand("predict", "classify grey images of the model's input size (PGM, PNG or JPEG)");
  add_common(predict, common, false);
  predict->add_option("--model", model_path, "checkpoint (.safetensors)")->required();
  predict->add_option("images", images, "image files")->required();

  CLI::App* summary = app.add_subcommand("summary", "per-layer shapes, parameters, connections and cost of a model");
  add_common(summary, common, false);
  summary->add_option("model,--model", summary_model,
                      "a checkpoint (.safetensors), a preset ('tutorial', 'lenet5') or a JSON model file")
      ->capture_default_str();

  std::string filters_image, filters_out = "filters-demo";
  std::uint32_t filters_seed = 23455;
  int filters_count = 2, filters_size = 9;
  CLI::App* filters = app.add_subcommand("filters", "the seed's demo: random filters on a colour image, maps as PNGs");
  filters->add_option("image", filters_image, "a colour JPEG or PNG")->required();
  filters->add_option("--out", filters_out, "folder for input.png, map0.png, ... and filters.png")->capture_default_str();
  filters->add_option("--seed", filters_seed, "seed of numpy.random.RandomState")->capture_default_str();
  filters->add_option("--filters", filters_count, "number of filters")->capture_default_str();
  filters->add_option("--size", filters_size, "filter size")->capture_default_str();

  CLI::App* pool_demo = app.add_subcommand("pool-demo", "the seed's max_pool_2d example, printed as numpy prints it");
  pool_demo->add_option("--seed", demo_seed, "seed of numpy.random.RandomState")->capture_default_str();
  pool_demo->add_option("--shape", demo_shape, "N,C,H,W of the random input")
      ->delimiter(',')
      ->expected(4)
      ->capture_default_str();
  pool_demo->add_option("--pool", demo_pool, "pool size, N or H,W")->capture_default_str();

  lenet::app::SceneCommand scene_cmd;
  CLI::App* make_scene = app.add_subcommand("make-scene", "test scenes: MNIST test digits pasted on a larger canvas, with their boxes");
  add_common(make_scene, common, true);
  make_scene->add_option("--out", scene_cmd.out, "folder for scene-000.png, ... and scenes.json")->capture_default_str();
  make_scene->add_option("--count", scene_cmd.count, "number of scenes")->capture_default_str();
  make_scene->add_option("--seed", scene_cmd.seed, "random seed")->capture_default_str();
  make_scene->add_option("--size", scene_cmd.size, "canvas W,H in pixels")->capture_default_str();
  make_scene->add_option("--digits", scene_cmd.digits, "digits per scene, MIN,MAX")->capture_default_str();
  make_scene->add_option("--digit-size", scene_cmd.digit_size, "side of a pasted digit, MIN,MAX pixels")->capture_default_str();

  lenet::app::WindowsCommand windows_cmd;
  CLI::App* make_windows = app.add_subcommand(
      "make-windows", "a detector's training set: digit windows and 'no digit' windows (class 10), as MNIST IDX files");
  add_common(make_windows, common, true);
  make_windows->add_option("--out", windows_cmd.out, "folder for the four IDX files")->capture_default_str();
  make_windows->add_option("--count", windows_cmd.count, "training windows (plus 10000 validation, 10000 test)")
      ->capture_default_str();
  make_windows->add_option("--window", windows_cmd.window, "window side in pixels")->capture_default_str();
  make_windows->add_option("--seed", windows_cmd.seed, "random seed")->capture_default_str();

  lenet::app::DetectCommand detect_cmd;
  CLI::App* detect = app.add_subcommand("detect", "find digits in larger images: pyramid, sliding network, NMS");
  add_common(detect, common, false);
  detect->add_option("--model", detect_cmd.model, "checkpoint of a detector (11 classes: 10 = no digit)")->required();
  detect->add_option("images", detect_cmd.images, "image files (PNG, JPEG, PGM)");
  detect->add_option("--scenes", detect_cmd.scenes, "scenes.json from make-scene: report precision and recall");
  detect->add_option("--annotate", detect_cmd.annotate, "folder for PNGs with the boxes drawn");
  detect->add_option("--scale-step", detect_cmd.detect.scale_step, "size ratio between pyramid levels")->capture_default_str();
  detect->add_option("--min-size", detect_cmd.detect.min_size, "smallest digit to find, pixels (0 = the model's window)")
      ->capture_default_str();
  detect->add_option("--max-size", detect_cmd.detect.max_size, "largest digit to find, pixels (0 = the image's shorter side)")
      ->capture_default_str();
  detect->add_option("--threshold", detect_cmd.detect.threshold, "lowest digit probability reported")->capture_default_str();
  detect->add_option("--nms-overlap", detect_cmd.detect.nms_overlap, "drop a detection when a better one covers more than this fraction of the smaller box")
      ->capture_default_str();
  detect->add_flag("--windowed", detect_cmd.detect.windowed, "evaluate window by window instead of sharing computation (slow)");
  detect->add_option("--compare-windowed", detect_cmd.compare_windowed,
                     "with --scenes: time this many scenes both ways, side by side")
      ->capture_default_str();

  bool known_command = false;
  for (const CLI::App* cmd : app.get_subcommands([](CLI::App*) { return true; }))
    known_command |= argc > 1 && cmd->get_name() == argv[1];
  if (argc > 1 && argv[1][0] != '-' && !known_command) {
    fmt::print(stderr, "lenet: error: unknown command '{}' (expected train, eval, predict, summary, filters, pool-demo, make-scene, make-windows or detect; see lenet --help)\n",
               argv[1]);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; a usage error exits 2, as is usual for command lines.
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    if (train->parsed()) {
      const auto [fh, fw] = parse_size(filter_size, "--filter-size");
      const auto [ph, pw] = parse_size(pool_size, "--pool-size");
      for (int k : nkerns)
        if (k <= 0) lenet::fail("--nkerns values must be positive, got {},{}", nkerns[0], nkerns[1]);
      if (n_hidden <= 0) lenet::fail("--n-hidden must be positive, got {}", n_hidden);
      if (n_classes < 2) lenet::fail("--classes must be at least 2, got {}", n_classes);
      if (!train_model.empty()) return lenet::app::run_train(common, lenet::load_model_description(train_model), config);
      lenet::ModelSpec model = lenet::ModelSpec::tutorial(nkerns[0], nkerns[1], n_hidden, n_classes);
      for (int i = 0; i < 2; ++i) {
        model.layers[i].filter_h = fh;
        model.layers[i].filter_w = fw;
        model.layers[i].pool_h = ph;
        model.layers[i].pool_w = pw;
        model.layers[i].ignore_border = !keep_partial;
      }
      return lenet::app::run_train(common, model, config);
    }
    if (eval->parsed()) return lenet::app::run_eval(common, model_path, eval_batch);
    if (predict->parsed()) return lenet::app::run_predict(common, model_path, images);
    if (summary->parsed()) return lenet::app::run_summary(common, summary_model);
    if (filters->parsed())
      return lenet::app::run_filters(filters_image, filters_out, filters_seed, filters_count, filters_size);
    if (make_scene->parsed()) return lenet::app::run_make_scene(common, scene_cmd);
    if (make_windows->parsed()) return lenet::app::run_make_windows(common, windows_cmd);
    if (detect->parsed()) return lenet::app::run_detect(common, detect_cmd);
    if (pool_demo->parsed()) {
      const auto [ph, pw] = parse_size(demo_pool, "--pool");
      return lenet::app::run_pool_demo(demo_seed, demo_shape, ph, pw);
    }
  } catch (const lenet::Error& e) {
    fmt::print(stderr, "lenet: error: {}\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "lenet: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "lenet: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
