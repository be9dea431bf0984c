// ModelSpec to and from JSON, with errors that name the layer and the field.
#include "nn/model_spec.h"

#include <set>

#include "core/error.h"
#include "nn/connection_table.h"

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

ModelSpec ModelSpec::lenet5() {
  ModelSpec m;
  m.in_h = m.in_w = 32;
  m.pad = 2;
  m.background = -0.1f;
  m.foreground = 1.175f;
  auto layer = [](const char* type, const char* name) {
    LayerSpec l;
    l.type = type;
    l.name = name;
    l.activation = "scaled_tanh";
    l.init = "lecun";
    return l;
  };
  LayerSpec c1 = layer("conv", "C1");
  c1.maps = 6;
  LayerSpec s2 = layer("subsampling", "S2");
  LayerSpec c3 = layer("conv", "C3");
  c3.maps = 16;
  c3.table = lenet5_c3_table();
  LayerSpec s4 = layer("subsampling", "S4");
  LayerSpec c5 = layer("conv", "C5");
  c5.maps = 120;
  LayerSpec f6 = layer("hidden", "F6");
  f6.units = 84;
  LayerSpec out = layer("logistic_regression", "output");
  out.units = 10;
  out.activation = "identity";
  m.layers = {c1, s2, c3, s4, c5, f6, out};
  return m;
}

std::optional<ModelSpec> ModelSpec::preset(const std::string& name) {
  if (name == "tutorial") return tutorial();
  if (name == "lenet5") return lenet5();
  return std::nullopt;
}

nlohmann::json ModelSpec::to_json() const {
  nlohmann::json layers_json = nlohmann::json::array();
  for (const LayerSpec& l : layers) {
    nlohmann::json j{{"type", l.type}, {"name", l.name}};
    if (l.type == "conv_pool" || l.type == "conv") {
      j["maps"] = l.maps;
      j["filter"] = {l.filter_h, l.filter_w};
      if (l.type == "conv_pool") {
        j["pool"] = {l.pool_h, l.pool_w};
        j["ignore_border"] = l.ignore_border;
      }
      if (!l.table.empty()) j["table"] = l.table;
      j["activation"] = l.activation;
    } else if (l.type == "subsampling") {
      j["pool"] = {l.pool_h, l.pool_w};
      j["activation"] = l.activation;
    } else if (l.type == "hidden") {
      j["units"] = l.units;
      j["activation"] = l.activation;
    } else {
      j["classes"] = l.units;
    }
    if (l.init != "tutorial") j["init"] = l.init;
    layers_json.push_back(j);
  }
  nlohmann::json input{{"maps", in_maps}, {"height", in_h}, {"width", in_w}};
  if (pad != 0) input["pad"] = pad;
  if (background != 0.0f || foreground != 1.0f) {
    input["background"] = background;
    input["foreground"] = foreground;
  }
  return {{"format", "lenet-model"}, {"version", 1}, {"input", input}, {"layers", layers_json}};
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

// A table as explicit lists, "lenet5" (Table I), or {"random": k, "seed": s}. Input map ranges are
// checked when the layer is built, where the number of input maps is known.
std::vector<std::vector<int>> parse_table(const nlohmann::json& t, int maps, const std::string& where) {
  if (t.is_string()) {
    if (t != "lenet5") fail("{}: 'table' must be a list of lists, \"lenet5\" or {{\"random\": k}}", where);
    return lenet5_c3_table();
  }
  if (t.is_object()) {
    check_keys(t, {"random", "inputs", "seed"}, where + " table");
    const int k = get_int(t, "random", where + " table");
    const int inputs = get_int(t, "inputs", where + " table");
    const int seed = t.contains("seed") ? get_int(t, "seed", where + " table") : 23455;
    return random_table(maps, inputs, k, static_cast<std::uint32_t>(seed));
  }
  if (!t.is_array()) fail("{}: 'table' must be a list of lists, \"lenet5\" or {{\"random\": k, \"inputs\": n}}", where);
  std::vector<std::vector<int>> table;
  for (const auto& row : t) {
    if (!row.is_array()) fail("{}: each row of 'table' must be a list of input maps", where);
    std::vector<int> inputs;
    for (const auto& v : row) {
      if (!v.is_number_integer()) fail("{}: 'table' entries must be integers", where);
      inputs.push_back(v.get<int>());
    }
    table.push_back(inputs);
  }
  return table;
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
    check_keys(in, {"maps", "height", "width", "pad", "background", "foreground"}, "model input");
    m.in_maps = get_int(in, "maps", "model input");
    m.in_h = get_int(in, "height", "model input");
    m.in_w = get_int(in, "width", "model input");
    if (in.contains("pad")) m.pad = get_int(in, "pad", "model input");
    if (m.pad < 0) fail("model input: 'pad' must be 0 or more, got {}", m.pad);
    for (const char* key : {"background", "foreground"})
      if (in.contains(key) && !in[key].is_number()) fail("model input: '{}' must be a number", key);
    m.background = in.value("background", 0.0f);
    m.foreground = in.value("foreground", 1.0f);
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
    if (lj.contains("init")) {
      if (!lj["init"].is_string() || (lj["init"] != "tutorial" && lj["init"] != "lecun"))
        fail("{}: 'init' must be \"tutorial\" or \"lecun\"", where);
      l.init = lj["init"].get<std::string>();
    }
    if (l.type == "conv") {
      check_keys(lj, {"type", "name", "maps", "filter", "table", "activation", "init"}, where);
      l.maps = get_int(lj, "maps", where);
      if (!lj.contains("filter")) fail("{}: 'filter' is required", where);
      std::tie(l.filter_h, l.filter_w) = get_pair(lj, "filter", where);
      if (lj.contains("table")) l.table = parse_table(lj["table"], l.maps, where);
      l.activation = get_activation("tanh");
    } else if (l.type == "subsampling") {
      check_keys(lj, {"type", "name", "pool", "activation", "init"}, where);
      if (lj.contains("pool")) std::tie(l.pool_h, l.pool_w) = get_pair(lj, "pool", where);
      l.activation = get_activation("tanh");
    } else if (l.type == "conv_pool") {
      check_keys(lj, {"type", "name", "maps", "filter", "pool", "ignore_border", "activation", "init"}, where);
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
      check_keys(lj, {"type", "name", "units", "activation", "init"}, where);
      l.units = get_int(lj, "units", where);
      l.activation = get_activation("tanh");
    } else if (l.type == "logistic_regression") {
      check_keys(lj, {"type", "name", "classes", "init"}, where);
      l.units = get_int(lj, "classes", where);
      l.activation = "identity";
    } else {
      fail("{}: unknown type '{}' (expected conv_pool, conv, subsampling, hidden or logistic_regression)", where,
           l.type);
    }
    m.layers.push_back(l);
  }
  return m;
}

}  // namespace lenet
