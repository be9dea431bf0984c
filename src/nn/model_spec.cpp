// ModelSpec to and from JSON, with errors that name the layer and the field.
#include "nn/model_spec.h"

#include <set>

#include "core/error.h"

namespace lenet {

ModelSpec ModelSpec::tutorial(int nkerns0, int nkerns1, int n_hidden, int classes) {
  ModelSpec m;
  LayerSpec conv;
  conv.type = "conv_pool";
  conv.name = "layer0";
  conv.maps = nkerns0;
  m.layers.push_back(conv);
  conv.name = "layer1";
  conv.maps = nkerns1;
  m.layers.push_back(conv);
  LayerSpec hidden;
  hidden.type = "hidden";
  hidden.name = "layer2";
  hidden.units = n_hidden;
  m.layers.push_back(hidden);
  LayerSpec lr;
  lr.type = "logistic_regression";
  lr.name = "layer3";
  lr.units = classes;
  lr.activation = "identity";
  m.layers.push_back(lr);
  return m;
}

nlohmann::json ModelSpec::to_json() const {
  nlohmann::json layers_json = nlohmann::json::array();
  for (const LayerSpec& l : layers) {
    nlohmann::json j{{"type", l.type}, {"name", l.name}};
    if (l.type == "conv_pool") {
      j["maps"] = l.maps;
      j["filter"] = {l.filter_h, l.filter_w};
      j["pool"] = {l.pool_h, l.pool_w};
      j["ignore_border"] = l.ignore_border;
      j["activation"] = l.activation;
    } else if (l.type == "hidden") {
      j["units"] = l.units;
      j["activation"] = l.activation;
    } else {
      j["classes"] = l.units;
    }
    layers_json.push_back(j);
  }
  return {{"format", "lenet-model"},
          {"version", 1},
          {"input", {{"maps", in_maps}, {"height", in_h}, {"width", in_w}}},
          {"layers", layers_json}};
}

namespace {

int get_int(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_number_integer()) fail("{}: '{}' must be an integer", where, key);
  return j[key].get<int>();
}

std::pair<int, int> get_pair(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& v = j.at(key);
  if (v.is_number_integer()) return {v.get<int>(), v.get<int>()};
  if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer())
    fail("{}: '{}' must be an integer or a pair of integers [h, w]", where, key);
  return {v[0].get<int>(), v[1].get<int>()};
}

void check_keys(const nlohmann::json& j, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& [key, value] : j.items())
    if (!allowed.contains(key)) fail("{}: unknown field '{}'", where, key);
}

}  // namespace

ModelSpec ModelSpec::from_json(const nlohmann::json& j) {
  try {
    return parse(j);
  } catch (const nlohmann::json::exception& e) {
    fail("model description: {}", e.what());
  }
}

ModelSpec ModelSpec::parse(const nlohmann::json& j) {
  if (!j.is_object()) fail("model description: expected a JSON object");
  if (j.contains("format") && j["format"] != "lenet-model")
    fail("model description: 'format' must be \"lenet-model\"");
  ModelSpec m;
  if (j.contains("input")) {
    const auto& in = j["input"];
    if (!in.is_object()) fail("model description: 'input' must be an object {{maps, height, width}}");
    m.in_maps = get_int(in, "maps", "model input");
    m.in_h = get_int(in, "height", "model input");
    m.in_w = get_int(in, "width", "model input");
  }
  if (!j.contains("layers") || !j["layers"].is_array() || j["layers"].empty())
    fail("model description: 'layers' must be a non-empty array");
  for (std::size_t i = 0; i < j["layers"].size(); ++i) {
    const auto& lj = j["layers"][i];
    LayerSpec l;
    l.name = "layer" + std::to_string(i);
    if (!lj.is_object()) fail("{}: expected a JSON object", l.name);
    if (lj.contains("name")) {
      if (!lj["name"].is_string()) fail("{}: 'name' must be a string", l.name);
      l.name = lj["name"].get<std::string>();
    }
    const std::string where = fmt::format("layer '{}'", l.name);
    if (!lj.contains("type") || !lj["type"].is_string()) fail("{}: 'type' must be a string", where);
    l.type = lj["type"].get<std::string>();
    auto get_activation = [&](const char* fallback) {
      if (!lj.contains("activation")) return std::string(fallback);
      if (!lj["activation"].is_string()) fail("{}: 'activation' must be a string", where);
      return lj["activation"].get<std::string>();
    };
    if (l.type == "conv_pool") {
      check_keys(lj, {"type", "name", "maps", "filter", "pool", "ignore_border", "activation"}, where);
      l.maps = get_int(lj, "maps", where);
      if (!lj.contains("filter")) fail("{}: 'filter' is required", where);
      std::tie(l.filter_h, l.filter_w) = get_pair(lj, "filter", where);
      if (lj.contains("pool")) std::tie(l.pool_h, l.pool_w) = get_pair(lj, "pool", where);
      if (lj.contains("ignore_border")) {
        if (!lj["ignore_border"].is_boolean()) fail("{}: 'ignore_border' must be true or false", where);
        l.ignore_border = lj["ignore_border"].get<bool>();
      }
      l.activation = get_activation("tanh");
    } else if (l.type == "hidden") {
      check_keys(lj, {"type", "name", "units", "activation"}, where);
      l.units = get_int(lj, "units", where);
      l.activation = get_activation("tanh");
    } else if (l.type == "logistic_regression") {
      check_keys(lj, {"type", "name", "classes"}, where);
      l.units = get_int(lj, "classes", where);
      l.activation = "identity";
    } else {
      fail("{}: unknown type '{}' (expected conv_pool, hidden or logistic_regression)", where, l.type);
    }
    m.layers.push_back(l);
  }
  return m;
}

}  // namespace lenet
