// Model files: the preset, a JSON file, and errors naming the file and the layer.
#include "io/model_file.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "nn/network.h"
#include "test_util.h"

namespace lenet {
namespace {

TEST(ModelFile, PresetAndJsonFile) {
  EXPECT_EQ(load_model_description("tutorial").to_json(), ModelSpec::tutorial().to_json());
  test::TempDir dir;
  const std::string path = dir.file("small.json");
  test::write_bytes(path, R"({"input": {"maps": 1, "height": 28, "width": 28},
    "layers": [{"type": "conv_pool", "maps": 6, "filter": 5, "pool": [2, 2]},
               {"type": "hidden", "units": 32},
               {"type": "logistic_regression", "classes": 10}]})");
  const ModelSpec spec = load_model_description(path);
  ASSERT_EQ(spec.layers.size(), 3u);
  EXPECT_EQ(spec.layers[0].maps, 6);
  EXPECT_EQ(spec.layers[0].name, "layer0");
  Network net(spec);
  EXPECT_EQ(net.layers()[0]->output_shape(), (Shape{1, 6, 12, 12}));
}

TEST(ModelFile, ErrorsNameTheFileAndLayer) {
  test::TempDir dir;
  const std::string bad_json = dir.file("bad.json");
  test::write_bytes(bad_json, "{ not json");
  try {
    load_model_description(bad_json);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
  }
  const std::string bad_layer = dir.file("layer.json");
  test::write_bytes(bad_layer, R"({"layers": [{"type": "conv_pool", "maps": 6},
                                              {"type": "logistic_regression", "classes": 10}]})");
  try {
    load_model_description(bad_layer);
    FAIL();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("layer.json"), std::string::npos) << message;
    EXPECT_NE(message.find("layer0"), std::string::npos) << message;
    EXPECT_NE(message.find("filter"), std::string::npos) << message;
  }
  EXPECT_THROW(load_model_description(dir.file("absent.json")), Error);
}

}  // namespace
}  // namespace lenet

namespace lenet {
namespace {

TEST(ModelFile, TomlDescribesTheSameModelAsJson) {
  test::TempDir dir;
  const std::string json_path = dir.file("net.json"), toml_path = dir.file("net.toml");
  test::write_bytes(json_path, R"({"input": {"maps": 1, "height": 32, "width": 32, "pad": 2,
      "background": -0.1, "foreground": 1.175},
    "layers": [{"type": "conv", "maps": 6, "filter": 5, "activation": "scaled_tanh", "init": "lecun"},
               {"type": "subsampling", "pool": 2, "activation": "scaled_tanh"},
               {"type": "conv", "maps": 4, "filter": [3, 3], "table": [[0, 1], [2, 3, 4], [5], [0, 5]]},
               {"type": "hidden", "units": 20},
               {"type": "logistic_regression", "classes": 11}]})");
  test::write_bytes(toml_path, R"(# the same network, in TOML
[input]
maps = 1
height = 32
width = 32
pad = 2
background = -0.1
foreground = 1.175

[[layers]]
type = "conv"
maps = 6
filter = 5
activation = "scaled_tanh"
init = "lecun"

[[layers]]
type = "subsampling"
pool = 2
activation = "scaled_tanh"

[[layers]]
type = "conv"
maps = 4
filter = [3, 3]
table = [[0, 1], [2, 3, 4], [5], [0, 5]]

[[layers]]
type = "hidden"
units = 20

[[layers]]
type = "logistic_regression"
classes = 11
)");
  const ModelSpec from_json = load_model_description(json_path), from_toml = load_model_description(toml_path);
  EXPECT_EQ(from_toml.to_json(), from_json.to_json());
  EXPECT_EQ(from_toml.pad, 2);
  EXPECT_FLOAT_EQ(from_toml.background, -0.1f);
  ASSERT_EQ(from_toml.layers.size(), 5u);
  EXPECT_EQ(from_toml.layers[2].table.size(), 4u);
  Network net(from_toml);
  EXPECT_EQ(net.classes(), 11);
}

TEST(ModelFile, TomlErrorsGiveTheLineOrTheLayer) {
  test::TempDir dir;
  const std::string syntax = dir.file("syntax.toml");
  test::write_bytes(syntax, "[input]\nmaps = 1\nheight = = 28\n");
  try {
    load_model_description(syntax);
    FAIL() << "a TOML syntax error was accepted";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("syntax.toml"), std::string::npos) << what;
    EXPECT_NE(what.find("line 3"), std::string::npos) << what;
  }
  const std::string layer = dir.file("layer.toml");
  test::write_bytes(layer, "[[layers]]\ntype = \"conv_pool\"\nmaps = \"six\"\n");
  try {
    load_model_description(layer);
    FAIL() << "a string where a number belongs was accepted";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("layer.toml"), std::string::npos) << what;
    EXPECT_NE(what.find("maps"), std::string::npos) << what;
  }
  const std::string date = dir.file("date.toml");
  test::write_bytes(date, "created = 2026-12-03\n");
  EXPECT_THROW(load_model_description(date), Error);
}

}  // namespace
}  // namespace lenet
