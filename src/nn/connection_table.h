// Connection tables: which input maps each output map of a convolution reads (LeNet-5's sparse C3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lenet {

// table[k] = the input maps that output map k reads.
using ConnectionTable = std::vector<std::vector<int>>;

// Table I of LeCun et al. 1998: C3's 16 maps over S2's 6 (60 connections). Maps 0-5 read 3
// neighbouring S2 maps, 6-11 four neighbouring, 12-14 four non-neighbouring, 15 all six.
ConnectionTable lenet5_c3_table();

// Each of out_maps maps reads k of in_maps inputs chosen at random (the seed's notes:
// "it applies four images for each filter at random"), reproducibly from seed.
ConnectionTable random_table(int out_maps, int in_maps, int k, std::uint32_t seed);

// Checks sizes and entries (in range, no repeats, none empty); errors begin with `where`.
void check_table(const ConnectionTable& table, int out_maps, int in_maps, const std::string& where);

// Number of (output map, input map) pairs.
int connection_count(const ConnectionTable& table);

}  // namespace lenet
