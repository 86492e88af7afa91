"""Fixtures for `mtool score` (called by make_fixtures.py): photos in every
format and layout the decoder must handle, and small TorchScript models
whose outputs reveal what they were fed or exercise each kind of output.
Written to OUTDIR/score/; the photos also sit in OUTDIR/score/photos/ (with a
nested folder and a non-image file) for the folder-walking tests."""
import io
import os
from typing import Tuple

import numpy
import torch
import torch.nn as nn
from PIL import Image


class TopMinusBottom(nn.Module):
    """Red in the top half minus red in the bottom half: positive only when
    the photo reached the model upright."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.shape[2] // 2
        return x[:, 0, :h].mean(dim=(1, 2)) - x[:, 0, h:].mean(dim=(1, 2))


class MeanRed(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, 0].mean(dim=(1, 2))


class Segmenter(nn.Module):
    """A [N,2,H,W] map, like a segmentation model's."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 2, 1)

    def forward(self, x):
        return self.conv(x)


class Nima(nn.Module):
    """Ten probabilities: a score distribution over 1..10."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 10)

    def forward(self, x):
        return torch.softmax(self.fc(x.mean(dim=(2, 3))), dim=1)


class TupleOut(nn.Module):
    def forward(self, x: torch.Tensor):
        return x.mean(dim=(1, 2, 3)), x.flatten(1)[:, :5]


class DictOut(nn.Module):
    def forward(self, x: torch.Tensor):
        return {"mean": x.mean(dim=(1, 2, 3)), "max": x.amax(dim=(1, 2, 3))}


class TwoInputs(nn.Module):
    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return x * mask


class WrongShape(nn.Module):
    """Expects 32x32 photos, as a model trained on CIFAR would."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 32 * 32, 4)

    def forward(self, x):
        return self.fc(x.flatten(1))


class Logits(nn.Module):
    """Seven unnormalised class scores, for --labels and softmax."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 7)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3))) * 5


class CropStatistics(nn.Module):
    """For a recipe with native crops: per channel, the crops' mean, their
    means weighted by column and by row, and their mean square, summed over the
    crops (so the crops' order does not count) and ignoring the first, global
    view: any pixel a crop gets from elsewhere in the photo changes them."""

    def __init__(self, crops: int):
        super().__init__()
        self.crops = crops

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        n, _, height, width = x.shape
        crops = x[:, 3:].reshape(n, self.crops, 3, height, width)
        columns = torch.arange(width, dtype=torch.float32).view(1, 1, 1, 1, width)
        rows = torch.arange(height, dtype=torch.float32).view(1, 1, 1, height, 1)
        return (crops.mean(dim=(3, 4)).sum(dim=1), (crops * columns).mean(dim=(3, 4)).sum(dim=1),
                (crops * rows).mean(dim=(3, 4)).sum(dim=1), (crops * crops).mean(dim=(3, 4)).sum(dim=1))


def detailed_patches(width, height, cells, seed):
    """A smooth gradient with a textured square in each of `cells` (column,
    row) of the 6 x 4 grid native crops are placed on: those cells are the
    most detailed at any scale, so every decode path picks the same crops."""
    rng = numpy.random.RandomState(seed)
    x = numpy.linspace(0, 1, width)[None, :, None]
    y = numpy.linspace(0, 1, height)[:, None, None]
    pixels = numpy.concatenate([40 + 150 * x + 0 * y, 60 + 120 * y + 0 * x, 200 - 100 * x + 0 * y], axis=2)
    for column, row in cells:
        left, top = (2 * column + 1) * width // 12 - 100, (2 * row + 1) * height // 8 - 100
        pixels[top:top + 200, left:left + 200] = numpy.kron(rng.rand(25, 25, 3), numpy.ones((8, 8, 1))) * 255
    return Image.fromarray(pixels.clip(0, 255).astype("uint8"))


def halves(width, height):
    """Top half red, bottom half blue."""
    pixels = numpy.zeros((height, width, 3), "uint8")
    pixels[: height // 2, :, 0] = 255
    pixels[height // 2:, :, 2] = 255
    return Image.fromarray(pixels)


def textured(width, height, seed):
    rng = numpy.random.RandomState(seed)
    base = rng.rand(height // 8 + 1, width // 8 + 1, 3)
    big = numpy.kron(base, numpy.ones((8, 8, 1)))[:height, :width]
    return Image.fromarray((big * 255).astype("uint8"))


def make_photos(folder):
    os.makedirs(os.path.join(folder, "nested"), exist_ok=True)
    upright = halves(300, 400)
    # Stored turned a quarter to the left; EXIF orientation 6 says "turn right to view".
    stored = upright.rotate(90, expand=True)
    exif = stored.getexif()
    exif[0x0112] = 6
    stored.save(os.path.join(folder, "oriented.jpg"), quality=95, exif=exif)
    photo = textured(640, 480, 1)
    photo.save(os.path.join(folder, "photo.png"))
    photo.save(os.path.join(folder, "photo.webp"), quality=90)
    photo.save(os.path.join(folder, "photo.tiff"))
    photo.convert("CMYK").save(os.path.join(folder, "cmyk.jpg"), quality=90)
    photo.convert("L").save(os.path.join(folder, "grey.png"))
    grey16 = (numpy.asarray(photo.convert("L"), dtype="uint16") * 257)
    Image.fromarray(grey16.astype("uint16")).save(os.path.join(folder, "nested", "grey16.png"))
    rgba = photo.convert("RGBA")
    rgba.putalpha(128)
    rgba.save(os.path.join(folder, "nested", "rgba.png"))
    red = Image.new("RGB", (64, 64), (255, 0, 0))
    blue = Image.new("RGB", (64, 64), (0, 0, 255))
    red.save(os.path.join(folder, "red_then_blue.gif"), save_all=True, append_images=[blue], duration=100)
    with open(os.path.join(folder, "notes.txt"), "w") as out:
        out.write("not an image: folder walks skip it\n")
    # A PPM whose header has two comment lines, as ImageMagick writes a photo's
    # two-line comment (Debian 12's libvips misreads it; mtool must not).
    netpbm = os.path.join(os.path.dirname(folder), "netpbm")
    os.makedirs(netpbm, exist_ok=True)
    small = textured(64, 48, 2)
    with open(os.path.join(netpbm, "two_comments.ppm"), "wb") as out:
        out.write(b"P6\n#from a camera\n#ISO 3200\n64 48\n255\n" + small.tobytes())
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90)
    broken = os.path.join(os.path.dirname(folder), "broken")
    os.makedirs(broken, exist_ok=True)
    with open(os.path.join(broken, "truncated.jpg"), "wb") as out:
        out.write(buffer.getvalue()[: len(buffer.getvalue()) // 3])
    with open(os.path.join(broken, "text.jpg"), "w") as out:
        out.write("this is not a JPEG\n")
    with open(os.path.join(broken, "empty.png"), "wb"):
        pass


def make_models(folder):
    torch.manual_seed(0)
    for name, module in [("top_minus_bottom.pt", TopMinusBottom()), ("mean_red.pt", MeanRed()),
                         ("segmenter.pt", Segmenter()), ("nima.pt", Nima()), ("tuple_out.pt", TupleOut()),
                         ("dict_out.pt", DictOut()), ("two_inputs.pt", TwoInputs()),
                         ("wrong_shape.pt", WrongShape()), ("logits7.pt", Logits())]:
        torch.jit.script(module.eval()).save(os.path.join(folder, name))
    torch.jit.script(MeanRed().eval())._save_for_lite_interpreter(os.path.join(folder, "mean_red.ptl"))
    with open(os.path.join(folder, "labels7.txt"), "w") as out:
        out.write("".join(f"colour {i}\n" for i in range(7)))


def make_score_fixtures(outdir):
    folder = os.path.join(outdir, "score")
    os.makedirs(folder, exist_ok=True)
    make_photos(os.path.join(folder, "photos"))
    make_models(folder)


def make_quality_fixtures(outdir, example):
    """The bundled example photo and three damaged versions of it, for the
    built-in quality model's ranking test."""
    import shutil
    from PIL import ImageFilter
    folder = os.path.join(outdir, "score", "quality")
    os.makedirs(folder, exist_ok=True)
    shutil.copy(example, os.path.join(folder, "pristine.jpg"))
    photo = Image.open(example).convert("RGB")
    photo.filter(ImageFilter.GaussianBlur(2.5)).save(os.path.join(folder, "blurred.png"))
    pixels = numpy.asarray(photo).astype("float32")
    noisy = pixels + numpy.random.RandomState(0).normal(0, 22, pixels.shape)
    Image.fromarray(noisy.clip(0, 255).astype("uint8")).save(os.path.join(folder, "noisy.png"))
    photo.save(os.path.join(folder, "jpeg_q8.jpg"), quality=8)
    # Native crops decoded from the JPEG's rectangle only (the fast path) against a full decode (--exact-resize).
    detailed_patches(1600, 1200, [(1, 1), (4, 1), (2, 2), (3, 3)], 3).save(os.path.join(folder, "patches.jpg"), quality=92)
    recipe = {"resize": [64, 64], "crop": None, "range": "0-1", "native_crops": {"count": 4, "size": 64},
              "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}
    import json
    torch.jit.script(CropStatistics(4).eval()).save(os.path.join(folder, "crop_statistics.pt"),
                                                      _extra_files={"mtool.json": json.dumps(recipe)})
