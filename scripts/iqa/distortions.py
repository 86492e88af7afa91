"""Synthetic photo defects at graded levels, shared by train_iqa.py and
eval_iqa.py. Every function takes and returns a float tensor [3,H,W] in 0..1
at the model's working resolution (the photo as mtool feeds it: shorter side
384, center crop 384), so a level means the same thing in training, in
evaluation and in use. Level 0 is the pristine photo; 1 (slight) to 5 (severe)."""
import io
import math

import torch
import torch.nn.functional as F
from PIL import Image

# The defect classes the model names, in the order of its second output.
DEFECTS = ["none", "blur", "motion blur", "noise", "jpeg artifacts", "underexposure", "overexposure",
           "low contrast", "colour cast"]
LEVELS = 5

GAUSSIAN_SIGMA = [0.7, 1.1, 1.7, 2.6, 4.0]
MOTION_LENGTH = [4, 7, 11, 17, 25]
NOISE_SIGMA = [0.02, 0.04, 0.07, 0.11, 0.17]
JPEG_QUALITY = [45, 28, 17, 10, 5]
UNDER_GAIN = [0.62, 0.45, 0.32, 0.21, 0.12]
OVER_GAIN = [1.7, 2.4, 3.4, 4.8, 7.0]
OVER_CLIPPED = [0.02, 0.05, 0.10, 0.18, 0.30]
CONTRAST_KEEP = [0.65, 0.48, 0.35, 0.24, 0.15]
# A cast's largest log gain per level (the three log gains sum to zero before
# the luminance is restored). Pushing one channel up this far moves a mid-grey
# as far as adding 0.07, 0.13, 0.20, 0.28, 0.38 to it would: 2.2 x ln((0.5 + shift) / 0.5).
CAST_LOG_GAIN = [0.29, 0.51, 0.74, 0.98, 1.24]
LUMINANCE_WEIGHTS = torch.tensor([0.2126, 0.7152, 0.0722])  # Rec. 709, linear light


def _filter(image, kernel):
    """Convolves each channel with a 2-D kernel, reflecting at the borders."""
    k = kernel.shape[-1]
    padded = F.pad(image.unsqueeze(0), (k // 2, k // 2, k // 2, k // 2), mode="reflect")
    weight = kernel.expand(3, 1, k, k).contiguous()
    return F.conv2d(padded, weight, groups=3).squeeze(0)


def gaussian_blur(image, level):
    sigma = GAUSSIAN_SIGMA[level - 1]
    radius = int(math.ceil(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    g = torch.exp(-x * x / (2 * sigma * sigma))
    g = g / g.sum()
    return _filter(image, (g[:, None] * g[None, :])[None, None])


def motion_blur(image, level, generator):
    length = MOTION_LENGTH[level - 1]
    angle = torch.rand(1, generator=generator).item() * math.pi
    size = length if length % 2 == 1 else length + 1
    kernel = torch.zeros(size, size)
    centre = size // 2
    for step in torch.linspace(-(length - 1) / 2, (length - 1) / 2, steps=length * 3):
        x = int(round(centre + step.item() * math.cos(angle)))
        y = int(round(centre + step.item() * math.sin(angle)))
        kernel[y, x] += 1
    kernel /= kernel.sum()
    return _filter(image, kernel[None, None])


def noise(image, level, generator):
    # Sensor noise: stronger in the shadows' relative terms, partly per colour channel.
    sigma = NOISE_SIGMA[level - 1]
    luminance_noise = torch.randn(1, *image.shape[1:], generator=generator)
    chroma_noise = torch.randn(image.shape, generator=generator)
    return (image + sigma * (0.7 * luminance_noise + 0.5 * chroma_noise)).clamp(0, 1)


def jpeg(image, level):
    pil = Image.fromarray((image.permute(1, 2, 0) * 255).round().clamp(0, 255).byte().numpy())
    buffer = io.BytesIO()
    pil.save(buffer, format="JPEG", quality=JPEG_QUALITY[level - 1])
    decoded = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    return torch.frombuffer(bytearray(decoded.tobytes()), dtype=torch.uint8).view(image.shape[1], image.shape[2], 3) \
        .permute(2, 0, 1).float() / 255


def _linear_gain(image, gain):
    """Multiplies the light (gamma 2.2 undone) by `gain`, one number or one per
    channel ([3,1,1]), clipping where the sensor would."""
    linear = image.clamp(0, 1) ** 2.2
    return ((linear * gain).clamp(0, 1)) ** (1 / 2.2)


def underexposure(image, level):
    return _linear_gain(image, UNDER_GAIN[level - 1])


def overexposure(image, level):
    # Relative to the photo's own highlights: overexposure is what blows them out.
    # An absolute gain would only brighten a dark scene (a night or a storm),
    # which looks like a better exposure, not a worse one.
    # So each level blows out at least a set fraction of the photo (by luminance).
    luminance = (image.clamp(0, 1) ** 2.2).mean(0).flatten()[::7]
    highlight = torch.quantile(luminance, 1 - OVER_CLIPPED[level - 1]).clamp(min=0.02).item()
    return _linear_gain(image, max(OVER_GAIN[level - 1], 1 / highlight))


def low_contrast(image, level):
    keep = CONTRAST_KEEP[level - 1]
    mean = image.mean()
    return (mean + keep * (image - mean)).clamp(0, 1)


def colour_cast(image, level, generator):
    # A cast is a white-balance error: each channel's light multiplied by its own
    # gain, in linear light, with the luminance kept. Adding a tint to the pixel
    # values instead would also change the exposure: in a dark scene (a night)
    # the channels pushed down clip at black and the others lift the shadows,
    # so the "cast" photo is mostly a brighter one.
    strength = CAST_LOG_GAIN[level - 1]
    hue = torch.rand(1, generator=generator).item() * 2 * math.pi
    direction = torch.tensor([math.cos(hue), math.cos(hue - 2.094), math.cos(hue + 2.094)])
    gains = torch.exp(strength * direction)
    gains = gains / (LUMINANCE_WEIGHTS * gains).sum()
    return _linear_gain(image, gains[:, None, None])


def distort(image, defect, level, seed):
    """`defect` is an index into DEFECTS; level 0 returns the image as it is.
    The random parts (motion direction, noise pattern, cast hue) come from
    `seed`, so the levels of one seed differ in strength only."""
    if level == 0 or defect == 0:
        return image
    generator = torch.Generator().manual_seed(seed)
    name = DEFECTS[defect]
    if name == "blur":
        return gaussian_blur(image, level)
    if name == "motion blur":
        return motion_blur(image, level, generator)
    if name == "noise":
        return noise(image, level, generator)
    if name == "jpeg artifacts":
        return jpeg(image, level)
    if name == "underexposure":
        return underexposure(image, level)
    if name == "overexposure":
        return overexposure(image, level)
    if name == "low contrast":
        return low_contrast(image, level)
    return colour_cast(image, level, generator)


def scene_variation(image, generator):
    """A pristine photo as another scene or camera might have taken it (darker,
    with another white balance): not a defect. Training varies its pristine
    crops this way so that a dark or warm scene is not mistaken for under-
    exposure or a colour cast, and so that the ranking loss sees defects
    applied to such scenes. Returns the photo and whether it was darkened
    (its absolute score is then left to the ranking loss alone)."""
    darkened = torch.rand(1, generator=generator).item() < 0.4
    if darkened:
        gain = math.exp(math.log(0.3) * torch.rand(1, generator=generator).item())  # 0.3 .. 1, never clips
        image = _linear_gain(image, gain)
    if torch.rand(1, generator=generator).item() < 0.4:
        balance = torch.exp(0.06 * torch.randn(3, generator=generator))
        balance = balance / balance.mean()
        image = _linear_gain(image, balance[:, None, None])
    return image, darkened


# The score a photo should get: pristine photos near the top, each level lower.
def target_score(level):
    return 90.0 - 14.0 * level


def has_target_score(defect):
    """Overexposed versions are ranked only (below their photo, a stronger level
    below a milder one), never pulled towards a fixed score. Overexposing a dark
    scene (a storm, a night) gives a photo of ordinary brightness with blown
    highlights: to stay below that dark scene, which looks as underexposed as
    some underexposure levels, it must be free to score below those levels'
    targets; a fixed target per level would force it above them."""
    return DEFECTS[defect] != "overexposure"
