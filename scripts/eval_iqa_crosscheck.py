#!/usr/bin/python3
"""Independent cross-check of `mtool score` (built-in quality model) against BRISQUE.

Written without looking at how mtool's quality model was trained or evaluated (it shares only
the rank statistic, scripts/iqa/rank_correlation.py, with the other evaluations): the photos
come from Debian packages the project does not otherwise use, and the damage is made with
settings chosen up front as a photographer would describe them (level 1 = visibly damaged,
level 3 = clearly bad), not tuned to either scorer.

Usage (run from anywhere; everything is written under build/iqa-crosscheck/):
    /usr/bin/python3 scripts/eval_iqa_crosscheck.py make     # fetch photos, make damaged versions
    /usr/bin/python3 scripts/eval_iqa_crosscheck.py score    # score with mtool and BRISQUE (nice 19)
    /usr/bin/python3 scripts/eval_iqa_crosscheck.py report   # print and write report.md
    /usr/bin/python3 scripts/eval_iqa_crosscheck.py all      # the three in turn
Options: --mtool PATH (default build/mtool); --model PT scores with that model instead of the
built-in one (its scores go to scores_mtool-<PT's stem>.jsonl, report reads the same).

Needs: apt-get (packages not installed are fetched with `apt-get download` and unpacked with
dpkg-deb into build/iqa-crosscheck/pkgs/, nothing is installed), vips (libvips-tools), and
/usr/bin/python3 with numpy, PIL and cv2 (python3-opencv, for BRISQUE and filtering).

Photo sources and licences (Debian 12 packages):
  plasma-workspace-wallpapers 4:5.27.5-2  KDE wallpapers; debian/copyright: GPL-2+, the
      photos' metadata.json say LGPLv3 (authors: Risto Saukonpää, Ian Hex, Martin Klapetek,
      Dmitri Popov, Sigi Sagi, Maciej Wiklo)
  opencv-doc 4.6.0+dfsg-12  OpenCV sample and tutorial images; Apache-2.0 AND BSD-3-Clause
  python-matplotlib-data  matplotlib sample_data/grace_hopper.jpg (US Navy photo, public
      domain); package under matplotlib's BSD-compatible licence
  python3-scipy  scipy/misc/face.dat (the raccoon photo behind scipy.misc.face); BSD-3-Clause
The BRISQUE model files are OpenCV's (opencv_contrib quality module, Apache-2.0), read from
/work/shared/anchors/brisque/ or else opencv-data's /usr/share/opencv4/quality/.
"""
import argparse, bz2, io, json, os, subprocess, sys, time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iqa import rank_correlation  # noqa: E402  (the statistic only: nothing of the training)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "iqa-crosscheck"
IMAGES, PKGS = OUT / "images", OUT / "pkgs"
LONG_SIDE = 1600  # photos are shrunk (never enlarged) to this long side first

# (name, Debian package, path in the package, content). All looked at by eye: true photos.
W = "/usr/share/wallpapers/%s/contents/images/2560x1600.jpg"
D = "/usr/share/doc/opencv-doc/"
PHOTOS = [
    ("path", "plasma-workspace-wallpapers", W % "Path", "forest"),
    ("eveningglow", "plasma-workspace-wallpapers", W % "EveningGlow", "sunset"),
    ("fallenleaf", "plasma-workspace-wallpapers", W % "FallenLeaf", "leaves"),
    ("onestandsout", "plasma-workspace-wallpapers", W % "OneStandsOut", "moss"),
    ("summer1am", "plasma-workspace-wallpapers", W % "summer_1am", "dusk"),
    ("darkesthour", "plasma-workspace-wallpapers", W % "DarkestHour", "fog"),
    ("cups", "plasma-workspace-wallpapers", W % "ColorfulCups", "cups"),
    ("grey", "plasma-workspace-wallpapers", W % "Grey", "architecture"),
    ("bythewater", "plasma-workspace-wallpapers", W % "BytheWater", "jetty"),
    ("aloe", "opencv-doc", D + "examples/data/aloeL.jpg", "indoor"),
    ("street", "opencv-doc", D + "examples/text/scenetext05.jpg", "street"),
    ("leuven", "opencv-doc", D + "examples/data/leuvenA.jpg", "houses"),
    ("night", "opencv-doc", D + "opencv4/html/fusion_mertens.jpg", "night"),
    ("portrait", "opencv-doc", D + "opencv4/html/230501201_1.jpg", "face"),
    ("hopper", "python-matplotlib-data",
     "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg", "face"),
    ("raccoon", "python3-scipy", "/usr/lib/python3/dist-packages/scipy/misc/face.dat", "animal"),
]

# ---------------------------------------------------------------- damage
# Physical damage (blur, exposure, white balance, shot noise) is applied in linear light,
# where cameras and lenses act; "edit-like" damage (contrast, additive noise) in sRGB.

def to_linear(s):
    return np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)

def to_srgb(l):
    l = np.clip(l, 0, 1)
    return np.where(l <= 0.0031308, l * 12.92, 1.055 * l ** (1 / 2.4) - 0.055)

def linear_op(fn):
    """Wrap fn(linear float image) -> linear image into an op on sRGB floats in 0-1."""
    return lambda s, rng, i: to_srgb(fn(to_linear(s), rng, i))

def gaussian_blur(sigma):
    import cv2
    return linear_op(lambda l, rng, i: cv2.GaussianBlur(l, (0, 0), sigma))

def motion_blur(length, angle=20.0):
    """Straight camera-shake streak of `length` px at `angle` degrees."""
    import cv2
    k = np.zeros((length, length), np.float32)
    c, r = (length - 1) / 2, (length - 1) / 2
    dx, dy = r * np.cos(np.radians(angle)), r * np.sin(np.radians(angle))
    cv2.line(k, (round(c - dx), round(c + dy)), (round(c + dx), round(c - dy)), 1.0, 1, cv2.LINE_AA)
    k /= k.sum()
    return linear_op(lambda l, rng, i: cv2.filter2D(l, -1, k, borderType=cv2.BORDER_REFLECT))

def exposure(ev):
    return linear_op(lambda l, rng, i: l * 2.0 ** ev)  # clipped in to_srgb, like a sensor

def white_balance(f):
    """Wrong white balance: R*f, B/f (warm) or the reverse (cool), alternating by photo,
    scaled so the luminance of white is kept."""
    def op(l, rng, i):
        g = np.array([f, 1, 1 / f] if i % 2 == 0 else [1 / f, 1, f], np.float32)
        g /= g @ np.array([0.2126, 0.7152, 0.0722], np.float32)
        return l * g
    return linear_op(op)

def shot_noise(photons):
    """Poisson photon noise, `photons` = electrons at full white (high ISO = few)."""
    return linear_op(lambda l, rng, i: rng.poisson(l * photons) / photons)

def gaussian_noise(sigma255):
    return lambda s, rng, i: s + rng.normal(0, sigma255 / 255, s.shape)

def low_contrast(k):
    """Contrast slider down: pull every pixel towards the photo's mean by factor k."""
    return lambda s, rng, i: s.mean() + k * (s - s.mean())

# kind -> (defect name mtool should say, how it is made, ops for levels 1..3).
# "jpeg" is stored as the .jpg file a user would have; "jpeg-png" is the same pixels decoded
# to PNG, so a difference between the two is mtool's JPEG decode path, not its model.
KINDS = {
    "noise": ("noise", "Gaussian noise in sRGB, sigma 8/16/32 of 255, per channel",
              [gaussian_noise(s) for s in (8, 16, 32)]),
    "shot-noise": ("noise", "Poisson noise in linear light, 800/200/50 photons at white",
                   [shot_noise(p) for p in (800, 200, 50)]),
    "jpeg": ("jpeg artifacts", "PIL JPEG quality 20/10/5, 4:2:0, scored as the .jpg file",
             [20, 10, 5]),
    "jpeg-png": ("jpeg artifacts", "the same JPEGs decoded and stored as PNG", [20, 10, 5]),
    "blur": ("blur", "Gaussian blur in linear light, sigma 2/4/8 px",
             [gaussian_blur(s) for s in (2, 4, 8)]),
    "motion-blur": ("motion blur", "linear streak at 20 deg in linear light, 9/17/31 px",
                    [motion_blur(n) for n in (9, 17, 31)]),
    "underexposure": ("underexposure", "exposure -1.5/-2.5/-3.5 EV in linear light",
                      [exposure(-e) for e in (1.5, 2.5, 3.5)]),
    "overexposure": ("overexposure", "exposure +1/+2/+3 EV in linear light, clipped",
                     [exposure(e) for e in (1, 2, 3)]),
    "low-contrast": ("low contrast", "contrast x0.6/x0.4/x0.25 about the photo's mean (sRGB)",
                     [low_contrast(k) for k in (0.6, 0.4, 0.25)]),
    "colour-cast": ("colour cast", "white balance R,B gains f,1/f (warm; cool on odd photos), "
                    "f = 1.25/1.5/1.8, luminance kept", [white_balance(f) for f in (1.25, 1.5, 1.8)]),
}

# ---------------------------------------------------------------- make

def package_file(pkg, path):
    """Path of `path` from Debian package `pkg`: the system's copy if installed, else
    unpacked from `apt-get download` into PKGS (nothing is installed)."""
    if Path(path).exists() and subprocess.run(["dpkg", "-S", path], capture_output=True).returncode == 0:
        return Path(path)
    dest = PKGS / pkg
    if not (dest / path.lstrip("/")).exists():
        dest.mkdir(parents=True, exist_ok=True)
        debs = list(PKGS.glob(f"{pkg}_*.deb"))
        if not debs:
            subprocess.run(["apt-get", "download", pkg], cwd=PKGS, check=True)
            debs = list(PKGS.glob(f"{pkg}_*.deb"))
        wanted = ["." + p for n, k, p, c in PHOTOS if k == pkg]
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(debs[0])], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(dest)] + wanted, stdin=tar.stdout, check=True)
        tar.wait()
    return dest / path.lstrip("/")

def make_original(name, src):
    """Shrink to LONG_SIDE with vips thumbnail (never enlarging), convert an embedded ICC
    profile to sRGB and drop it (so the original and its damaged versions decode alike),
    3-band RGB, lossless PNG. (Not vips's --export-profile srgb: libvips 8.14 then darkens
    photos that have no profile by about 7/255.)"""
    out = IMAGES / name / "L0.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    if src.suffix == ".dat":  # scipy's face.dat: bz2 of raw 768x1024 RGB bytes
        raw = np.frombuffer(bz2.decompress(src.read_bytes()), np.uint8).reshape(768, 1024, 3)
        src = OUT / "raccoon-full.png"
        Image.fromarray(raw).save(src)
    tmp = out.with_suffix(".tmp.png")
    subprocess.run(["vips", "thumbnail", str(src), str(tmp), str(LONG_SIDE), "--size", "down"],
                   check=True, stderr=subprocess.DEVNULL)
    im = Image.open(tmp)
    icc = im.info.get("icc_profile")
    im = im.convert("RGB")
    if icc:
        from PIL import ImageCms
        im = ImageCms.profileToProfile(im, ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                       ImageCms.createProfile("sRGB"), outputMode="RGB")
    im.info.pop("icc_profile", None)
    im.save(out)
    tmp.unlink()
    return out

def make(args):
    os.nice(19)
    PKGS.mkdir(parents=True, exist_ok=True)
    manifest = []
    for i, (name, pkg, path, content) in enumerate(PHOTOS):
        orig = make_original(name, package_file(pkg, path))
        original = Image.open(orig)
        s = np.asarray(original, np.float32) / 255
        manifest.append(dict(photo=name, kind=None, level=0, path=str(orig)))
        for kind, (_, _, ops) in KINDS.items():
            for level, op in enumerate(ops, 1):
                rng = np.random.default_rng(1000 * i + level)  # reproducible noise
                out = IMAGES / name / f"{kind}_L{level}.png"
                if kind.startswith("jpeg"):
                    buf = io.BytesIO()
                    original.save(buf, "JPEG", quality=op, subsampling=2)
                    if kind == "jpeg":
                        out = out.with_suffix(".jpg")
                        out.write_bytes(buf.getvalue())
                    else:
                        Image.open(buf).save(out, compress_level=1)
                else:
                    d = np.clip(op(s, rng, i), 0, 1)
                    Image.fromarray((d * 255 + 0.5).astype(np.uint8)).save(out, compress_level=1)
                manifest.append(dict(photo=name, kind=kind, level=level, path=str(out)))
        print(f"made {name}: {original.size[0]}x{original.size[1]}", flush=True)
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1))

# ---------------------------------------------------------------- score

def brisque_files():
    for d in (ROOT.parent / "shared" / "anchors" / "brisque", "/usr/share/opencv4/quality"):
        if Path(d, "brisque_model_live.yml").exists():
            return str(Path(d, "brisque_model_live.yml")), str(Path(d, "brisque_range_live.yml"))
    sys.exit("BRISQUE model files not found (apt-get install opencv-data)")

def mtool_scores(args):
    return OUT / (f"scores_mtool-{Path(args.model).stem}.jsonl" if args.model else "scores_mtool.jsonl")

def score(args):
    os.nice(19)  # inherited by mtool: another job may be training on this machine
    manifest = json.loads((OUT / "manifest.json").read_text())
    t = time.time()
    model = ["--model", args.model] if args.model else []
    with open(mtool_scores(args), "w") as f:  # one invocation over the whole folder
        subprocess.run([args.mtool, "score", "--json", *model, str(IMAGES)], stdout=f, check=False)
    print(f"mtool: {time.time() - t:.1f} s", flush=True)
    saved = OUT / "scores_brisque.json"
    if saved.exists() and set(json.loads(saved.read_text())) == {m["path"] for m in manifest}:
        return  # BRISQUE does not change between mtool's models
    import cv2
    cv2.setNumThreads(1)
    model_file, range_file = brisque_files()
    t, brisque = time.time(), {}
    for m in manifest:
        brisque[m["path"]] = cv2.quality.QualityBRISQUE_compute(cv2.imread(m["path"]), model_file, range_file)[0]
    saved.write_text(json.dumps(brisque, indent=1))
    print(f"BRISQUE: {time.time() - t:.1f} s", flush=True)

# ---------------------------------------------------------------- report

def spearman(scores, levels):
    """The evaluations' Spearman (ties share their mean rank); nan, left out of the
    means, when a scorer gives every level the same score: that is no ranking at all."""
    return float("nan") if len(set(scores)) == 1 else rank_correlation.spearman(scores, levels)

def load_scores(args):
    manifest = json.loads((OUT / "manifest.json").read_text())
    mt = {}
    for line in mtool_scores(args).read_text().splitlines():
        r = json.loads(line)
        if r.get("error"):
            print("mtool error:", r["path"], r["error"])
            continue
        mt[str(Path(r["path"]).resolve())] = r["output"]
    br = json.loads((OUT / "scores_brisque.json").read_text())
    rows = []
    for m in manifest:
        o = mt.get(str(Path(m["path"]).resolve()))
        if o is None:
            continue
        rows.append(dict(m, mtool=o["score"], defect=o["defect"], verdict=o["verdict"],
                         brisque=br[m["path"]]))
    return rows

def report(args):
    rows = load_scores(args)
    orig = {r["photo"]: r for r in rows if r["level"] == 0}
    photos = [p[0] for p in PHOTOS if p[0] in orig]
    n = len(photos)
    out = []
    say = lambda s="": out.append(s)
    clean = sum(orig[p]["defect"] == "none" for p in photos)
    say(f"# mtool score cross-check: {n} photos x {len(KINDS)} kinds x 3 levels")
    say()
    say(f"Undamaged: median mtool score {np.median([orig[p]['mtool'] for p in photos]):.1f}, "
        f"median BRISQUE {np.median([orig[p]['brisque'] for p in photos]):.1f} (lower = better); "
        f"mtool says \"no visible defect\" for {clean}/{n}.")
    say()
    say("rho = mean over photos of Spearman(score, level 0-3): ideal -1 (BRISQUE negated, so "
        "both read higher = better). pairs = share of (undamaged, damaged) pairs where the "
        "undamaged one scores strictly higher: ideal 1. L2-3 defect = share of levels 2-3 that "
        "mtool names any defect / the matching defect.")
    say()
    say("| kind | rho mtool | rho BRISQUE | pairs mtool | pairs BRISQUE | mtool mean L0/L1/L2/L3 "
        "| L2-3 any defect | L2-3 right defect | L2-3 most named |")
    say("|---|---|---|---|---|---|---|---|---|")
    combos = []
    for kind, (want, how, _) in KINDS.items():
        rho_m, rho_b, win_m, win_b, means, named, right, said = [], [], [], [], [[] for _ in range(4)], [], [], []
        for p in photos:
            series = [orig[p]] + sorted((r for r in rows if r["photo"] == p and r["kind"] == kind),
                                        key=lambda r: r["level"])
            if len(series) != 4:
                continue
            lv = [r["level"] for r in series]
            sm, sb = [r["mtool"] for r in series], [-r["brisque"] for r in series]
            rho_m.append(spearman(sm, lv)); rho_b.append(spearman(sb, lv))
            win_m += [sm[0] > s for s in sm[1:]]; win_b += [sb[0] > s for s in sb[1:]]
            for k, s in enumerate(sm):
                means[k].append(s)
            named += [r["defect"] != "none" for r in series[2:]]
            said += [r["defect"] for r in series[2:]]
            right += [r["defect"] == want for r in series[2:]]
            combos.append((rho_m[-1], -sum(sm[0] > s for s in sm[1:]), p, kind, series, rho_b[-1]))
        top = max(set(said), key=said.count)
        say(f"| {kind} | {np.nanmean(rho_m):+.2f} | {np.nanmean(rho_b):+.2f} | {np.mean(win_m):.2f} "
            f"| {np.mean(win_b):.2f} | {'/'.join(f'{np.mean(m):.0f}' for m in means)} "
            f"| {np.mean(named):.2f} | {np.mean(right):.2f} | {top} {said.count(top)}/{len(said)} |")
    say()
    say("## Undamaged photos")
    say()
    say("| photo | package | content | mtool | verdict | BRISQUE |")
    say("|---|---|---|---|---|---|")
    for name, pkg, path, content in PHOTOS:
        if name in orig:
            o = orig[name]
            say(f"| {name} | {pkg} | {content} | {o['mtool']:.1f} | {o['verdict']} | {o['brisque']:.1f} |")
    say()
    say("## Worst photo/kind combinations for mtool (highest rho, then fewest pairs won)")
    say()
    say("| photo | kind | rho mtool | rho BRISQUE | mtool L0..L3 (named defect) |")
    say("|---|---|---|---|---|")
    combos.sort(key=lambda c: (-np.nan_to_num(c[0], nan=1.0), -c[1]))
    for rho, _, p, kind, series, rho_b in combos[:12]:
        seq = ", ".join(f"{r['mtool']:.0f} ({r['defect']})" for r in series)
        say(f"| {p} | {kind} | {rho:+.2f} | {rho_b:+.2f} | {seq} |")
    say()
    say("## How each kind was made")
    say()
    for kind, (want, how, _) in KINDS.items():
        say(f"- {kind}: {how} (expected defect: {want})")
    text = "\n".join(out)
    (OUT / "report.md").write_text(text + "\n")
    print(text)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["make", "score", "report", "all"])
    ap.add_argument("--mtool", default=str(ROOT / "build" / "mtool"))
    ap.add_argument("--model", help="a quality model to score with instead of the built-in one")
    args = ap.parse_args()
    t = time.time()
    for step in (["make", "score", "report"] if args.step == "all" else [args.step]):
        globals()[step](args)
    print(f"\n{args.step}: {time.time() - t:.0f} s", file=sys.stderr)

if __name__ == "__main__":
    main()
