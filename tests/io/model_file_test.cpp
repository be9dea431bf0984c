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
