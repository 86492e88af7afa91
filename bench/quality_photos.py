#!/usr/bin/python3
"""Writes camera-like 12 MP JPEGs for bench/score_quality.sh: the largest
photographs of Debian's lomiri wallpapers (real camera photos of 10 to 20 MP)
brought to 12 MP (Lanczos), with a camera's faint sensor noise (shot and read
noise in linear light) so they compress as camera files do, saved at quality
96 with 4:2:0 chroma: 2 to 4 MB each, as a phone writes them.
usage: quality_photos.py DIR"""
import os
import sys

import numpy as np
from PIL import Image

SOURCES = ["Kleiber_by_Lukas_Baubkus.jpg", "seeding_by_Clements_Engelhardt.jpg", "Dragonfly_by_Bolly.jpg",
           "sunset_by_Aitzol_Berasategi.jpg", "Bridge_by_Sander_Klootwijk.jpg"]
PIXELS = 12_000_000

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
for name in SOURCES:
    source = os.path.join("/usr/share/backgrounds", name)
    target = os.path.join(out, "camera_" + name)
    if os.path.exists(target):
        continue
    if not os.path.exists(source):
        sys.exit(f"no {source}: apt-get install lomiri-wallpapers-16.04 lomiri-wallpapers-20.04")
    image = Image.open(source).convert("RGB")
    factor = (PIXELS / (image.width * image.height)) ** 0.5
    image = image.resize((round(image.width * factor), round(image.height * factor)), Image.LANCZOS)
    linear = (np.asarray(image, dtype=np.float32) / 255) ** 2.2
    linear += np.sqrt(0.008 ** 2 * linear + 0.002 ** 2) * rng.standard_normal(linear.shape, dtype=np.float32)
    pixels = np.clip(np.rint(np.clip(linear, 0, 1) ** (1 / 2.2) * 255), 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(target, quality=96, subsampling=2)
for name in sorted(os.listdir(out)):
    path = os.path.join(out, name)
    with Image.open(path) as image:
        print(f"{name}: {image.width}x{image.height}, {os.path.getsize(path) / 1e6:.1f} MB")
