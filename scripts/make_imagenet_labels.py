#!/usr/bin/python3
"""Writes data/imagenet_classes.txt (one ImageNet-1k class name per line, in
index order) from Debian's python3-torchvision, which carries the names in
torchvision/models/_meta.py. Run with /usr/bin/python3; the output is
committed and embedded in mtool, so mtool itself never needs Python."""
import pathlib
import sys

from torchvision.models._meta import _IMAGENET_CATEGORIES

if len(_IMAGENET_CATEGORIES) != 1000:
    sys.exit(f"expected 1000 ImageNet classes, found {len(_IMAGENET_CATEGORIES)}")
out = pathlib.Path(__file__).resolve().parent.parent / "data" / "imagenet_classes.txt"
out.write_text("".join(name + "\n" for name in _IMAGENET_CATEGORIES))
print(f"wrote {out} ({len(_IMAGENET_CATEGORIES)} names)")
