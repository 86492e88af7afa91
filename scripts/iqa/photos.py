"""The pristine photos the quality model learns from and is evaluated on,
all from Debian packages (installed on demand): the nature photos of
mate-backgrounds, the photographs among scikit-image's sample data
(python3-skimage), the photographs of lomiri-wallpapers-16.04 (Ubuntu's
wallpaper contest photos), the one photograph in lomiri-wallpapers-20.04, and
(from model 7) the five jigsaw photographs of palapeli-data (a night bridge, a
backlit fruit slice, a castle, a bee, a chameleon) and scikit-learn's two
sample photographs (python3-sklearn: a hazy pagoda, a flower).
Drawings and renders (ukui-wallpapers, gnome-backgrounds, mate's abstract and
desktop folders, the other lomiri wallpapers, and lomiri 16.04's one render
and one abstract texture) are left out, and plasma-workspace-wallpapers is never used:
it is reserved for independent evaluation. A fixed set is held out of
training for eval_iqa.py."""
import glob
import os
import subprocess

import torch
from PIL import Image

MATE = "/usr/share/backgrounds/mate/nature"
BACKGROUNDS = "/usr/share/backgrounds"
LOMIRI_16_PHOTOS = ["Bridge_by_Sander_Klootwijk.jpg", "Dragonfly_by_Bolly.jpg", "Picture_0B_by_freespace.jpg",
                    "Picture_1A_by_freespace.jpg", "Wine_by_Jakkub_Mede.jpg", "aitzgorri_by_Aitzol_Berasategi.jpg",
                    "free_by_Peter_Nerlich.jpg", "friends_by_Aitzol_Berasategi.jpg", "greentock_by_Peter_Nerlich.jpg",
                    "life_by_Aitzol_Berasategi.jpg", "picosdeeuropa_by_Aitzol_Berasategi.jpg",
                    "seeding_by_Clements_Engelhardt.jpg", "sunset_by_Aitzol_Berasategi.jpg"]  # lomiri-wallpapers-16.04
LOMIRI_20_PHOTOS = ["Kleiber_by_Lukas_Baubkus.jpg"]  # lomiri-wallpapers-20.04
PALAPELI = "/usr/share/palapeli/collection"  # palapeli-data: every .jpg is a photograph
SKLEARN = "/usr/lib/python3/dist-packages/sklearn/datasets/images"
SKLEARN_PHOTOS = ["china.jpg", "flower.jpg"]
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
SKIMAGE_PHOTOS = ["astronaut.png", "brick.png", "camera.png", "chelsea.png", "coffee.png", "coins.png", "grass.png",
                  "gravel.png", "motorcycle_left.png", "motorcycle_right.png", "rocket.jpg"]
# Held out: chosen before any training; of lomiri 16.04's photos, every fourth in name order.
HELD_OUT = {"Garden.jpg", "LadyBird.jpg", "Storm.jpg", "astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg",
            "Bridge_by_Sander_Klootwijk.jpg", "Wine_by_Jakkub_Mede.jpg", "greentock_by_Peter_Nerlich.jpg",
            "sunset_by_Aitzol_Berasategi.jpg"}
WORKING_SIZE = 384  # shorter side, then a center crop of this size: the model's recipe


def ensure_packages():
    needed = (("mate-backgrounds", MATE), ("python3-skimage", SKIMAGE),
              ("lomiri-wallpapers-16.04", os.path.join(BACKGROUNDS, LOMIRI_16_PHOTOS[0])),
              ("lomiri-wallpapers-20.04", os.path.join(BACKGROUNDS, LOMIRI_20_PHOTOS[0])),
              ("palapeli-data", PALAPELI), ("python3-sklearn", os.path.join(SKLEARN, SKLEARN_PHOTOS[0])))
    missing = [package for package, path in needed if not os.path.exists(path)]
    if missing:
        subprocess.run(["apt-get", "install", "-y", *missing], check=True, stdout=subprocess.DEVNULL)


def all_photos():
    ensure_packages()
    photos = sorted(glob.glob(os.path.join(MATE, "*.jpg")))
    photos += [os.path.join(SKIMAGE, name) for name in SKIMAGE_PHOTOS]
    photos += [os.path.join(BACKGROUNDS, name) for name in LOMIRI_16_PHOTOS + LOMIRI_20_PHOTOS]
    photos += sorted(glob.glob(os.path.join(PALAPELI, "*.jpg")))
    photos += [os.path.join(SKLEARN, name) for name in SKLEARN_PHOTOS]
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
