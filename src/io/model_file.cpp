// load_model_description: presets and model files in JSON or TOML.
#include "io/model_file.h"

#include <filesystem>
#include <fstream>

#include <toml++/toml.h>

#include "core/error.h"

namespace lenet {

namespace {

// A TOML value as the equivalent JSON value (tables as objects, arrays as arrays). Dates and
// times have no place in a model description and are rejected.
nlohmann::json to_json(const toml::node& node, const std::string& where) {
  if (const auto* table = node.as_table()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, value] : *table) j[std::string(key.str())] = to_json(value, where + "." + std::string(key.str()));
    return j;
  }
  if (const auto* array = node.as_array()) {
    nlohmann::json j = nlohmann::json::array();
    for (std::size_t i = 0; i < array->size(); ++i) j.push_back(to_json((*array)[i], fmt::format("{}[{}]", where, i)));
    return j;
  }
  if (const auto* v = node.as_string()) return v->get();
  if (const auto* v = node.as_integer()) return v->get();
  if (const auto* v = node.as_floating_point()) return v->get();
  if (const auto* v = node.as_boolean()) return v->get();
  fail("{}: dates and times are not model settings", where.empty() ? "(top level)" : where.substr(1));
}

nlohmann::json read_toml(const std::string& path) {
  try {
    const toml::table table = toml::parse_file(path);
    return to_json(table, "");
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    fail("not valid TOML at line {}, column {} ({})", where.line, where.column, e.description());
  }
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail("not valid JSON ({})", e.what());
  }
}

}  // namespace

ModelSpec load_model_description(const std::string& preset_or_path) {
  if (auto preset = ModelSpec::preset(preset_or_path)) return *preset;
  if (!std::filesystem::is_regular_file(preset_or_path))
    fail("{}: no such model file (and not a preset: the presets are 'tutorial' and 'lenet5')", preset_or_path);
  const bool toml = std::filesystem::path(preset_or_path).extension() == ".toml";
  try {
    return ModelSpec::from_json(toml ? read_toml(preset_or_path) : read_json(preset_or_path));
  } catch (const Error& e) {
    fail("{}: {}", preset_or_path, e.what());
  }
}

}  // namespace lenet
