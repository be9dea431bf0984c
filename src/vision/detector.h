// Finding digits in larger images: an image pyramid, the network slid over every level (shared
// computation), and non-maximum suppression.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nn/network.h"
#include "vision/sliding.h"
#include "vision/resample.h"

namespace lenet {

struct Box {
  double x = 0, y = 0, w = 0, h = 0;  // top-left corner and size, in image pixels
};
// Intersection over union; 0 for boxes that do not overlap.
double iou(const Box& a, const Box& b);
// Intersection over the smaller box's area: 1 when one box lies inside the other.
double overlap_of_smaller(const Box& a, const Box& b);

struct Detection {
  Box box;
  int label = 0;      // the digit
  float score = 0;    // its probability
  int level = 0;      // the pyramid level it came from
};

struct DetectOptions {
  double scale_step = 1.25;  // size ratio between consecutive pyramid levels (> 1)
  double min_size = 0;       // smallest digit box to look for, pixels (0: the network's window, 28)
  double max_size = 0;       // largest (0: the image's shorter side)
  float threshold = 0.5f;    // lowest score reported
  // A detection is dropped when a better one covers more than this fraction of the smaller of
  // the two boxes (digits do not overlap, so a box inside another is the same digit seen at
  // another level or position).
  double nms_overlap = 0.4;
  bool windowed = false;     // evaluate window by window instead of sliding (slow; for comparison)

  // Throws lenet::Error naming the option for a value that makes no sense.
  void validate() const;
};

// One pyramid level: the image resized by `scale` (level pixels per image pixel, per axis).
struct PyramidLevel {
  double scale_x = 1, scale_y = 1;
  Plane image;
};
struct LevelSize {
  int width = 0, height = 0;
};
// Level sizes from the finest (min_size boxes fill a window) to the coarsest (max_size boxes do,
// or the level would be smaller than a window), each scale_step smaller than the last. Errors for
// a level over 64 M pixels or more than 200 levels.
std::vector<LevelSize> pyramid_sizes(int width, int height, int window, const DetectOptions& options);
// One level: the image resized to `size`.
PyramidLevel pyramid_level(const Plane& image, LevelSize size);
// All levels at once (for tests and tools; the detector makes one at a time).
std::vector<PyramidLevel> image_pyramid(const Plane& image, int window, const DetectOptions& options);

// Greedy non-maximum suppression over all classes: keeps detections in decreasing score, dropping
// any whose overlap_of_smaller with a kept one exceeds max_overlap. Returns them sorted by
// decreasing score.
std::vector<Detection> non_max_suppression(std::vector<Detection> detections, double max_overlap);

struct DetectStats {
  int levels = 0;
  long windows = 0;  // window positions evaluated over all levels
  double seconds = 0;
};

// Finds digits with a classifier whose class 10 (when it has 11 classes) means "no digit"; a
// 10-class network relies on the threshold alone. The score of a window is its best digit's
// probability. A Detector keeps its buffers (tens of MB for a large level) between images.
class Detector {
 public:
  // Checks the options and that the network can slide; errors name the option or the layer.
  Detector(Network& network, const DetectOptions& options);
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  std::vector<Detection> detect(const Plane& image, DetectStats* stats = nullptr);

 private:
  Network& network_;
  DetectOptions options_;
  std::unique_ptr<SlidingNetwork> sliding_;
  Tensor x_, windowed_;
};

// One image with a Detector of its own.
std::vector<Detection> detect(Network& network, const Plane& image, const DetectOptions& options,
                              DetectStats* stats = nullptr);

// Matching against known boxes: each detection, in decreasing score, takes the unmatched truth
// box with the highest IoU >= min_iou; it is a true positive when the labels agree.
struct Truth {
  Box box;
  int label = 0;
};
struct MatchCounts {
  long detections = 0, truths = 0;
  long true_positives = 0;  // IoU >= min_iou and the right digit
  long located = 0;         // IoU >= min_iou, whatever the digit
  double precision() const { return detections > 0 ? double(true_positives) / detections : 1.0; }
  double recall() const { return truths > 0 ? double(true_positives) / truths : 1.0; }
  MatchCounts& operator+=(const MatchCounts& o);
};
MatchCounts match_detections(const std::vector<Detection>& detections, const std::vector<Truth>& truths,
                             double min_iou = 0.5);

// Draws each detection's box (and a small label bar) onto an RGB copy of image.
Image annotate(const Plane& image, const std::vector<Detection>& detections);

}  // namespace lenet
