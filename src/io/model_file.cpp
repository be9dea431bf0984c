// load_model_description: presets and JSON model files.
#include "io/model_file.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace lenet {

ModelSpec load_model_description(const std::string& preset_or_path) {
  if (auto preset = ModelSpec::preset(preset_or_path)) return *preset;
  if (!std::filesystem::is_regular_file(preset_or_path))
    fail("{}: no such model file (and not a preset: the presets are 'tutorial' and 'lenet5')", preset_or_path);
  std::ifstream in(preset_or_path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON ({})", preset_or_path, e.what());
  }
  try {
    return ModelSpec::from_json(j);
  } catch (const Error& e) {
    fail("{}: {}", preset_or_path, e.what());
  }
}

}  // namespace lenet
