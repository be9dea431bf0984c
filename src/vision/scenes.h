// Synthetic data for the detector: scenes of pasted MNIST digits with their boxes, and the 28x28
// windows (digits and "no digit") that teach a classifier to detect.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "data/dataset.h"
#include "vision/detector.h"

namespace lenet {

struct SceneOptions {
  int width = 256, height = 256;
  int min_digits = 1, max_digits = 5;
  double min_size = 28, max_size = 84;  // side of the pasted 28x28 digit image, pixels
  int gap = 2;                          // pixels kept free between boxes
  // Throws lenet::Error naming the option for values that make no sense.
  void validate() const;
};

struct Scene {
  Plane image;
  std::vector<Truth> truths;  // the pasted digits' squares
  std::vector<int> indices;   // their images' indices in the source dataset
};

// A black canvas with digits from `digits` pasted at random positions and sizes, never
// overlapping (a digit that finds no free place after many tries is left out).
Scene make_scene(const Dataset& digits, const SceneOptions& options, Rng& rng);

// Training windows for a detector (window x window pixels, the network's input size): about half
// are digits centred within 3 pixels at 0.87-1.15 of the window (labelled with the digit), the
// rest "no digit" (labelled `background`): empty windows, digits off centre by 8-20 pixels,
// centred digits at 0.55-0.72 or 1.4-2 of the window (two pyramid levels off), parts of much
// larger digits, much smaller digits, and parts of neighbours. Digits come from digits[begin, end).
Dataset make_detector_windows(const Dataset& digits, int begin, int end, int count, int window, int background,
                              Rng& rng);

}  // namespace lenet
