"""The quality model: a small fully convolutional network over the whole
photo, pooled to a mean and a spread per feature (spread is what tells a
sharp, clean photo from a blurred or noisy one), with two heads: a quality
score from 0 to 100 and logits over DEFECTS."""
import torch
import torch.nn as nn

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def block(inputs, outputs, stride):
    return nn.Sequential(nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU(inplace=True))


def tone_chroma(pixels: torch.Tensor) -> torch.Tensor:
    """The colour of the darkest and of the brightest 3% of the pixels (by
    luminance), less their grey, and how far each is from grey. A cast tints
    the whole tonal range, shadows and highlights included, where a scene's
    own colour (a blue night, a red flower) mostly lives in the mid-tones;
    per-channel percentiles miss this, as they mix different pixels."""
    luminance = pixels.mean(dim=1).flatten(1)
    bounds = torch.quantile(luminance, torch.tensor([0.03, 0.97], device=pixels.device), dim=1)
    flat = pixels.flatten(2)
    parts = []
    for mask in [luminance <= bounds[0].unsqueeze(1), luminance >= bounds[1].unsqueeze(1)]:
        weight = mask.float().unsqueeze(1)
        tone = (flat * weight).sum(dim=2) / weight.sum(dim=2).clamp(min=1.0)
        chroma = tone - tone.mean(dim=1, keepdim=True)
        parts += [chroma, (chroma * chroma).sum(dim=1, keepdim=True).clamp(min=1e-8).sqrt()]
    return torch.cat(parts, dim=1)


def colour_statistics(x: torch.Tensor, pixels: torch.Tensor) -> torch.Tensor:
    """28 numbers per photo from its normalised (`x`) and 0..1 (`pixels`) values:
    each channel's mean, spread, clipped fractions and black and white points,
    the fractions clipped in two and in three channels, and tone_chroma."""
    clipped_channels = (pixels > 0.99).float().sum(dim=1)
    points = torch.quantile(pixels.flatten(2), torch.tensor([0.01, 0.99], device=x.device), dim=2)
    colour = torch.cat([x.mean(dim=(2, 3)), x.std(dim=(2, 3)), (pixels > 0.97).float().mean(dim=(2, 3)),
                        (pixels < 0.03).float().mean(dim=(2, 3)), points[0], points[1],
                        (clipped_channels >= 2).float().mean(dim=(1, 2)).unsqueeze(1),
                        (clipped_channels >= 3).float().mean(dim=(1, 2)).unsqueeze(1)], dim=1)
    return torch.cat([colour, tone_chroma(pixels)], dim=1)


class QualityNet(nn.Module):
    def __init__(self, defects: int):
        super().__init__()
        # Full resolution first: fine detail (noise, JPEG blocks, slight blur) lives there.
        self.features = nn.Sequential(
            block(3, 16, 1), block(16, 32, 2), block(32, 48, 2), block(48, 64, 2),
            block(64, 96, 2), block(96, 128, 2), block(128, 160, 2))
        self.trunk = nn.Sequential(nn.Linear(2 * 160 + 28, 128), nn.ReLU(inplace=True))
        self.score_head = nn.Linear(128, 1)
        self.register_buffer("pixel_mean", torch.tensor(MEAN).view(1, 3, 1, 1))
        self.register_buffer("pixel_std", torch.tensor(STD).view(1, 3, 1, 1))
        self.defect_head = nn.Linear(128, defects)

    def forward(self, x: torch.Tensor):
        # Global colour statistics: exposure, contrast and casts are global. Clipped
        # shadows and highlights, as fractions of the pixels, tell over- and underexposure;
        # pixels clipped in two or three channels at once are blown highlights, where one
        # clipped channel is often just a saturated colour (a blue sky, a red flower).
        # Each channel's black and white points (1st and 99th percentile) show a cast:
        # a photo's darkest and brightest parts are usually close to neutral.
        colour = colour_statistics(x, x * self.pixel_std + self.pixel_mean)
        f = self.features(x)
        pooled = torch.cat([f.mean(dim=(2, 3)), f.std(dim=(2, 3)), colour], dim=1)
        h = self.trunk(pooled)
        score = torch.sigmoid(self.score_head(h)).squeeze(1) * 100.0
        return score, self.defect_head(h)


def strided(inputs, outputs, kernel=3, stride=2):
    """Group norm, not batch norm (model 4): a training batch holds the versions
    of one photo, so batch norm learnt to score each version against its
    siblings, which no photo has in use (a batch-norm run of model 4: once
    its statistics were re-estimated over many photos, the loss rose from
    about 2 to 29, and 50 steps of fine-tuning brought it back to 13 only)."""
    return nn.Sequential(nn.Conv2d(inputs, outputs, kernel, stride, (kernel - stride) // 2, bias=False),
                         nn.GroupNorm(8, outputs), nn.ReLU(inplace=True))


def _phase_contrast(steps: torch.Tensor) -> torch.Tensor:
    """`steps`: [N, L, W] absolute steps between neighbouring pixels along the
    last axis. How much larger the steps are at the strongest of the 8 phases
    along that axis than on average: JPEG's 8x8 blocks put their edges at one
    phase, wherever the crop starts in the photo (the max over phases does
    not depend on that offset); a clean or noisy crop has no such phase."""
    n, rows, width = steps.shape
    usable = width // 8 * 8
    per_phase = steps[:, :, :usable].reshape(n, rows, usable // 8, 8).mean(dim=(1, 2))
    return torch.log((per_phase.amax(dim=1) + 0.5) / (per_phase.mean(dim=1) + 0.5))


def _patch_quantiles(energy: torch.Tensor, qs: torch.Tensor) -> torch.Tensor:
    """Quantiles over the 8x8 patches of a crop of each patch's mean `energy`
    [N, H, W]: the quietest patches tell the noise floor, the busiest the sharpest edges."""
    patches = torch.nn.functional.avg_pool2d(energy.unsqueeze(1), 8).flatten(1)
    return torch.quantile(patches, qs, dim=1).t()


def _immerkaer(y: torch.Tensor) -> torch.Tensor:
    """|y convolved with Immerkaer's mask| [N, H-2, W-2]: the difference of
    two Laplacians cancels edges and smooth gradients, so its mean times
    sqrt(pi / 2) / 6 estimates the standard deviation of white noise
    (J. Immerkaer, "Fast noise variance estimation", 1996)."""
    c = y[:, 1:-1, 1:-1]
    edges = y[:, :-2, 1:-1] + y[:, 2:, 1:-1] + y[:, 1:-1, :-2] + y[:, 1:-1, 2:]
    corners = y[:, :-2, :-2] + y[:, :-2, 2:] + y[:, 2:, :-2] + y[:, 2:, 2:]
    return (4 * c - 2 * edges + corners).abs() * (1.2533141 / 6.0)


def detail_statistics(pixels: torch.Tensor) -> torch.Tensor:
    """DETAIL_FEATURES numbers per crop of 0..1 `pixels` [N, 3, H, W] at 100%
    of the photo, all logarithms of pixel-level measures (in 0..255 units):
    JPEG blockiness across columns and rows, luminance high frequencies
    (the mean absolute Laplacian and its quietest and busiest patches: noise,
    sharpness) and gradient, chroma high frequencies (chroma noise), and
    Immerkaer's noise estimate over the crop and in its quietest patches. The
    convolutions could learn these, but a few minutes of training on 2 cores
    do not get them there (model 3's first run saw no JPEG blocks at all)."""
    y = (0.299 * pixels[:, 0] + 0.587 * pixels[:, 1] + 0.114 * pixels[:, 2]) * 255.0
    across = (y[:, :, 1:] - y[:, :, :-1]).abs()
    down = (y[:, 1:, :] - y[:, :-1, :]).abs()
    blocks = torch.stack([_phase_contrast(across), _phase_contrast(down.transpose(1, 2))], dim=1)
    lap = (4 * y[:, 1:-1, 1:-1] - y[:, :-2, 1:-1] - y[:, 2:, 1:-1] - y[:, 1:-1, :-2] - y[:, 1:-1, 2:]).abs()
    qs = torch.tensor([0.1, 0.5, 0.9], device=pixels.device)
    chroma_lap = torch.zeros_like(lap)
    for c in [pixels[:, 0] - pixels[:, 1], pixels[:, 2] - pixels[:, 1]]:
        c = c * 255.0
        chroma_lap = chroma_lap + (4 * c[:, 1:-1, 1:-1] - c[:, :-2, 1:-1] - c[:, 2:, 1:-1] - c[:, 1:-1, :-2]
                                   - c[:, 1:-1, 2:]).abs()
    noise = _immerkaer(y)
    measures = torch.cat([lap.mean(dim=(1, 2)).unsqueeze(1), _patch_quantiles(lap, qs),
                          (across.mean(dim=(1, 2)) + down.mean(dim=(1, 2))).unsqueeze(1),
                          chroma_lap.mean(dim=(1, 2)).unsqueeze(1), _patch_quantiles(chroma_lap, qs[:1]),
                          noise.mean(dim=(1, 2)).unsqueeze(1), _patch_quantiles(noise, qs[:1])], dim=1)
    return torch.cat([blocks * 10.0, torch.log1p(measures)], dim=1)


DETAIL_FEATURES = 11


class MultiViewQualityNet(nn.Module):
    """Models 3 and 4: one global view of the whole photo (exposure, contrast, colour)
    and `crops` crops at 100% of the photo (noise, compression, sharpness),
    stacked on the channel axis: input [N, 3 * (1 + crops), V, V], each view
    normalised with MEAN/STD (scripts/iqa/views.py, the recipe's "native_crops").
    Each crop goes through one shared CNN whose first layer (8x8, stride 4)
    still sees every pixel; the crops' features are pooled by mean and max
    (the most detailed crop tells sharpness; an average tells noise), then
    fused with the global view's features and colour statistics, and with
    each crop's detail_statistics (mean, max and min over the crops)."""

    def __init__(self, defects: int, crops: int):
        super().__init__()
        self.crops = crops
        self.crop_features = nn.Sequential(strided(3, 32, 8, 4), strided(32, 48), strided(48, 64), strided(64, 96))
        self.crop_embed = nn.Sequential(nn.Linear(2 * 96, 96), nn.ReLU(inplace=True))
        self.global_features = nn.Sequential(strided(3, 24, 8, 4), strided(24, 32), strided(32, 48), strided(48, 96))
        self.trunk = nn.Sequential(nn.Linear(2 * 96 + 2 * 96 + 28 + 3 * DETAIL_FEATURES, 128), nn.ReLU(inplace=True))
        self.score_head = nn.Linear(128, 1)
        self.defect_head = nn.Linear(128, defects)
        self.register_buffer("pixel_mean", torch.tensor(MEAN).view(1, 3, 1, 1))
        self.register_buffer("pixel_std", torch.tensor(STD).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor):
        n, _, height, width = x.shape
        whole = x[:, :3]
        crops = x[:, 3:].reshape(n * self.crops, 3, height, width)
        f = self.crop_features(crops)
        per_crop = self.crop_embed(torch.cat([f.mean(dim=(2, 3)), f.std(dim=(2, 3))], dim=1)).view(n, self.crops, -1)
        detail = detail_statistics(crops * self.pixel_std + self.pixel_mean).view(n, self.crops, -1)
        g = self.global_features(whole)
        pooled = torch.cat([per_crop.mean(dim=1), per_crop.amax(dim=1), g.mean(dim=(2, 3)), g.std(dim=(2, 3)),
                            colour_statistics(whole, whole * self.pixel_std + self.pixel_mean),
                            detail.mean(dim=1), detail.amax(dim=1), detail.amin(dim=1)], dim=1)
        h = self.trunk(pooled)
        score = torch.sigmoid(self.score_head(h)).squeeze(1) * 100.0
        return score, self.defect_head(h)
