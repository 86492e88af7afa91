#!/usr/bin/env bash
# Sets up everything, builds mtool, scores the bundled photos (examples/) with
# the built-in quality model, and runs inspect, scan, backport, convert and
# bench on example models that PyTorch writes during the build
# (build/fixtures), plus a real demo-app model from ../shared/corpus when it is
# there (which also names what the photos show).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" >&2
mtool="$root/build/mtool"
examples="$root/build/fixtures"

show() {
  printf '\n$ mtool %s\n' "$*"
  # The examples include models with problems on purpose: mtool's exit code
  # says so (1, or 3 for scan), which is the expected outcome here, not a
  # failure of the demo.
  local code=0
  "$mtool" "$@" || code=$?
  printf '(exit code %d)\n' "$code"
  [[ $code -le 1 || $code -eq 3 ]]
}

show --version
show score "$root/examples"
show score -m "$examples/score/nima.pt" "$root/examples/coffee.jpg"
show inspect "$examples/lite_v8.ptl"
show inspect --runtime 1.10 "$examples/lite_v8.ptl"
show inspect "$examples/state_dict.pt"
show inspect "$examples/scripted_truncated.pt"
show inspect "$examples/torchvision_nms.pt"
show inspect "$examples/whole_module.pt"
out="$root/build/demo"
mkdir -p "$out"
show backport "$examples/lite_v8.ptl" --runtime 1.10 -o "$out/model.v7.ptl" --force --input-shape 1,3,64,64
show convert "$examples/scripted.pt" -o "$out/model.ptl" --optimize --force --input-shape 1,3,64,64
show bench --runs 20 --input-shape 1,3,64,64 "$examples/scripted.pt" "$out/model.ptl" "$out/model.v7.ptl"
show scan "$examples"
corpus="$root/../shared/corpus/demo-apps/ios_mobilenet_quantized.pt"
if [[ -f "$corpus" ]]; then
  show inspect "$corpus"
  show score -m "$corpus" --timings "$root/examples"
fi
