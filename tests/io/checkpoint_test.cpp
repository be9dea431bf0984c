// Tests for checkpoints: bitwise round trips, the safetensors layout, and refusal of bad files.
#include "io/checkpoint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "nn/network.h"
#include "test_util.h"

namespace lenet {
namespace {

// The tutorial network with its initial weights, and biases made non-zero so that they are
// checked too (the tutorial starts them at zero).
Network tutorial_network(const ModelSpec& spec = ModelSpec::tutorial()) {
  Network net(spec);
  net.init(23455);
  unsigned seed = 1;
  for (const Param& p : net.params()) {
    if (p.name.ends_with(".b")) {
      const std::vector<float> values = test::random_floats(p.value->size(), seed++);
      std::copy(values.begin(), values.end(), p.value->data());
    }
  }
  return net;
}

// A small network, so that files built by hand stay small.
ModelSpec small_spec() { return ModelSpec::tutorial(2, 3, 4, 10); }

// Expects fn to throw lenet::Error whose message contains every one of parts.
void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "expected lenet::Error containing '" << parts.front() << "'";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
  }
}

void expect_load_error(const std::string& path, const std::string& part) {
  expect_error([&] { load_checkpoint(path); }, {path, part});
}

// A safetensors file from a header and a data section, laid out as the format says.
std::string safetensors_bytes(const nlohmann::json& header, const std::string& data) {
  const std::string text = header.dump();
  std::string bytes(8, '\0');
  const std::uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return bytes + text + data;
}

nlohmann::json model_metadata() { return {{"lenet.model", small_spec().to_json().dump()}}; }

nlohmann::json entry(const std::string& dtype, const std::vector<int>& shape, std::uint64_t begin, std::uint64_t end) {
  return {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {begin, end}}};
}

TEST(Checkpoint, RoundTripIsBitwise) {
  test::TempDir dir;
  const std::string path = dir.file("lenet.safetensors");
  Network original = tutorial_network();
  save_checkpoint(path, checkpoint_from_network(original));

  const Checkpoint loaded = load_checkpoint(path);
  EXPECT_EQ(loaded.model.to_json(), ModelSpec::tutorial().to_json());
  Network restored = network_from_checkpoint(loaded);

  const std::vector<Param> a = original.params(), b = restored.params();
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(loaded.tensors.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(a[i].name);
    EXPECT_EQ(loaded.tensors[i].name, a[i].name);  // file order is parameter order
    EXPECT_EQ(b[i].name, a[i].name);
    EXPECT_EQ(b[i].shape, a[i].shape);
    ASSERT_EQ(b[i].value->size(), a[i].value->size());
    EXPECT_EQ(std::memcmp(b[i].value->data(), a[i].value->data(), a[i].value->size() * sizeof(float)), 0);
  }
}

TEST(Checkpoint, StoresTheTutorialShapes) {
  Network net = tutorial_network();
  const Checkpoint c = checkpoint_from_network(net);
  std::vector<std::pair<std::string, std::vector<int>>> shapes;
  for (const NamedTensor& t : c.tensors) shapes.emplace_back(t.name, t.shape);
  const std::vector<std::pair<std::string, std::vector<int>>> expected = {
      {"layer0.W", {20, 1, 5, 5}}, {"layer0.b", {20}},  {"layer1.W", {50, 20, 5, 5}}, {"layer1.b", {50}},
      {"layer2.W", {800, 500}},    {"layer2.b", {500}}, {"layer3.W", {500, 10}},      {"layer3.b", {10}}};
  EXPECT_EQ(shapes, expected);
}

TEST(Checkpoint, MetadataRoundTrip) {
  test::TempDir dir;
  const std::string path = dir.file("m.safetensors");
  Network net = tutorial_network(small_spec());
  Checkpoint c = checkpoint_from_network(net);
  c.metadata = {{"epoch", "12"}, {"best_validation_error", "0.0091"}, {"note", "ünïcode, \"quotes\"\n"}, {"", ""}};
  save_checkpoint(path, c);
  const Checkpoint loaded = load_checkpoint(path);
  EXPECT_EQ(loaded.metadata, c.metadata);
  EXPECT_EQ(loaded.model.to_json(), small_spec().to_json());
}

TEST(Checkpoint, SavingTwiceReplacesTheFileAndLeavesNoTemporaryFiles) {
  test::TempDir dir;
  const std::string path = dir.file("twice.safetensors");
  Network net = tutorial_network(small_spec());
  Checkpoint c = checkpoint_from_network(net);
  c.metadata["epoch"] = "1";
  save_checkpoint(path, c);
  c.metadata["epoch"] = "2";
  c.tensors[0].values[0] = 42.0f;
  save_checkpoint(path, c);

  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"twice.safetensors"});
  const Checkpoint loaded = load_checkpoint(path);
  EXPECT_EQ(loaded.metadata.at("epoch"), "2");
  EXPECT_EQ(loaded.tensors[0].values[0], 42.0f);
}

TEST(Checkpoint, SaveAfterLoadWritesTheSameBytes) {
  test::TempDir dir;
  Network net = tutorial_network(small_spec());
  save_checkpoint(dir.file("a"), checkpoint_from_network(net));
  save_checkpoint(dir.file("b"), load_checkpoint(dir.file("a")));
  EXPECT_EQ(test::read_bytes(dir.file("a")), test::read_bytes(dir.file("b")));
}

TEST(Checkpoint, FileIsSafetensors) {
  // An independent reading of the format: u64 little-endian header length, JSON, raw data.
  test::TempDir dir;
  const std::string path = dir.file("lenet.safetensors");
  Network net = tutorial_network();
  save_checkpoint(path, checkpoint_from_network(net));
  const std::string bytes = test::read_bytes(path);

  ASSERT_GE(bytes.size(), 8u);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  ASSERT_LE(8 + n, bytes.size());
  EXPECT_EQ(n % 8, 0u) << "header padded to 8 bytes";
  const std::string header_text = bytes.substr(8, n);
  EXPECT_EQ(header_text.front(), '{');
  const nlohmann::json header = nlohmann::json::parse(header_text);

  ASSERT_TRUE(header.contains("layer0.W"));
  const auto& w = header["layer0.W"];
  EXPECT_EQ(w["dtype"], "F32");
  EXPECT_EQ(w["shape"], nlohmann::json({20, 1, 5, 5}));
  const std::uint64_t begin = w["data_offsets"][0], end = w["data_offsets"][1];
  EXPECT_EQ(begin, 0u);  // the first tensor in file order
  EXPECT_EQ(end, 20u * 25 * sizeof(float));
  const Tensor& weights = *net.params()[0].value;
  ASSERT_EQ(net.params()[0].name, "layer0.W");
  EXPECT_EQ(std::memcmp(bytes.data() + 8 + n + begin, weights.data(), end - begin), 0);

  // The data section is exactly the tensors, end to end.
  std::uint64_t total = 0;
  for (const auto& [name, e] : header.items())
    if (name != "__metadata__")
      total += e["data_offsets"][1].get<std::uint64_t>() - e["data_offsets"][0].get<std::uint64_t>();
  EXPECT_EQ(8 + n + total, bytes.size());

  ASSERT_TRUE(header["__metadata__"].is_object());
  for (const auto& [key, value] : header["__metadata__"].items()) EXPECT_TRUE(value.is_string()) << key;
  EXPECT_EQ(nlohmann::json::parse(header["__metadata__"]["lenet.model"].get<std::string>()),
            ModelSpec::tutorial().to_json());
}

TEST(Checkpoint, HandMadeFileLoads) {
  // The loader follows the format, not this writer's habits: any tensor order, no padding.
  test::TempDir dir;
  const std::string path = dir.file("hand.safetensors");
  const float a[2] = {1.5f, -2.0f}, b[3] = {3.0f, 4.0f, 5.0f};
  std::string data(reinterpret_cast<const char*>(b), sizeof b);
  data.append(reinterpret_cast<const char*>(a), sizeof a);
  nlohmann::json header = {{"a", entry("F32", {2}, 12, 20)}, {"b", entry("F32", {3, 1}, 0, 12)},
                           {"empty", entry("F32", {0, 4}, 12, 12)}, {"__metadata__", model_metadata()}};
  test::write_bytes(path, safetensors_bytes(header, data));
  const Checkpoint c = load_checkpoint(path);
  ASSERT_EQ(c.tensors.size(), 3u);
  EXPECT_EQ(c.tensors[0].name, "b");  // file order
  EXPECT_EQ(c.tensors[0].values, (std::vector<float>{3.0f, 4.0f, 5.0f}));
  EXPECT_EQ(c.tensors[0].shape, (std::vector<int>{3, 1}));
  EXPECT_EQ(c.tensors[1].name, "empty");
  EXPECT_TRUE(c.tensors[1].values.empty());
  EXPECT_EQ(c.tensors[2].values, (std::vector<float>{1.5f, -2.0f}));
  EXPECT_TRUE(c.metadata.empty());
}

// --- files that must be refused, each with a message naming the file ---

class CheckpointCorrupt : public ::testing::Test {
 protected:
  void SetUp() override {
    Network net = tutorial_network(small_spec());
    save_checkpoint(good_, checkpoint_from_network(net));
    good_bytes_ = test::read_bytes(good_);
  }
  std::string write(const std::string& bytes) {
    test::write_bytes(bad_, bytes);
    return bad_;
  }
  std::string write(const nlohmann::json& header, const std::string& data) {
    return write(safetensors_bytes(header, data));
  }
  std::uint64_t header_size() const {
    std::uint64_t n = 0;
    std::memcpy(&n, good_bytes_.data(), 8);
    return n;
  }

  test::TempDir dir_;
  const std::string good_ = dir_.file("good.safetensors");
  const std::string bad_ = dir_.file("bad.safetensors");
  std::string good_bytes_;
};

TEST_F(CheckpointCorrupt, MissingFile) { expect_load_error(dir_.file("nothing.safetensors"), "No such file"); }

TEST_F(CheckpointCorrupt, Folder) { expect_load_error(dir_.path().string(), "not a regular file"); }

TEST_F(CheckpointCorrupt, EmptyFile) { expect_load_error(write(""), "too short"); }

TEST_F(CheckpointCorrupt, CutAtFourBytes) { expect_load_error(write(good_bytes_.substr(0, 4)), "too short"); }

TEST_F(CheckpointCorrupt, CutInTheHeader) {
  expect_load_error(write(good_bytes_.substr(0, 8 + header_size() / 2)), "exceeds");
  expect_load_error(write(good_bytes_.substr(0, 8)), "exceeds");
}

TEST_F(CheckpointCorrupt, CutInTheData) {
  expect_load_error(write(good_bytes_.substr(0, 8 + header_size() + 10)), "truncated");
  expect_load_error(write(good_bytes_.substr(0, good_bytes_.size() - 1)), "truncated");
}

TEST_F(CheckpointCorrupt, TrailingBytes) { expect_load_error(write(good_bytes_ + "junk"), "belong to no tensor"); }

TEST_F(CheckpointCorrupt, HugeHeaderLength) {
  std::string bytes = good_bytes_;
  const std::uint64_t huge = 0xfffffffffffffff0ull;
  std::memcpy(bytes.data(), &huge, 8);
  expect_load_error(write(bytes), "header length");
}

TEST_F(CheckpointCorrupt, GarbageJson) {
  std::string bytes = good_bytes_;
  bytes.replace(8, 6, "garbag");
  expect_load_error(write(bytes), "not valid JSON");
}

TEST_F(CheckpointCorrupt, HeaderNotAnObject) {
  expect_load_error(write(nlohmann::json::array({1, 2}), ""), "not a JSON object");
}

TEST_F(CheckpointCorrupt, WrongDtype) {
  expect_load_error(write({{"w", entry("F16", {2}, 0, 4)}, {"__metadata__", model_metadata()}}, "abcd"), "F16");
}

TEST_F(CheckpointCorrupt, MissingFields) {
  nlohmann::json e = entry("F32", {1}, 0, 4);
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    nlohmann::json broken = e;
    broken.erase(field);
    SCOPED_TRACE(field);
    expect_load_error(write({{"w", broken}, {"__metadata__", model_metadata()}}, "abcd"), field);
  }
}

TEST_F(CheckpointCorrupt, FieldsOfTheWrongType) {
  const std::vector<std::pair<std::string, nlohmann::json>> cases = {
      {"dtype", 32},
      {"shape", "1"},
      {"shape", {-1}},
      {"shape", {1.0}},
      {"data_offsets", {0}},
      {"data_offsets", {0, -4}},
      {"data_offsets", "0,4"},
  };
  for (const auto& [field, value] : cases) {
    nlohmann::json broken = entry("F32", {1}, 0, 4);
    broken[field] = value;
    SCOPED_TRACE(broken.dump());
    expect_load_error(write({{"w", broken}, {"__metadata__", model_metadata()}}, "abcd"), field);
  }
  expect_load_error(write({{"w", 7}, {"__metadata__", model_metadata()}}, "abcd"), "'w'");
  nlohmann::json extra = entry("F32", {1}, 0, 4);
  extra["scale"] = 1;
  expect_load_error(write({{"w", extra}, {"__metadata__", model_metadata()}}, "abcd"), "scale");
}

TEST_F(CheckpointCorrupt, ShapeDoesNotMatchOffsets) {
  expect_load_error(write({{"w", entry("F32", {2, 2}, 0, 12)}, {"__metadata__", model_metadata()}},
                          std::string(12, '\0')),
                    "[2, 2]");
}

TEST_F(CheckpointCorrupt, ShapeOverflows) {
  const int big = 2'000'000'000;
  expect_load_error(write({{"w", entry("F32", {big, big, big}, 0, 4)}, {"__metadata__", model_metadata()}}, "abcd"),
                    "too many elements");
  // The element count fits in 64 bits but its byte count does not.
  expect_load_error(write({{"w", entry("F32", {2147483647, 2147483647, 2}, 0, 4)}, {"__metadata__", model_metadata()}},
                          "abcd"),
                    "too many elements");
}

TEST_F(CheckpointCorrupt, OffsetsEndBeforeTheyBegin) {
  expect_load_error(write({{"w", entry("F32", {0}, 8, 4)}, {"__metadata__", model_metadata()}}, "abcdefgh"),
                    "end before");
}

TEST_F(CheckpointCorrupt, OverlappingOffsets) {
  expect_load_error(write({{"a", entry("F32", {2}, 0, 8)}, {"b", entry("F32", {2}, 4, 12)},
                           {"__metadata__", model_metadata()}},
                          std::string(12, '\0')),
                    "overlap");
  expect_load_error(write({{"a", entry("F32", {2}, 0, 8)}, {"b", entry("F32", {2}, 0, 8)},
                           {"__metadata__", model_metadata()}},
                          std::string(8, '\0')),
                    "overlap");
}

TEST_F(CheckpointCorrupt, HoleInTheData) {
  expect_load_error(write({{"a", entry("F32", {1}, 0, 4)}, {"b", entry("F32", {1}, 8, 12)},
                           {"__metadata__", model_metadata()}},
                          std::string(12, '\0')),
                    "belong to no tensor");
}

TEST_F(CheckpointCorrupt, OffsetsPastTheData) {
  expect_load_error(write({{"a", entry("F32", {2}, 0, 8)}, {"__metadata__", model_metadata()}}, "abcd"), "go past");
}

TEST_F(CheckpointCorrupt, DuplicateTensorName) {
  // JSON text with a repeated key; a parser keeping the last one would hide it.
  const std::string meta = model_metadata().dump();
  const std::string text = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                           R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":)" +
                           meta + "}";
  std::string bytes(8, '\0');
  const std::uint64_t n = text.size();
  std::memcpy(bytes.data(), &n, 8);
  expect_load_error(write(bytes + text + "abcd"), "twice");
}

TEST_F(CheckpointCorrupt, MissingModel) {
  expect_load_error(write({{"w", entry("F32", {1}, 0, 4)}}, "abcd"), "lenet.model");
  expect_load_error(write({{"w", entry("F32", {1}, 0, 4)}, {"__metadata__", {{"format", "pt"}}}}, "abcd"),
                    "lenet.model");
}

TEST_F(CheckpointCorrupt, InvalidModel) {
  expect_load_error(write({{"__metadata__", {{"lenet.model", "{not json"}}}}, ""), "lenet.model");
  nlohmann::json spec = small_spec().to_json();
  spec["layers"][0]["type"] = "recurrent";
  expect_load_error(write({{"__metadata__", {{"lenet.model", spec.dump()}}}}, ""), "recurrent");
  spec = small_spec().to_json();
  spec["format"] = 3;  // not even a string
  expect_load_error(write({{"__metadata__", {{"lenet.model", spec.dump()}}}}, ""), "lenet.model");
}

TEST_F(CheckpointCorrupt, MetadataNotStrings) {
  nlohmann::json meta = model_metadata();
  meta["epoch"] = 3;
  expect_load_error(write({{"__metadata__", meta}}, ""), "epoch");
  expect_load_error(write({{"__metadata__", "x"}}, ""), "__metadata__");
}

// --- checkpoints that load but do not fit their model ---

TEST(CheckpointNetwork, WrongShapeForTheModel) {
  Network net = tutorial_network(small_spec());
  Checkpoint c = checkpoint_from_network(net);
  c.tensors[2].shape = {2, 3, 5, 5};  // layer1.W is [3, 2, 5, 5]: the same size, so only the shape is wrong
  expect_error([&] { network_from_checkpoint(c); }, {"layer1.W", "[2, 3, 5, 5]", "[3, 2, 5, 5]"});
}

TEST(CheckpointNetwork, WrongShapeAfterASaveAndLoad) {
  // The file is a valid safetensors file; only the model says the shape is wrong.
  test::TempDir dir;
  const std::string path = dir.file("c.safetensors");
  Network net = tutorial_network(small_spec());
  Checkpoint c = checkpoint_from_network(net);
  c.tensors[4].shape = {c.tensors[4].shape[1], c.tensors[4].shape[0]};  // layer2.W [48, 4] stored as [4, 48]
  save_checkpoint(path, c);
  const Checkpoint loaded = load_checkpoint(path);
  expect_error([&] { network_from_checkpoint(loaded); }, {"layer2.W", "[4, 48]", "[48, 4]"});
}

TEST(CheckpointNetwork, MissingTensor) {
  Network net = tutorial_network(small_spec());
  Checkpoint c = checkpoint_from_network(net);
  c.tensors.erase(c.tensors.begin() + 5);
  expect_error([&] { network_from_checkpoint(c); }, {"missing", "layer2.b"});
}

TEST(CheckpointNetwork, ExtraTensor) {
  Network net = tutorial_network(small_spec());
  Checkpoint c = checkpoint_from_network(net);
  c.tensors.push_back({"layer9.W", {1}, {0.0f}});
  expect_error([&] { network_from_checkpoint(c); }, {"layer9.W", "not a parameter"});
}

TEST(CheckpointNetwork, ModelThatCannotBeBuilt) {
  Checkpoint c;
  c.model = ModelSpec::tutorial();
  c.model.in_h = c.model.in_w = 6;  // too small for two 5x5 convolutions
  EXPECT_THROW(network_from_checkpoint(c), Error);
}

TEST(CheckpointSave, RefusesInconsistentTensors) {
  test::TempDir dir;
  const std::string path = dir.file("s.safetensors");
  Checkpoint c;
  c.model = small_spec();
  c.tensors.push_back({"a", {2, 3}, std::vector<float>(5)});
  expect_error([&] { save_checkpoint(path, c); }, {path, "'a'", "[2, 3]"});
  c.tensors = {{"a", {1}, {1.0f}}, {"a", {1}, {2.0f}}};
  expect_error([&] { save_checkpoint(path, c); }, {path, "twice"});
  c.tensors = {{"__metadata__", {1}, {1.0f}}};
  expect_error([&] { save_checkpoint(path, c); }, {path, "__metadata__"});
  c.tensors.clear();
  c.metadata["lenet.model"] = "{}";
  expect_error([&] { save_checkpoint(path, c); }, {path, "lenet.model"});
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace lenet
