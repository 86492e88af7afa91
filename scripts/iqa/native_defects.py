"""Photo defects made at the photo's own resolution, before any resize, as
cameras and encoders make them (model 3's training; scripts/iqa/distortions.py
keeps model 2's, drawn on its 384-pixel working view). Level 0 is the
pristine photo, 1 (slight) to 5 (severe).

A defect is drawn once per photo (its random parts: a motion direction, a
cast's hue, a noise mix, a JPEG quality) and can then be applied to any part
of the photo: to the regions the native-resolution crops come from, exactly
as it would be to the whole photo (blur kernels reach into a margin, JPEG
blocks keep the photo's own 8-pixel grid), and to a reduced copy for the
global view, with its spatial size scaled down to that copy (`scale` < 1).
Images are float32 numpy arrays [H, W, 3] in 0..1 (sRGB values)."""
import io
import math

import numpy as np
from PIL import Image
from scipy import ndimage

from iqa.distortions import CAST_LOG_GAIN, CONTRAST_KEEP, DEFECTS, LEVELS, OVER_CLIPPED, OVER_GAIN, UNDER_GAIN

BLUR_SIGMA = [0.8, 1.3, 2.0, 3.0, 4.5]           # defocus, pixels of the photo
MOTION_LENGTH = [3, 6, 10, 16, 25]
NOISE_SIGMA = [0.012, 0.025, 0.05, 0.09, 0.16]  # noise at mid-grey, in sRGB values
# Darkening by a tone curve (sRGB value to this power: shadows and mid-tones
# sink, white stays white), as an app's or a camera's curve does, besides a
# gain in linear light (a shorter exposure, highlights dimmed too).
TONE_POWER = [1.25, 1.55, 1.95, 2.5, 3.3]
JPEG_QUALITY = [55, 35, 22, 13, 7]
MARGIN = 32  # pixels a region reaches beyond its crop: blur kernels, and a whole JPEG macroblock
LUMINANCE = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
GAMMA = 2.2


def to_linear(image):
    return np.clip(image, 0, 1) ** GAMMA


def from_linear(linear):
    return np.clip(linear, 0, 1) ** (1 / GAMMA)


def _gaussian(image, sigma):
    if sigma < 0.2:
        return image
    return ndimage.gaussian_filter(image, sigma=(sigma, sigma, 0), mode="reflect")


def _disk_kernel(radius):
    size = int(math.ceil(radius)) * 2 + 1
    y, x = np.mgrid[:size, :size] - size // 2
    kernel = np.clip(radius + 0.5 - np.sqrt(x * x + y * y), 0, 1).astype(np.float32)
    return kernel / kernel.sum()


def _motion_kernel(length, angle, fading=False):
    """A line of `length` pixels through the centre; `fading`: from the centre
    one way only, its weights falling off as a Gaussian over the length."""
    size = (int(2 * length) if fading else int(length)) | 1
    kernel = np.zeros((size, size), np.float32)
    centre = size // 2
    steps = np.linspace(0, length - 1, int(length * 3)) if fading else \
        np.linspace(-(length - 1) / 2, (length - 1) / 2, int(length * 3))
    for step in steps:
        weight = math.exp(-0.5 * (2 * step / length) ** 2) if fading else 1.0
        kernel[int(round(centre + step * math.sin(angle))), int(round(centre + step * math.cos(angle)))] += weight
    return kernel / kernel.sum()


def _convolve(image, kernel):
    if kernel.shape[0] <= 1:
        return image
    return np.stack([ndimage.convolve(image[..., c], kernel, mode="reflect") for c in range(3)], axis=-1)


def _jpeg(image, quality, subsampling):
    pil = Image.fromarray(np.clip(np.rint(image * 255), 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    pil.save(buffer, format="JPEG", quality=int(quality), subsampling=subsampling)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), dtype=np.float32) / 255


class Defect:
    """One defect at one level on one photo, its random parts drawn from `rng`.
    `highlight` is the photo's luminance (linear) at 1 - the clipped fraction
    of each overexposure level, and `mean` its mean value, both measured on
    the whole photo so that every region gets the same gain."""

    def __init__(self, defect, level, rng, photo_luminance, photo_mean):
        self.name = DEFECTS[defect] if level > 0 else "none"
        self.level = level
        self.rng = rng
        i = level - 1
        jitter = math.exp(rng.uniform(-0.12, 0.12))
        if self.name == "blur":
            self.sigma = BLUR_SIGMA[i] * jitter
            self.disk = rng.random() < 0.5
        elif self.name == "motion blur":
            self.length = MOTION_LENGTH[i] * jitter
            self.angle = rng.uniform(0, 2 * math.pi)
            # A steady sweep weighs the path evenly; a shake that slows down weighs
            # its start (a one-sided, fading trail, as ImageMagick's -motion-blur draws).
            self.fading = rng.random() < 0.5
        elif self.name == "noise":
            self.sigma = NOISE_SIGMA[i] * jitter
            self.shot = rng.uniform(0.75, 0.97)       # signal-dependent share of the variance at mid-grey
            self.chroma = rng.uniform(0.25, 1.0)     # chroma noise relative to luminance noise
            self.linear = rng.random() < 0.6         # else plain per-channel noise on the sRGB values
            self.correlated = rng.random() < 0.3     # demosaicing spreads noise over neighbours
        elif self.name == "jpeg artifacts":
            self.quality = max(2, round(JPEG_QUALITY[i] * jitter))
            self.subsampling = 2 if rng.random() < 0.85 else 0  # 4:2:0, sometimes 4:4:4
        elif self.name == "underexposure":
            self.gain = UNDER_GAIN[i] * jitter
            self.power = TONE_POWER[i] * jitter if rng.random() < 0.5 else None
        elif self.name == "overexposure":
            highlight = max(float(np.quantile(photo_luminance, 1 - OVER_CLIPPED[i])), 0.02)
            self.gain = max(OVER_GAIN[i] * jitter, 1 / highlight)
        elif self.name == "low contrast":
            self.keep = CONTRAST_KEEP[i] * jitter
            # Flattened around the photo's mean, or around mid-grey (a levels
            # adjustment that lifts the blacks and dims the whites).
            self.mean = photo_mean if rng.random() < 0.5 else 0.5
        elif self.name == "colour cast":
            hue = rng.uniform(0, 2 * math.pi)
            direction = np.array([math.cos(hue), math.cos(hue - 2.094), math.cos(hue + 2.094)], np.float32)
            gains = np.exp(CAST_LOG_GAIN[i] * jitter * direction)
            self.gains = (gains / (LUMINANCE * gains).sum()).astype(np.float32)
            # In linear light (a camera's white balance) or on the sRGB values
            # (an editor's channel curves), with the same gains.
            self.on_srgb = rng.random() < 0.4

    def apply(self, image, scale=1.0, left=0, top=0):
        """The defect on `image`, a region of the photo whose top-left pixel is
        (left, top) in the photo, or a copy reduced by `scale`."""
        name = self.name
        if name == "none":
            return image
        if name == "blur":
            sigma = self.sigma * scale
            if self.disk and sigma * 1.5 >= 1:
                return _convolve(image, _disk_kernel(sigma * 1.5))
            return _gaussian(image, sigma)
        if name == "motion blur":
            length = self.length * scale
            if length < 2:
                return _gaussian(image, length / 3)
            return _convolve(image, _motion_kernel(length, self.angle, self.fading))
        if name == "noise":
            return self._noise(image, self.sigma * min(1.0, scale))
        if name == "jpeg artifacts":
            if scale < 0.5:
                return image  # blocks of 8 photo pixels vanish in a view reduced this far
            # The region starts on the photo's 16-pixel macroblock grid, as the encoder saw it.
            dx, dy = left % 16, top % 16
            padded = np.pad(image, ((dy, 0), (dx, 0), (0, 0)), mode="edge") if dx or dy else image
            return _jpeg(padded, self.quality, self.subsampling)[dy:, dx:]
        if name == "underexposure" and self.power is not None:
            return np.clip(image, 0, 1) ** self.power
        if name in ("underexposure", "overexposure"):
            return from_linear(to_linear(image) * self.gain)
        if name == "low contrast":
            return np.clip(self.mean + self.keep * (image - self.mean), 0, 1)
        if self.on_srgb:
            return np.clip(image * self.gains ** (1 / GAMMA), 0, 1)
        return from_linear(to_linear(image) * self.gains)

    def _noise(self, image, sigma):
        shape = image.shape
        luminance = self.rng.standard_normal(shape[:2] + (1,), dtype=np.float32)
        chroma = self.rng.standard_normal(shape, dtype=np.float32)
        field = (luminance + self.chroma * chroma) / math.sqrt(1 + self.chroma ** 2)
        if self.correlated:
            field = _gaussian(field, 0.6) * 1.9  # keeps about the same amplitude
        if not self.linear:
            return np.clip(image + sigma * field, 0, 1)
        # Shot noise (variance proportional to the light) plus read noise, in linear light;
        # sigma is the noise at mid-grey in sRGB values (d sRGB / d linear is ~1 there).
        mid = 0.5 ** GAMMA
        linear = to_linear(image)
        variance = sigma ** 2 * (self.shot * linear / mid + (1 - self.shot))
        return from_linear(linear + np.sqrt(variance) * field)


def levels():
    return range(1, LEVELS + 1)
