// The lenet subcommands, called by the argument parser in lenet.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/model_spec.h"
#include "train/trainer.h"
#include "vision/detector.h"

namespace lenet::app {

struct CommonOptions {
  std::string data;  // MNIST folder ("" = the default search)
  int threads = 0;   // 0 = all cores
  bool json = false;
  int validation_size = 10000;
};

// The MNIST folder to use: --data, else $LENET_DATA, else ./data/mnist, else the source tree's data/mnist.
std::string resolve_data_dir(const std::string& flag);

int run_train(const CommonOptions& common, const ModelSpec& model, const TrainConfig& config);
int run_eval(const CommonOptions& common, const std::string& model_path, int batch_size);
int run_predict(const CommonOptions& common, const std::string& model_path, const std::vector<std::string>& images);
// model: a checkpoint (.safetensors) or a model description (preset name or JSON file).
int run_summary(const CommonOptions& common, const std::string& model);
// The seed's random-filters demo: PNGs of the input and the feature maps in out_dir.
int run_filters(const std::string& image, const std::string& out_dir, std::uint32_t seed, int filters, int size);
// The seed's max_pool_2d printout for numpy.random.RandomState(seed).rand(*shape).
int run_pool_demo(std::uint32_t seed, const std::vector<int>& shape, int pool_h, int pool_w);

}  // namespace lenet::app

namespace lenet::app {

struct SceneCommand {
  std::string out = "scenes";
  int count = 100;
  std::uint32_t seed = 1;
  std::string size = "256,256", digits = "1,5", digit_size = "28,84";
};
// Writes out/scene-000.png, ... and out/scenes.json (the boxes) from MNIST test digits.
int run_make_scene(const CommonOptions& common, const SceneCommand& options);

struct WindowsCommand {
  std::string out = "detector-data";
  int count = 100000;  // training windows; 10,000 more for validation and 10,000 for test
  int window = 28;
  std::uint32_t seed = 1;
};
// Writes a detector's training set in MNIST's four IDX files (class 10 = no digit).
int run_make_windows(const CommonOptions& common, const WindowsCommand& options);

struct DetectCommand {
  std::string model;
  std::vector<std::string> images;
  std::string scenes;     // scenes.json to evaluate against, instead of images
  std::string annotate;   // folder for annotated PNGs ("" = none)
  DetectOptions detect;     // pyramid, threshold, NMS, --windowed
  int compare_windowed = 0;  // with --scenes: time this many scenes both ways
};
int run_detect(const CommonOptions& common, const DetectCommand& options);

}  // namespace lenet::app
