#!/usr/bin/python3
"""Writes 12+ megapixel JPEG photos for bench/score.sh from the photos in
Debian's mate-backgrounds (nature folder): each is enlarged to 4480x2800
(12.5 MP, about a phone camera's size) with Lanczos and saved as a baseline
JPEG at quality 92, as phone cameras write them. usage: make_photos.py DIR"""
import glob
import os
import sys

from PIL import Image

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
sources = sorted(glob.glob("/usr/share/backgrounds/mate/nature/*.jpg"))
if not sources:
    sys.exit("no photos in /usr/share/backgrounds/mate/nature: apt-get install mate-backgrounds")
for source in sources:
    target = os.path.join(out, os.path.basename(source))
    if not os.path.exists(target):
        Image.open(source).convert("RGB").resize((4480, 2800), Image.LANCZOS).save(target, quality=92)
print(f"{len(os.listdir(out))} photos in {out}")
