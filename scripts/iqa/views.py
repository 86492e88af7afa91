"""The views model 3 sees of a photo, as mtool's pipeline prepares them
(src/run/image_input.cpp; the recipe keys "resize" and "native_crops"):
a global view, the whole upright photo resized to VIEW x VIEW (PIL's
bilinear filter), for exposure, contrast and colour; and CROPS crops of
VIEW x VIEW at 100% of the decoded photo, for noise, compression and
sharpness. The crops are centred on the CROPS most detailed cells of a grid
(6 along the longer side, 4 along the shorter), detail measured on the
global view, so they fall on the subject rather than on a clear sky or a
blurred background. A photo whose shorter side is under VIEW is first
enlarged to it."""
import numpy as np
from PIL import Image

VIEW = 128
GRID_LONG, GRID_SHORT = 6, 4
CROPS = 8


def crop_offset(size, cells, cell):
    """The top or left edge of a crop centred in cell `cell` of `cells` along a
    side of `size` pixels, kept inside the photo (as image_input.cpp)."""
    centre = (2 * cell + 1) * size // (2 * cells)
    return min(max(centre - VIEW // 2, 0), size - VIEW)


def cell_detail(view, columns, rows):
    """Per grid cell of the global view (uint8 [VIEW, VIEW, 3]), row by row: the
    sum of absolute luminance steps to the right and down inside the cell, in
    integers (luminance x 1000), so C++ ranks the cells identically."""
    y = view.astype(np.int64) @ np.array([299, 587, 114], np.int64)
    details = []
    for r in range(rows):
        for c in range(columns):
            cell = y[r * VIEW // rows:(r + 1) * VIEW // rows, c * VIEW // columns:(c + 1) * VIEW // columns]
            details.append(int(np.abs(np.diff(cell, axis=1)).sum() + np.abs(np.diff(cell, axis=0)).sum()))
    return details


def crop_boxes(width, height, view):
    """(left, top) of each crop, most detailed cell first (ties: the earlier cell)."""
    columns, rows = (GRID_LONG, GRID_SHORT) if width >= height else (GRID_SHORT, GRID_LONG)
    details = cell_detail(view, columns, rows)
    order = sorted(range(len(details)), key=lambda i: (-details[i], i))[:CROPS]
    return [(crop_offset(width, columns, i % columns), crop_offset(height, rows, i // columns)) for i in order]


def enlarged_size(width, height):
    """The size crops are taken at: the photo's own, or enlarged so its shorter side is VIEW."""
    shorter = min(width, height)
    if shorter >= VIEW:
        return width, height
    return max(VIEW, (width * VIEW + shorter - 1) // shorter), max(VIEW, (height * VIEW + shorter - 1) // shorter)


def to_uint8(array):
    return np.clip(np.rint(array * 255.0), 0, 255).astype(np.uint8)


def global_view(image):
    """`image`: a PIL RGB image; returns uint8 [VIEW, VIEW, 3]."""
    return np.asarray(image.resize((VIEW, VIEW), Image.BILINEAR))
