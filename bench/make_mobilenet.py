#!/usr/bin/python3
"""Writes a mobilenet_v2-sized model: torchvision's architecture with random
weights (no download). PATH.ptl: a lite model (bytecode 8) for
bench/backport.sh; PATH.pt: TorchScript, for bench/score.sh. A PATH with
"optimized" in its name gets torch.utils.mobile_optimizer.optimize_for_mobile
(prepacked convolutions: the case whose backport once stored tensors twice)."""
import sys

import torch
import torchvision

torch.manual_seed(0)
model = torch.jit.script(torchvision.models.mobilenet_v2().eval())
if "optimized" in sys.argv[1]:
    from torch.utils.mobile_optimizer import optimize_for_mobile
    model = optimize_for_mobile(model)
if sys.argv[1].endswith(".pt"):
    model.save(sys.argv[1])
else:
    model._save_for_lite_interpreter(sys.argv[1])
