#!/usr/bin/env bash
# The lenet command line on bad input: one clear line on stderr naming the culprit, a non-zero exit, no crash.
#
# Usage: cli_test.sh LENET_BINARY
set -uo pipefail

lenet=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# expect_error NAME PATTERN ARGS...: lenet ARGS must exit 1..2 (not a signal) with PATTERN on stderr.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  "$lenet" "$@" >"$work/out" 2>"$work/err" </dev/null
  local rc=$?
  if [ "$rc" -ge 1 ] && [ "$rc" -le 3 ] && grep -q -- "$pattern" "$work/err" && ! grep -qi "terminate\|sanitizer\|core dumped" "$work/err"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name: exit $rc, stderr:"
    sed 's/^/    /' "$work/err"
  fi
}

# expect_ok NAME PATTERN ARGS...: exit 0 with PATTERN on stdout.
expect_ok() {
  local name=$1 pattern=$2
  shift 2
  if "$lenet" "$@" >"$work/out" 2>"$work/err" </dev/null && grep -q -- "$pattern" "$work/out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name: stdout:"; sed 's/^/    /' "$work/out"; echo "  stderr:"; sed 's/^/    /' "$work/err"
  fi
}

# A tiny IDX data folder: 30 train images (10 held out for validation), 10 test images, 28x28.
mkdir "$work/data"
python_free_idx() {  # python_free_idx FILE MAGIC_HEX COUNT [ROWS COLS]: header + zero bytes
  local file=$1 magic=$2 count=$3 rows=${4:-} cols=${5:-}
  {
    printf "$magic"
    printf "%08x" "$count" | sed 's/../\\x&/g' | xargs -0 printf
    if [ -n "$rows" ]; then
      printf "%08x" "$rows" | sed 's/../\\x&/g' | xargs -0 printf
      printf "%08x" "$cols" | sed 's/../\\x&/g' | xargs -0 printf
      head -c $((count * rows * cols)) /dev/zero
    else
      head -c "$count" /dev/zero
    fi
  } >"$file"
}
python_free_idx "$work/data/train-images-idx3-ubyte" '\x00\x00\x08\x03' 30 28 28
python_free_idx "$work/data/train-labels-idx1-ubyte" '\x00\x00\x08\x01' 30
python_free_idx "$work/data/t10k-images-idx3-ubyte" '\x00\x00\x08\x03' 10 28 28
python_free_idx "$work/data/t10k-labels-idx1-ubyte" '\x00\x00\x08\x01' 10

expect_ok "help" "train" --help
expect_ok "train help" "--learning-rate" train --help
expect_error "unknown flag" "--frobnicate" train --frobnicate
expect_error "unknown command" "fly" fly
expect_error "batch 0" "batch-size" train --batch-size 0 --data "$work/data"
expect_error "negative learning rate" "learning-rate" train --learning-rate -0.1 --data "$work/data"
expect_error "nkerns zero" "nkerns" train --nkerns 0,50 --data "$work/data"
expect_error "nkerns one value" "nkerns" train --nkerns 20 --data "$work/data"
expect_error "filter too big" "layer1" train --filter-size 13 --data "$work/data"
expect_error "filter nonsense" "filter-size" train --filter-size five --data "$work/data"
expect_error "missing data dir" "$work/nowhere" train --data "$work/nowhere"
expect_error "validation too large" "validation" train --data "$work/data" --validation-size 30 --n-epochs 0 --out "$work/m.safetensors"

# Zero epochs saves the initial model; eval and predict use it.
expect_ok "train 0 epochs" "Optimization complete" train --data "$work/data" --validation-size 10 --batch-size 5 --n-epochs 0 --out "$work/m.safetensors"
expect_ok "eval" "test error" eval --model "$work/m.safetensors" --data "$work/data" --validation-size 10
expect_ok "train json" '"event":"complete"' train --json --data "$work/data" --validation-size 10 --batch-size 5 --n-epochs 1 --out "$work/m2.safetensors"
printf 'P5\n28 28\n255\n' >"$work/digit.pgm"; head -c 784 /dev/zero >>"$work/digit.pgm"
expect_ok "predict" "class" predict --model "$work/m.safetensors" "$work/digit.pgm"
printf 'P5\n32 32\n255\n' >"$work/big.pgm"; head -c 1024 /dev/zero >>"$work/big.pgm"
expect_error "predict wrong size" "big.pgm" predict --model "$work/m.safetensors" "$work/big.pgm"
expect_error "predict not an image" "model.txt" predict --model "$work/m.safetensors" "$work/model.txt"

# Corrupt or truncated checkpoints.
head -c 100 "$work/m.safetensors" >"$work/cut.safetensors"
expect_error "truncated checkpoint" "cut.safetensors" eval --model "$work/cut.safetensors" --data "$work/data"
echo "not a model" >"$work/model.txt"
expect_error "garbage checkpoint" "model.txt" eval --model "$work/model.txt" --data "$work/data"
expect_error "missing checkpoint" "absent.safetensors" predict --model "$work/absent.safetensors" "$work/digit.pgm"

# Broken IDX files.
cp -r "$work/data" "$work/bad"
head -c 1000 "$work/data/train-images-idx3-ubyte" >"$work/bad/train-images-idx3-ubyte"
expect_error "truncated idx" "train-images-idx3-ubyte" train --data "$work/bad" --validation-size 10
cp "$work/data/train-images-idx3-ubyte" "$work/bad/train-images-idx3-ubyte"
printf '\x00\x00\x08\x05' | dd of="$work/bad/train-images-idx3-ubyte" conv=notrunc status=none
expect_error "wrong magic" "train-images-idx3-ubyte" train --data "$work/bad" --validation-size 10
cp "$work/data/train-images-idx3-ubyte" "$work/bad/train-images-idx3-ubyte"
python_free_idx "$work/bad/train-labels-idx1-ubyte" '\x00\x00\x08\x01' 29
expect_error "label count" "train-labels-idx1-ubyte" train --data "$work/bad" --validation-size 10

# The seed's demos and the summary.
expect_ok "pool-demo ignore_border True" " \[0.6852195  0.87811744\]\]" pool-demo
expect_ok "pool-demo ignore_border False" " \[0.90340192 0.80739129 0.39767684\]\]" pool-demo
expect_error "pool-demo bad shape" "shape" pool-demo --shape 0,1,5,5
expect_error "filters on a grey image" "digit.pgm" filters "$work/digit.pgm" --out "$work/fd"
expect_error "filters on a missing image" "nothing.png" filters "$work/nothing.png" --out "$work/fd"
expect_ok "summary preset" "431080" summary
expect_ok "summary checkpoint" "layer3" summary "$work/m.safetensors"
expect_ok "summary --model lenet5" "60850" summary --model lenet5
echo '{"layers": [{"type": "conv_pool", "maps": 4, "filter": 5}, {"type": "logistic_regression", "classes": 10}]}' >"$work/tiny.json"
expect_ok "summary model file" "layer1" summary "$work/tiny.json"
expect_ok "train model file" "Optimization complete" train --model "$work/tiny.json" --data "$work/data" --validation-size 10 --batch-size 5 --n-epochs 1 --out "$work/tiny.safetensors"
echo '{"layers": [{"type": "conv_pool", "maps": 4}, {"type": "logistic_regression", "classes": 10}]}' >"$work/broken.json"
expect_error "model file missing filter" "broken.json" summary "$work/broken.json"

# Training options added for LeNet-5 and the detector.
expect_error "momentum 1" "momentum" train --momentum 1 --data "$work/data" --validation-size 10
expect_error "shift too large" "shift" train --shift 20 --data "$work/data" --validation-size 10
expect_ok "train deterministic" '"event":"complete"' train --json --deterministic --momentum 0.9 --weight-decay 0.001 --shift 1 --lr-decay 0.9 --data "$work/data" --validation-size 10 --batch-size 5 --n-epochs 1 --out "$work/m3.safetensors"
printf '[[layers]]\ntype = "conv_pool"\nmaps = 4\nfilter = 5\n\n[[layers]]\ntype = "logistic_regression"\nclasses = 10\n' >"$work/tiny.toml"
expect_ok "summary TOML model file" "layer1" summary "$work/tiny.toml"
printf '[[layers]]\ntype = = 1\n' >"$work/broken.toml"
expect_error "TOML syntax error" "line 2" summary "$work/broken.toml"

# Detection: scenes, windows, a detector trained for 0 epochs, its errors.
expect_ok "make-scene" "wrote 2 scenes" make-scene --data "$work/data" --validation-size 10 --count 2 --out "$work/scenes"
expect_error "make-scene digit too big" "digit-size" make-scene --data "$work/data" --validation-size 10 --digit-size 28,300 --out "$work/scenes2"
expect_error "make-scene bad size" "--size" make-scene --data "$work/data" --validation-size 10 --size big --out "$work/scenes2"
expect_error "make-scene absurd size" "--size" make-scene --data "$work/data" --validation-size 10 --size 1e10,5 --out "$work/scenes2"
expect_error "make-scene too many digits" "--digits" make-scene --data "$work/data" --validation-size 10 --digits 0,2147483647 --out "$work/scenes2"
expect_ok "make-windows" "no digit" make-windows --data "$work/data" --validation-size 10 --count 50 --out "$work/win"
expect_error "10 classes cannot learn class 10" "label 10" train --data "$work/win" --n-epochs 0 --out "$work/d10.safetensors"
expect_ok "train a detector" "Optimization complete" train --classes 11 --data "$work/win" --batch-size 10 --n-epochs 1 --out "$work/det.safetensors"
expect_ok "detect an image" "levels" detect --model "$work/det.safetensors" --threshold 0.05 "$work/scenes/scene-000.png" --annotate "$work/ann"
if [ -s "$work/ann/scene-000-detections.png" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: no annotated PNG"; fi
expect_ok "detect json" '"detections"' detect --json --model "$work/det.safetensors" "$work/scenes/scene-001.png"
expect_ok "detect scenes" "precision" detect --model "$work/det.safetensors" --scenes "$work/scenes/scenes.json" --compare-windowed 1
expect_error "detect needs input" "either image files or --scenes" detect --model "$work/det.safetensors"
expect_error "detect scale step" "scale-step" detect --model "$work/det.safetensors" --scale-step 1 "$work/scenes/scene-000.png"
expect_error "detect scale step too fine" "pyramid levels" detect --model "$work/det.safetensors" --scale-step 1.0001 "$work/scenes/scene-000.png"
expect_error "detect threshold" "threshold" detect --model "$work/det.safetensors" --threshold 2 "$work/scenes/scene-000.png"
expect_error "detect tiny min-size" "min-size" detect --model "$work/det.safetensors" --min-size 0.5 "$work/scenes/scene-000.png"
expect_error "detect missing image" "nothing.png" detect --model "$work/det.safetensors" "$work/nothing.png"
echo '{"scenes": [{"image": "scene-000.png"}]}' >"$work/scenes/bad.json"
expect_error "detect bad scene list" "bad.json" detect --model "$work/det.safetensors" --scenes "$work/scenes/bad.json"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
