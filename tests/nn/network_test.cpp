// Network construction: shapes, the model description, and errors that name the layer.
#include "nn/network.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace lenet {
namespace {

std::string error_of(const ModelSpec& spec) {
  try {
    Network net(spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Network, TutorialShapesAndCounts) {
  Network net(ModelSpec::tutorial());
  ASSERT_EQ(net.layers().size(), 4u);
  EXPECT_EQ(net.layers()[0]->output_shape(), (Shape{1, 20, 12, 12}));
  EXPECT_EQ(net.layers()[1]->output_shape(), (Shape{1, 50, 4, 4}));
  EXPECT_EQ(net.layers()[2]->output_shape(), (Shape{1, 500, 1, 1}));
  EXPECT_EQ(net.classes(), 10);
  // 20*25+20 + 50*500+50 + 800*500+500 + 500*10+10
  EXPECT_EQ(net.parameter_count(), 520 + 25050 + 400500 + 5010);
  // conv1 24*24*25*20, conv2 8*8*25*20*50, dense 800*500, 500*10: the 2.293 M of issue 3.
  std::int64_t macs = 0;
  for (const auto& l : net.layers()) macs += l->multiply_adds();
  EXPECT_EQ(macs, 288000 + 1600000 + 400000 + 5000);
}

TEST(Network, ForwardGivesProbabilities) {
  Network net(ModelSpec::tutorial(4, 6, 20));
  net.init(1);
  Tensor x({3, 1, 28, 28});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 255) / 255.0f;
  const Tensor& p = net.forward(x);
  ASSERT_EQ(p.shape(), (Shape{3, 10, 1, 1}));
  // The classifier starts at zero: every class is equally likely.
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_FLOAT_EQ(p[i], 0.1f);
}

TEST(Network, RejectsWrongInputShape) {
  Network net(ModelSpec::tutorial(2, 3, 4));
  Tensor x({2, 1, 32, 32});
  EXPECT_THROW(net.forward(x), Error);
}

TEST(Network, ShapeErrorsNameTheLayerAndShapes) {
  ModelSpec big_filter = ModelSpec::tutorial();
  big_filter.layers[1].filter_h = big_filter.layers[1].filter_w = 13;
  const std::string e1 = error_of(big_filter);
  EXPECT_NE(e1.find("layer1"), std::string::npos) << e1;
  EXPECT_NE(e1.find("13x13"), std::string::npos) << e1;
  EXPECT_NE(e1.find("12x12"), std::string::npos) << e1;

  ModelSpec zero_maps = ModelSpec::tutorial(0, 50, 500);
  EXPECT_NE(error_of(zero_maps).find("layer0"), std::string::npos);

  ModelSpec no_classifier = ModelSpec::tutorial();
  no_classifier.layers.pop_back();
  EXPECT_NE(error_of(no_classifier).find("logistic_regression"), std::string::npos);

  ModelSpec big_pool = ModelSpec::tutorial();
  big_pool.layers[1].pool_h = 9;
  const std::string e2 = error_of(big_pool);
  EXPECT_NE(e2.find("layer1"), std::string::npos) << e2;
  big_pool.layers[1].ignore_border = false;  // one partial window: 1 row
  EXPECT_EQ(error_of(big_pool), "");
}

TEST(ModelSpec, JsonRoundTrip) {
  ModelSpec spec = ModelSpec::tutorial(7, 9, 11);
  spec.layers[0].ignore_border = false;
  spec.layers[1].filter_h = 3;
  const ModelSpec back = ModelSpec::from_json(spec.to_json());
  EXPECT_EQ(back.to_json(), spec.to_json());
  EXPECT_EQ(back.layers[1].filter_h, 3);
  EXPECT_FALSE(back.layers[0].ignore_border);
}

TEST(ModelSpec, ErrorsNameTheLayerAndField) {
  auto j = ModelSpec::tutorial().to_json();
  j["layers"][1]["maps"] = "fifty";
  try {
    ModelSpec::from_json(j);
    FAIL() << "accepted a string for maps";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("maps"), std::string::npos) << e.what();
  }
  j = ModelSpec::tutorial().to_json();
  j["layers"][2]["type"] = "transformer";
  EXPECT_THROW(ModelSpec::from_json(j), Error);
  j = ModelSpec::tutorial().to_json();
  j["layers"][0]["colour"] = 1;
  EXPECT_THROW(ModelSpec::from_json(j), Error);
  EXPECT_THROW(ModelSpec::from_json(nlohmann::json::array()), Error);
}

}  // namespace
}  // namespace lenet
