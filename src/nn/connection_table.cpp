// Connection tables: LeNet-5's Table I, seeded random tables, and their checks.
#include "nn/connection_table.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/rng.h"

namespace lenet {

ConnectionTable lenet5_c3_table() {
  ConnectionTable t;
  for (int k = 0; k < 6; ++k) t.push_back({k, (k + 1) % 6, (k + 2) % 6});
  for (int k = 0; k < 6; ++k) t.push_back({k, (k + 1) % 6, (k + 2) % 6, (k + 3) % 6});
  t.push_back({0, 1, 3, 4});
  t.push_back({1, 2, 4, 5});
  t.push_back({0, 2, 3, 5});
  t.push_back({0, 1, 2, 3, 4, 5});
  for (auto& inputs : t) std::sort(inputs.begin(), inputs.end());
  return t;
}

ConnectionTable random_table(int out_maps, int in_maps, int k, std::uint32_t seed) {
  if (k <= 0 || k > in_maps) fail("a random table needs 1 <= k <= {} inputs per map, got {}", in_maps, k);
  Rng rng(seed);
  ConnectionTable t(out_maps);
  std::vector<int> maps(in_maps);
  for (auto& inputs : t) {
    std::iota(maps.begin(), maps.end(), 0);
    for (int i = 0; i < k; ++i) std::swap(maps[i], maps[i + rng.below(in_maps - i)]);
    inputs.assign(maps.begin(), maps.begin() + k);
    std::sort(inputs.begin(), inputs.end());
  }
  return t;
}

void check_table(const ConnectionTable& table, int out_maps, int in_maps, const std::string& where) {
  if (static_cast<int>(table.size()) != out_maps)
    fail("{}: the connection table has {} rows for {} output maps", where, table.size(), out_maps);
  for (std::size_t k = 0; k < table.size(); ++k) {
    if (table[k].empty()) fail("{}: output map {} reads no input map", where, k);
    std::vector<int> sorted = table[k];
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      fail("{}: output map {} lists an input map twice", where, k);
    if (sorted.front() < 0 || sorted.back() >= in_maps)
      fail("{}: output map {} reads input map {}, but there are {} input maps", where, k,
           sorted.front() < 0 ? sorted.front() : sorted.back(), in_maps);
  }
}

int connection_count(const ConnectionTable& table) {
  int n = 0;
  for (const auto& inputs : table) n += static_cast<int>(inputs.size());
  return n;
}

}  // namespace lenet
