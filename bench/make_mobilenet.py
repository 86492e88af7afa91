#!/usr/bin/python3
"""Writes a mobilenet_v2-sized lite model (bytecode 8) for bench/backport.sh:
torchvision's architecture with random weights (no download)."""
import sys

import torch
import torchvision

torch.manual_seed(0)
model = torch.jit.script(torchvision.models.mobilenet_v2().eval())
model._save_for_lite_interpreter(sys.argv[1])
