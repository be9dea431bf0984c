// summarize and format_summary: counts from the layers' own shapes.
#include "nn/summary.h"

#include <fmt/format.h>

#include "nn/conv_pool.h"
#include "nn/dense.h"

namespace lenet {

ModelSummary summarize(Network& network) {
  ModelSummary s;
  s.input = network.input_shape();
  std::int64_t floats = s.input.sample_size();
  for (const auto& layer : network.layers()) {
    LayerSummary l;
    l.name = layer->name();
    l.type = layer->spec().type;
    l.output = layer->output_shape();
    l.parameters = layer->parameter_count();
    l.multiply_adds = layer->multiply_adds();
    l.activations = static_cast<std::int64_t>(l.output.sample_size());
    l.connections = layer->connections();
    const LayerSpec& spec = layer->spec();
    if (l.type == "conv_pool") {
      l.description = fmt::format("{} filters {}x{}, max-pool {}x{}{}, {}", spec.maps, spec.filter_h, spec.filter_w,
                                  spec.pool_h, spec.pool_w, spec.ignore_border ? "" : " (partial windows kept)",
                                  spec.activation);
    } else if (l.type == "conv") {
      int table_links = 0;
      for (const auto& row : spec.table) table_links += static_cast<int>(row.size());
      l.description = fmt::format("{} filters {}x{}, {}, {}", spec.maps, spec.filter_h, spec.filter_w,
                                  spec.table.empty() ? fmt::format("all {} input maps", layer->input_shape().c)
                                                     : fmt::format("table of {} connections", table_links),
                                  spec.activation);
    } else if (l.type == "subsampling") {
      l.description = fmt::format("{}x{} sums x coefficient + bias, {}", spec.pool_h, spec.pool_w, spec.activation);
    } else if (l.type == "hidden") {
      l.description = fmt::format("{} units, {}", spec.units, spec.activation);
    } else {
      l.description = fmt::format("{} classes, softmax", spec.units);
    }
    floats += l.activations;
    s.parameters += l.parameters;
    s.connections += l.connections;
    s.multiply_adds += l.multiply_adds;
    s.layers.push_back(l);
  }
  s.activation_bytes = floats * static_cast<std::int64_t>(sizeof(float));
  return s;
}

std::string format_summary(const ModelSummary& s) {
  std::string out = fmt::format("input: {} x {} x {}\n", s.input.c, s.input.h, s.input.w);
  out += fmt::format("{:<8} {:<20} {:<14} {:>12} {:>14} {:>14}  {}\n", "layer", "type", "output", "parameters",
                     "connections", "multiply-adds", "");
  for (const LayerSummary& l : s.layers)
    out += fmt::format("{:<8} {:<20} {:<14} {:>12} {:>14} {:>14}  {}\n", l.name, l.type,
                       fmt::format("{}x{}x{}", l.output.c, l.output.h, l.output.w), l.parameters, l.connections,
                       l.multiply_adds, l.description);
  out += fmt::format("{:<8} {:<20} {:<14} {:>12} {:>14} {:>14}\n", "total", "", "", s.parameters, s.connections,
                     s.multiply_adds);
  out += fmt::format("memory per image for training: {:.1f} KiB of activations; parameters {:.1f} KiB\n",
                     s.activation_bytes / 1024.0, s.parameters * 4 / 1024.0);
  return out;
}

}  // namespace lenet
