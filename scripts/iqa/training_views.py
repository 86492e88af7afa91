"""Models 3, 4 and 6's training material, computed once and kept on disk: for each
training photo at several sizes (640 px on the longer side up to 12 MP,
small originals enlarged), the pristine photo and native-resolution defects
(scripts/iqa/native_defects.py) at two random levels of each kind, as the
views mtool prepares (scripts/iqa/views.py). One such set is a "group": the
ranking loss compares the members of a group only."""
import math
import multiprocessing
import os

import numpy as np
from PIL import Image, ImageOps

from iqa import native_defects, views
from iqa.distortions import DEFECTS, LEVELS

MAX_PIXELS = 12_000_000
LEVELS_PER_DEFECT = 2
GROUP_SIZE = 1 + (len(DEFECTS) - 1) * LEVELS_PER_DEFECT
GLOBAL_WORK = 2 * views.VIEW  # the reduced copy global-view defects are drawn on


def load_original(path):
    image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    width, height = image.size
    if width * height > MAX_PIXELS:
        factor = math.sqrt(MAX_PIXELS / (width * height))
        image = image.resize((int(width * factor), int(height * factor)), Image.LANCZOS)
    return image


def sizes_for(image, rng):
    """Longer sides to use the photo at: 640 to 1000, 1000 to 1800, 1800 to
    3000, and the original (up to 12 MP); an original under 1000 px is also
    enlarged up to twice, as a photo from a small sensor upsampled would be."""
    longer = max(image.size)
    sizes = [int(rng.uniform(640, 1000)), int(rng.uniform(1000, 1800)), int(rng.uniform(1800, 3000)), longer]
    sizes = [s for s in sizes if s <= longer]
    if longer < 1000:
        sizes += [int(longer * rng.uniform(1.25, 2.0))]
    return sorted(set(sizes))


def resized(image, longer, rng):
    width, height = image.size
    if max(width, height) == longer:
        return image
    factor = longer / max(width, height)
    method = Image.LANCZOS if rng.random() < 0.5 else Image.BICUBIC
    return image.resize((max(views.VIEW, round(width * factor)), max(views.VIEW, round(height * factor))), method)


def scene_variation(rng):
    """A pristine photo as another scene or camera might have taken it (darker,
    another white balance), not a defect; returns a per-pixel function and
    whether it darkened the photo (its absolute score is then left to the
    ranking loss, as in model 2)."""
    gain = np.ones(3, np.float32)
    darkened = rng.random() < 0.35
    if darkened:
        gain *= math.exp(math.log(0.45) * rng.random())  # up to 1.15 stops
    if rng.random() < 0.4:
        balance = np.exp(0.06 * rng.standard_normal(3)).astype(np.float32)
        gain *= balance / balance.mean()
    if np.allclose(gain, 1):
        return (lambda image: image), darkened
    return (lambda image: native_defects.from_linear(native_defects.to_linear(image) * gain)), darkened


def group(image, rng):
    """Views [GROUP_SIZE, 1 + CROPS, V, V, 3] uint8, defect indices and levels."""
    pixels = np.asarray(image, dtype=np.float32) / 255
    vary, darkened = scene_variation(rng)
    height, width = pixels.shape[:2]
    small = vary(np.asarray(image.resize((GLOBAL_WORK, GLOBAL_WORK), Image.BILINEAR), dtype=np.float32) / 255)
    scale = math.sqrt(GLOBAL_WORK * GLOBAL_WORK / (width * height))
    luminance = (native_defects.to_linear(small) @ native_defects.LUMINANCE).ravel()
    mean = float(small.mean())
    margin = native_defects.MARGIN

    def region(left, top):
        x0, y0 = max(0, left - margin), max(0, top - margin)
        x1, y1 = min(width, left + views.VIEW + margin), min(height, top + views.VIEW + margin)
        return x0, y0, left - x0, top - y0, vary(pixels[y0:y1, x0:x1])
    regions = {}
    members = [(0, 0)]
    for defect in range(1, len(DEFECTS)):
        for level in rng.choice(np.arange(1, LEVELS + 1), LEVELS_PER_DEFECT, replace=False):
            members.append((defect, int(level)))
    out = np.empty((len(members), 1 + views.CROPS, views.VIEW, views.VIEW, 3), np.uint8)
    for i, (defect, level) in enumerate(members):
        d = native_defects.Defect(defect, level, rng, luminance, mean)
        whole = views.to_uint8(d.apply(small, scale=scale))
        out[i, 0] = views.global_view(Image.fromarray(whole))
        # The crops go where this version's global view shows detail, as in mtool.
        for k, box in enumerate(views.crop_boxes(width, height, out[i, 0])):
            if box not in regions:
                regions[box] = region(*box)
            x0, y0, dx, dy, part = regions[box]
            damaged = d.apply(part, left=x0, top=y0)
            out[i, 1 + k] = views.to_uint8(damaged[dy:dy + views.VIEW, dx:dx + views.VIEW])
    return out, np.array([m[0] for m in members]), np.array([m[1] for m in members]), darkened


def photo_groups(job):
    """All groups of one photo; its own random stream, so workers change nothing."""
    path, index, repeats, seed = job
    rng = np.random.default_rng([seed, index])
    original = load_original(path)
    out = []
    for _ in range(repeats):
        for longer in sizes_for(original, rng):
            out.append(group(resized(original, longer, rng), rng))
    print(f"  views: {os.path.basename(path)} ({len(out)} groups)", flush=True)
    return out


def build(paths, folder, repeats, seed=0, workers=2):
    """Writes views.npy, defects.npy, levels.npy, darkened.npy to `folder`
    (skipped when they exist for these photos and settings)."""
    stamp = os.path.join(folder, "stamp.txt")
    key = f"{sorted(os.path.basename(p) for p in paths)} {repeats} {seed} v{views.VIEW}x{views.CROPS} defects4"
    if os.path.exists(stamp) and open(stamp).read() == key:
        return
    os.makedirs(folder, exist_ok=True)
    with multiprocessing.Pool(workers) as pool:
        groups = [g for photo in pool.map(photo_groups, [(p, i, repeats, seed) for i, p in enumerate(paths)], 1)
                  for g in photo]
    for i, name in enumerate(["views", "defects", "levels", "darkened"]):
        np.save(os.path.join(folder, name + ".npy"), np.stack([np.asarray(g[i]) for g in groups]))
    with open(stamp, "w") as out:
        out.write(key)
