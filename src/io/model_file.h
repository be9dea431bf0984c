// Model descriptions on disk: a built-in preset name or a JSON file (see docs/models.md).
#pragma once

#include <string>

#include "nn/model_spec.h"

namespace lenet {

// "tutorial" and "lenet5" give the presets; anything else is read as a JSON model file, and errors
// name the file (and, from ModelSpec::from_json, the layer and field).
ModelSpec load_model_description(const std::string& preset_or_path);

}  // namespace lenet
