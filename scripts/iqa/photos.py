"""The pristine photos the quality model learns from and is evaluated on,
all from Debian packages (installed on demand): the nature photos of
mate-backgrounds, the photographs among scikit-image's sample data
(python3-skimage) and the one photograph in lomiri-wallpapers-20.04. Drawings
and renders (ukui-wallpapers, gnome-backgrounds, mate's abstract and desktop
folders) are left out, and plasma-workspace-wallpapers is never used:
it is reserved for independent evaluation. A fixed set is held out of
training for eval_iqa.py."""
import glob
import os
import subprocess

import torch
from PIL import Image

MATE = "/usr/share/backgrounds/mate/nature"
LOMIRI_PHOTOS = ["/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg"]  # lomiri-wallpapers-20.04
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
SKIMAGE_PHOTOS = ["astronaut.png", "brick.png", "camera.png", "chelsea.png", "coffee.png", "coins.png", "grass.png",
                  "gravel.png", "motorcycle_left.png", "motorcycle_right.png", "rocket.jpg"]
HELD_OUT = {"Garden.jpg", "LadyBird.jpg", "Storm.jpg", "astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"}
WORKING_SIZE = 384  # shorter side, then a center crop of this size: the model's recipe


def ensure_packages():
    missing = [package for package, path in (("mate-backgrounds", MATE), ("python3-skimage", SKIMAGE),
                                             ("lomiri-wallpapers-20.04", LOMIRI_PHOTOS[0]))
               if not os.path.exists(path)]
    if missing:
        subprocess.run(["apt-get", "install", "-y", *missing], check=True, stdout=subprocess.DEVNULL)


def all_photos():
    ensure_packages()
    photos = sorted(glob.glob(os.path.join(MATE, "*.jpg")))
    photos += [os.path.join(SKIMAGE, name) for name in SKIMAGE_PHOTOS]
    photos += LOMIRI_PHOTOS
    return photos


def split():
    photos = all_photos()
    train = [p for p in photos if os.path.basename(p) not in HELD_OUT]
    held_out = [p for p in photos if os.path.basename(p) in HELD_OUT]
    return train, held_out


def load(path, size=WORKING_SIZE, crop=True):
    """The photo as mtool --exact-resize prepares it: upright RGB, shorter side
    `size` with PIL's bilinear filter, center crop; float [3,H,W] in 0..1."""
    from PIL import ImageOps
    image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    width, height = image.size
    if width <= height:
        image = image.resize((size, int(size * height / width)), Image.BILINEAR)
    else:
        image = image.resize((int(size * width / height), size), Image.BILINEAR)
    tensor = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8) \
        .view(image.size[1], image.size[0], 3).permute(2, 0, 1).float() / 255
    if crop:
        _, h, w = tensor.shape
        top, left = int(round((h - size) / 2.0)), int(round((w - size) / 2.0))
        tensor = tensor[:, top:top + size, left:left + size]
    return tensor


def shorter_side(path):
    with Image.open(path) as image:
        return min(image.size)
