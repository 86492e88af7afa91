#!/usr/bin/python3
"""An evaluation of mtool's quality model independent of its training code:
defects made by other software (ImageMagick's convert, the libvips CLI,
libjpeg-turbo's cjpeg, all from Debian) at the photo's own resolution, on the
held-out photos (scripts/iqa/photos.py), at 1024 px on the longer side (by
libvips; small photos enlarged) and, for photos larger than that, at 2048 px
(stored as PPM, lossless and fast), scored by mtool itself (the real
pipeline: libvips decode, the recipe's views) and by OpenCV's BRISQUE
(python3-opencv's cv2.quality, LIVE model in ../shared/anchors/brisque),
side by side. Per photo, size and defect kind: Spearman's correlation
between score and level (0 = undamaged, 1..4); how often the undamaged photo
scores above its damaged versions; what the model names undamaged photos.

usage: /usr/bin/python3 scripts/eval_iqa_independent.py make|brisque|score MODEL NAME|report NAME...
  make      writes the photos to build/iqa-eval/photos (skips existing ones)
  brisque   scores them with BRISQUE into build/iqa-eval/brisque.json
  score     scores them with `build/mtool score --model MODEL` into build/iqa-eval/NAME.json
            (MODEL "builtin": mtool's embedded model); photos scored before are kept
  report    prints the table for each NAME beside BRISQUE"""
import json
import multiprocessing
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iqa import photos  # noqa: E402
from iqa.rank_correlation import spearman  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "build", "iqa-eval")
PHOTOS = os.path.join(WORK, "photos")
CONVERT = "/usr/bin/convert"  # ImageMagick 6 (a stand-in may shadow it on PATH)
BRISQUE = os.path.join(ROOT, "..", "shared", "anchors", "brisque")

# Per kind: (tool, its setting at levels 1..3). Chosen as a user would try each tool, not from the model.
KINDS = {
    "noise": ("convert -attenuate A +noise Gaussian", [0.3, 0.8, 2.0]),
    "jpeg": ("cjpeg -quality Q", [40, 15, 5]),
    "blur": ("vips gaussblur SIGMA", [1.2, 2.5, 5.0]),
    "motion blur": ("convert -motion-blur RxS+30", [1.5, 3.5, 7.0]),
    "darkening": ("convert -gamma G", [0.75, 0.5, 0.3]),
    "low contrast": ("convert +level P%,(100-P)%", [12, 25, 38]),
    "white balance": ("convert -channel R *G, B /G", [1.12, 1.3, 1.55]),
}
LEVELS = 3
SIZES = ("1024", "2048")


def run(command):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def base_name(path, size):
    return f"{os.path.splitext(os.path.basename(path))[0]}_{size}"


def make_base(path, size, out):
    """The undamaged photo: upright, its longer side `size` (libvips' thumbnail)."""
    run(["vips", "thumbnail", path, out, size])  # fits the longer side, enlarging a small photo


def damage(kind, level, source, folder, stem):
    setting = KINDS[kind][1][level - 1]
    if kind == "jpeg":
        out = os.path.join(folder, f"{stem}_{kind}_{level}.jpg")
        run(["cjpeg", "-quality", str(setting), "-outfile", out, source])
        return out
    out = os.path.join(folder, f"{stem}_{kind.replace(' ', '-')}_{level}.ppm")
    if kind == "blur":
        run(["vips", "gaussblur", source, out, str(setting)])
        return out
    operation = {
        "noise": ["-attenuate", str(setting), "+noise", "Gaussian"],
        "motion blur": ["-motion-blur", f"{round(3 * setting)}x{setting}+30"],
        "darkening": ["-gamma", str(setting)],
        "low contrast": ["+level", f"{setting}%,{100 - setting}%"],
        "white balance": ["-channel", "R", "-evaluate", "multiply", str(setting), "-channel", "B", "-evaluate",
                          "multiply", str(1 / setting), "+channel"],
    }[kind]
    run([CONVERT, source, *operation, out])
    return out


def make_one(job):
    path, size = job
    stem = base_name(path, size)
    folder = os.path.join(PHOTOS, stem)
    done = os.path.join(folder, "done")
    if os.path.exists(done):
        return
    os.makedirs(folder, exist_ok=True)
    base = os.path.join(folder, f"{stem}_undamaged_0.ppm")
    make_base(path, size, base)
    for kind in KINDS:
        for level in range(1, LEVELS + 1):
            damage(kind, level, base, folder, stem)
    open(done, "w").close()
    print(f"  made {stem}", flush=True)


def jobs():
    """Every held-out photo at 1024 first, then the larger ones at 2048."""
    from PIL import Image
    _, held_out = photos.split()
    larger = [p for p in held_out if max(Image.open(p).size) > 1024]
    return [(p, "1024") for p in held_out] + [(p, "2048") for p in larger]


def all_files():
    """(file, base, kind, level) for every made photo."""
    rows = []
    for path, size in jobs():
        stem = base_name(path, size)
        folder = os.path.join(PHOTOS, stem)
        if not os.path.exists(os.path.join(folder, "done")):
            continue  # not made (yet): evaluated on what is complete
        for name in sorted(os.listdir(folder)):
            if name == "done":
                continue
            kind, level = name[len(stem) + 1:].rsplit(".", 1)[0].rsplit("_", 1)
            rows.append((os.path.join(folder, name), stem, kind.replace("-", " "), int(level)))
    return rows


def brisque_one(path):
    import cv2
    image = cv2.imread(path)
    return cv2.quality.QualityBRISQUE_compute(image, os.path.join(BRISQUE, "brisque_model_live.yml"),
                                              os.path.join(BRISQUE, "brisque_range_live.yml"))[0]


def score_brisque():
    import cv2
    if not hasattr(cv2, "quality"):
        sys.exit("eval: this OpenCV has no cv2.quality (BRISQUE)")
    out = os.path.join(WORK, "brisque.json")
    scores = json.load(open(out)) if os.path.exists(out) else {}
    todo = [row[0] for row in all_files() if row[0] not in scores]
    with multiprocessing.Pool(2) as pool:
        for path, value in zip(todo, pool.imap(brisque_one, todo)):
            scores[path] = value
            if len(scores) % 50 == 0:
                json.dump(scores, open(out, "w"))
    json.dump(scores, open(out, "w"))


def score_mtool(model, name):
    out = os.path.join(WORK, name + ".json")
    rows = json.load(open(out)) if os.path.exists(out) else {}
    files = [row[0] for row in all_files() if row[0] not in rows]
    if not files:
        return
    command = [os.path.join(ROOT, "build", "mtool"), "score", "--json", "--threads", "2"]
    if model != "builtin":
        command += ["--model", model]
    result = subprocess.run(command + files, check=True, capture_output=True, text=True)
    from PIL import Image
    for line in result.stdout.splitlines():
        event = json.loads(line)
        # The size mtool decoded must be the file's, as PIL reads it: until mtool read netpbm
        # headers itself, libvips 8.14 took ImageMagick's PPMs (two comment lines) for 1-pixel-wide
        # images, and this evaluation scored those for five of its seven kinds without noticing.
        size = Image.open(event["path"]).size
        if (event["width"], event["height"]) != size:
            sys.exit(f"eval: mtool decoded {event['path']} as {event['width']}x{event['height']}, PIL as "
                     f"{size[0]}x{size[1]}: not scored")
        rows[event["path"]] = {"score": event["output"]["score"], "defect": event["output"]["defect"]}
    json.dump(rows, open(out, "w"))


def metrics(quality, scored):
    """`quality`: path -> higher-is-better score. Per kind: mean per-photo
    Spearman, and how often the undamaged photo is above a damaged one, over
    the photos whose every version is in `scored`."""
    files = all_files()
    complete = {base for _, base, _, _ in files} - {base for path, base, _, _ in files if path not in scored}
    files = [row for row in files if row[1] in complete]
    undamaged = {base: path for path, base, kind, _ in files if kind == "undamaged"}
    table = {}
    for kind in KINDS:
        per_photo, above, pairs = [], 0, 0
        for base, clean in undamaged.items():
            levels = [0] + list(range(1, LEVELS + 1))
            damaged = {level: path for path, b, k, level in files if b == base and k == kind}
            scores = [quality[clean]] + [quality[damaged[level]] for level in range(1, LEVELS + 1)]
            per_photo.append((base, -spearman(levels, scores), scores))
            above += sum(scores[0] > s for s in scores[1:])
            pairs += LEVELS
        table[kind] = {"srcc": sum(p[1] for p in per_photo) / len(per_photo), "above": above / pairs,
                       "photos": per_photo}
    return table, undamaged


def report(names):
    brisque = json.load(open(os.path.join(WORK, "brisque.json")))
    models = {name: json.load(open(os.path.join(WORK, name + ".json"))) for name in names}
    scored = set(brisque).intersection(*models.values())  # the photos every scorer has scored
    b_table, undamaged = metrics({path: -value for path, value in brisque.items()}, scored)
    tables = {name: metrics({path: row["score"] for path, row in rows.items()}, scored)[0] for name, rows in models.items()}
    print(f"{len(undamaged)} undamaged photos (held-out photos at their sizes), {len(scored)} photos in all\n")
    header = "| defect (tool) | " + " | ".join(f"{n} SRCC | {n} above" for n in names) + " | BRISQUE SRCC | BRISQUE above |"
    print(header)
    print("|---" * (2 * len(names) + 3) + "|")
    for kind, (tool, settings) in KINDS.items():
        cells = [f"{tables[n][kind]['srcc']:.3f} | {100 * tables[n][kind]['above']:.0f}%" for n in names]
        print(f"| {kind} (`{tool}`, {', '.join(str(s) for s in settings)}) | " + " | ".join(cells) +
              f" | {b_table[kind]['srcc']:.3f} | {100 * b_table[kind]['above']:.0f}% |")
    def overall(table):
        return sum(row["above"] for row in table.values()) / len(table)
    print("| all | " + " | ".join(f"{sum(t[k]['srcc'] for k in KINDS) / len(KINDS):.3f} | {100 * overall(t):.1f}%"
                                  for t in tables.values()) +
          f" | {sum(b_table[k]['srcc'] for k in KINDS) / len(KINDS):.3f} | {100 * overall(b_table):.1f}% |")
    for name, rows in models.items():
        clean = sorted(rows[path]["score"] for path in undamaged.values())
        named = [(base, rows[path]["defect"]) for base, path in undamaged.items()]
        alarms = ", ".join(f"{b} {d}" for b, d in named if d != "none")
        print(f"\n{name}: undamaged median score {clean[len(clean) // 2]:.1f} (min {clean[0]:.1f}, max {clean[-1]:.1f}); "
              f"named \"none\" {sum(d == 'none' for _, d in named)} of {len(named)}; false alarms: {alarms or 'none'}")
        for kind in KINDS:
            weak = [f"{b} {s:.2f}" for b, s, _ in tables[name][kind]["photos"] if s < 0.9]
            if weak:
                print(f"  {kind}: per-photo SRCC below 0.9: {', '.join(weak)}")
    weak = [f"{kind}: " + ", ".join(f"{b} {s:.2f}" for b, s, _ in b_table[kind]["photos"] if s < 0.9) for kind in KINDS]
    print("\nBRISQUE below 0.9: " + "; ".join(weak))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    os.makedirs(PHOTOS, exist_ok=True)
    if sys.argv[1] == "make":
        with multiprocessing.Pool(int(os.environ.get("WORKERS", "2"))) as pool:
            pool.map(make_one, jobs(), 1)
    elif sys.argv[1] == "brisque":
        score_brisque()
    elif sys.argv[1] == "score":
        score_mtool(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "report":
        report(sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
