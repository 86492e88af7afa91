#!/usr/bin/python3
"""Makes mtool's test fixtures and records their ground truth.

Run by /usr/bin/python3 (Debian's python3-torch 1.13) during the test build:
    make_fixtures.py OUTDIR
Writes model files of every kind mtool inspects into OUTDIR, damaged copies of
some, and OUTDIR/expected.json: for each file, what PyTorch's own Python API
says about it (format, versions, operators, tensor totals). The tests compare
mtool's answers with these.
"""
import io
import json
import os
import pickle
import shutil
import sys
import zipfile
from typing import List

import torch
import torch.nn as nn
from fixtures_score import make_quality_fixtures, make_score_fixtures
from torch.jit.mobile import _backport_for_mobile, _get_model_bytecode_version, _get_model_ops_and_info

torch.manual_seed(0)


class SmallNet(nn.Module):
    """A small convolutional classifier with a second exported method."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
        y = torch.relu(self.bn(self.conv(x))).mean([2, 3])
        return torch.softmax(self.fc(y) * scale, dim=1)

    @torch.jit.export
    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x).flatten(1)


class Quantizable(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class HalfNet(nn.Module):
    """A convolution and a linear layer, exported after .half(): LibTorch 1.13 has no float16 CPU kernels for either."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.conv(x).mean([2, 3]))


class RunsCommand:
    """Unpickling this would run a shell command; only ever written, never loaded."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/mtool-fixture-was-unpickled",))


class WithNms(nn.Module):
    """Calls a torchvision operator, which plain LibTorch does not have: boxes as
    [x, y, w, h] in [0, 1) (as torch.rand makes them) to x1, y1, x2, y2, then NMS."""

    def forward(self, boxes: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        corners = torch.cat([boxes[:, :2], boxes[:, :2] + boxes[:, 2:] * 0.5], 1)
        return torch.ops.torchvision.nms(corners, scores, 0.3)


class ScalarArguments(nn.Module):
    """A forward taking an int, a float and a bool beside its tensor; the output's
    channels are `steps` copies, so its shape says which int it was given."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x: torch.Tensor, steps: int, scale: float, clamp: bool) -> torch.Tensor:
        y = self.conv(x) * scale
        for _ in range(steps):
            y = torch.tanh(y) + y
        if clamp:
            y = y.clamp(-1.0, 1.0)
        return y.repeat(1, steps, 1, 1)


class TensorList(nn.Module):
    """A forward taking a list of images, as detection models (D2Go's) do."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, images: List[torch.Tensor]) -> torch.Tensor:
        return torch.cat([self.conv(image.unsqueeze(0)).mean([2, 3]) for image in images], 0)


def describe(value):
    """An output as mtool's bench and verification describe it: "[1, 12, 8, 8] float"."""
    dtypes = {torch.float32: "float", torch.int64: "long int", torch.float64: "double", torch.int32: "int"}
    if isinstance(value, torch.Tensor):
        return f"[{', '.join(str(d) for d in value.shape)}] {dtypes.get(value.dtype, str(value.dtype))}"
    if isinstance(value, tuple):
        return f"tuple of {len(value)}"
    return f"list of {len(value)}"


def file_format_version(path):
    # PyTorch's own archive reader, not Python's zipfile.
    reader = torch._C.PyTorchFileReader(path)
    for name in ("version", ".data/version"):
        if reader.has_record(name):
            return int(reader.get_record(name).decode().strip())
    return None


def lite_operators(path):
    return sorted(_get_model_ops_and_info(path).keys())


def tensor_elements(module_or_dict):
    state = module_or_dict if isinstance(module_or_dict, dict) else module_or_dict.state_dict()
    return sum(t.numel() for t in state.values() if isinstance(t, torch.Tensor))


class Fixtures:
    def __init__(self, outdir):
        self.outdir = outdir
        self.expected = []

    def path(self, name):
        return os.path.join(self.outdir, name)

    def add(self, name, **facts):
        facts["file"] = name
        self.expected.append(facts)

    def torchscript(self, name, module, **facts):
        module.save(self.path(name))
        self.add(name, format="torchscript", file_format_version=file_format_version(self.path(name)),
                 bytecode_version=None, operators=sorted(torch.jit.export_opnames(module)), **facts)

    def lite(self, name, module, **facts):
        module._save_for_lite_interpreter(self.path(name))
        self.lite_facts(name, **facts)

    def lite_facts(self, name, **facts):
        path = self.path(name)
        self.add(name, format="lite", file_format_version=file_format_version(path),
                 bytecode_version=_get_model_bytecode_version(path), operators=lite_operators(path), **facts)

    def damaged(self, name, source, keep_fraction, expected_format="corrupt", code="truncated"):
        data = open(self.path(source), "rb").read()
        with open(self.path(name), "wb") as out:
            out.write(data[: int(len(data) * keep_fraction)])
        self.add(name, format=expected_format, diagnosis=code)

    def write(self):
        with open(self.path("expected.json"), "w") as out:
            json.dump({"torch_version": torch.__version__, "fixtures": self.expected}, out, indent=1)


def make_models(fx):
    net = SmallNet().eval()
    example = torch.rand(1, 3, 16, 16)
    scripted = torch.jit.script(net)
    elements = tensor_elements(net)
    fx.torchscript("scripted.pt", scripted, tensor_elements=elements, forward=["x: Tensor", "scale: float"],
                   methods=["forward", "embed"])
    traced = torch.jit.trace(net, example)
    # Tracing turns the default `scale` into a constant tensor in constants.pkl,
    # so the traced archive holds one element more than the state_dict.
    fx.torchscript("traced.pt", traced, tensor_elements=elements + 1)

    fx.lite("lite_v8.ptl", scripted, tensor_elements=elements, forward=["x: Tensor", "scale: float"])
    for version in (7, 6, 5, 4):
        name = f"lite_v{version}.ptl"
        if not _backport_for_mobile(fx.path("lite_v8.ptl"), fx.path(name), version):
            raise SystemExit(f"backport to {version} failed")
        fx.lite_facts(name, tensor_elements=elements)

    scripted._save_for_lite_interpreter(fx.path("lite_flatbuffer.ptl"), _use_flatbuffer=True)
    fx.add("lite_flatbuffer.ptl", format="lite-flatbuffer", tensor_elements=elements,
           bytecode_version=_get_model_bytecode_version(fx.path("lite_flatbuffer.ptl")))

    extra = {"mtool.json": json.dumps({"resize": 256, "crop": 224}), "labels.txt": "cat\ndog\nbird\nfish\n"}
    scripted.save(fx.path("with_extra_files.pt"), _extra_files=extra)
    fx.add("with_extra_files.pt", format="torchscript", extra_files=sorted(extra),
           file_format_version=file_format_version(fx.path("with_extra_files.pt")))

    quantized = torch.ao.quantization.quantize_dynamic(Quantizable().eval(), {nn.Linear}, dtype=torch.qint8)
    q_scripted = torch.jit.script(quantized)
    fx.torchscript("quantized_dynamic.pt", q_scripted, diagnosis="quantized-model")
    fx.lite("quantized_dynamic.ptl", q_scripted, diagnosis="quantized-model")

    make_float16_models(fx)

    import torchvision  # noqa: F401  registers torchvision::nms
    nms = torch.jit.script(WithNms())
    # What mtool's deterministic inputs give in Python: --input-shape 40,4 --input-shape 40.
    torch.manual_seed(0)
    kept = nms(torch.rand(40, 4), torch.rand(40))
    fx.torchscript("torchvision_nms.pt", nms, diagnosis="custom-operators", output=describe(kept))
    fx.lite("torchvision_nms.ptl", nms, diagnosis="custom-operators", output=describe(kept))

    scalars = torch.jit.script(ScalarArguments().eval())
    torch.manual_seed(0)
    out = scalars(torch.rand(1, 3, 8, 8), 3, 2.0, True)
    fx.torchscript("scalar_arguments.pt", scalars, output=describe(out))
    fx.lite("scalar_arguments.ptl", scalars, output=describe(out))
    images = torch.jit.script(TensorList().eval())
    torch.manual_seed(0)
    out = images([torch.rand(3, 8, 8), torch.rand(3, 6, 10)])
    fx.torchscript("tensor_list.pt", images, output=describe(out))
    fx.lite("tensor_list.ptl", images, output=describe(out))


def cpu_error(run):
    """The last line of the error LibTorch raises, or None when it runs."""
    try:
        run()
    except RuntimeError as error:
        return str(error).strip().splitlines()[-1].removeprefix("RuntimeError: ")
    return None


def make_float16_models(fx):
    half = torch.jit.script(HalfNet().eval().half())
    photo = torch.rand(1, 3, 8, 8)
    # PyTorch's own answer: the forward fails on CPU with a float16 input and with a float32 one.
    loaded = torch.jit.load(io.BytesIO(half.save_to_buffer()))
    errors = [cpu_error(lambda: loaded(photo.half())), cpu_error(lambda: loaded(photo))]
    if None in errors:
        raise SystemExit("the float16 fixture runs on CPU: its diagnosis would be wrong")
    fx.torchscript("float16.pt", half, diagnosis="float16-fails-on-cpu", cpu_errors=errors)
    fx.lite("float16.ptl", half, diagnosis="float16-fails-on-cpu", cpu_errors=errors)


def make_torch_save(fx):
    net = SmallNet()
    state = net.state_dict()
    torch.save(state, fx.path("state_dict.pt"))
    fx.add("state_dict.pt", format="torch.save", tensor_count=len(state), tensor_elements=tensor_elements(state),
           file_format_version=file_format_version(fx.path("state_dict.pt")), diagnosis="torch-save-not-torchscript")

    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(torch.rand(2, 3, 8, 8)).sum().backward()
    optimizer.step()
    checkpoint = {"epoch": 7, "model": net.state_dict(), "optimizer": optimizer.state_dict(), "note": "best"}
    torch.save(checkpoint, fx.path("checkpoint.pth"))
    momentum = sum(s["momentum_buffer"].numel() for s in optimizer.state_dict()["state"].values())
    fx.add("checkpoint.pth", format="torch.save", tensor_elements=tensor_elements(state) + momentum,
           diagnosis="torch-save-not-torchscript", security="safe",
           content_keys=sorted(["model." + key for key in state] +
                               [f"optimizer.state.{i}.momentum_buffer" for i in optimizer.state_dict()["state"]]),
           value_keys=["epoch", "note"])

    # Keys in CJK (two terminal columns a character) and with a combining accent (none) beside ASCII ones:
    # inspect's tensor table aligns them.
    wide = {"卷积层.weight": torch.zeros(4, 3), "conv.bias": torch.zeros(4), "全连接.偏置": torch.zeros(2),
            "cafe\u0301.weight": torch.zeros(1)}
    torch.save(wide, fx.path("cjk_keys.pt"))
    fx.add("cjk_keys.pt", format="torch.save", diagnosis="torch-save-not-torchscript", security="safe",
           content_keys=sorted(wide))

    torch.save(net, fx.path("whole_module.pt"))
    fx.add("whole_module.pt", format="torch.save", root_class="__main__.SmallNet", diagnosis="pickled-module",
           security="unknown", content_keys=sorted(state), objects=["__main__.SmallNet", "torch.nn.modules.conv.Conv2d"])

    torch.save(state, fx.path("legacy.pt"), _use_new_zipfile_serialization=False)
    fx.add("legacy.pt", format="torch.save-legacy", tensor_count=len(state), tensor_elements=tensor_elements(state),
           diagnosis="torch-save-not-torchscript", security="safe", content_keys=sorted(state))

    import numpy
    arrays = {"mean": numpy.zeros((3, 4)), "labels": ["cat", "dog"], "weight": torch.ones(2, 2)}
    torch.save(arrays, fx.path("with_numpy.pt"))
    fx.add("with_numpy.pt", format="torch.save", tensor_count=1, content_keys=["weight"],
           value_keys=["mean", "labels"], security="safe")

    # A checkpoint whose pickle would run a command when loaded. It is written,
    # never loaded: the tests check that mtool names the danger and runs nothing.
    torch.save({"model": state, "payload": RunsCommand()}, fx.path("malicious_checkpoint.pt"))
    fx.add("malicious_checkpoint.pt", format="torch.save", security="dangerous", diagnosis="dangerous-globals")

    numpy.savez(fx.path("object_array.npz"), table=numpy.array([{"a": 1}, None], dtype=object), plain=numpy.ones(3))
    fx.add("object_array.npz", format="zip", security="safe", scan_pickles=1)
    numpy.savez(fx.path("malicious_array.npz"), payload=numpy.array([RunsCommand()], dtype=object))
    fx.add("malicious_array.npz", format="zip", security="dangerous")
    import tarfile
    with tarfile.open(fx.path("malicious.tar.gz"), "w:gz") as archive:
        archive.add(fx.path("malicious_checkpoint.pt"), arcname="models/checkpoint.pt")
    fx.add("malicious.tar.gz", format="unknown", security="dangerous")

    with open(fx.path("plain.pkl"), "wb") as out:
        pickle.dump({"weights": [1.0, 2.0], "name": "not a model"}, out, protocol=4)
    fx.add("plain.pkl", format="pickle", diagnosis="pickle-not-model")


def make_damaged_and_impostors(fx):
    fx.damaged("scripted_truncated.pt", "scripted.pt", 0.6)
    fx.damaged("lite_truncated.ptl", "lite_v8.ptl", 0.5)
    fx.damaged("legacy_truncated.pt", "legacy.pt", 0.7)

    # A flipped byte inside data.pkl: the CRC check must catch it.
    data = bytearray(open(fx.path("scripted.pt"), "rb").read())
    with zipfile.ZipFile(fx.path("scripted.pt")) as archive:
        info = archive.getinfo("scripted/data.pkl")
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26:header + 28], "little")
    extra_length = int.from_bytes(data[header + 28:header + 30], "little")
    data[header + 30 + name_length + extra_length + 10] ^= 0xFF
    open(fx.path("scripted_bad_crc.pt"), "wb").write(bytes(data))
    fx.add("scripted_bad_crc.pt", format="corrupt", diagnosis="damaged")

    with open(fx.path("lfs_pointer.pt"), "w") as out:
        out.write("version https://git-lfs.github.com/spec/v1\n"
                  "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 13982145\n")
    fx.add("lfs_pointer.pt", format="unknown", diagnosis="git-lfs-pointer")
    with open(fx.path("error_page.pt"), "w") as out:
        out.write("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n")
    fx.add("error_page.pt", format="unknown", diagnosis="download-error-page")
    with open(fx.path("error.json.pt"), "w") as out:
        out.write('{"error": "Access denied", "status": 403}\n')
    fx.add("error.json.pt", format="unknown", diagnosis="download-error-page")
    with zipfile.ZipFile(fx.path("not_a_model.zip"), "w") as archive:
        archive.writestr("readme.txt", "hello")
    fx.add("not_a_model.zip", format="zip", diagnosis="zip-not-model")
    open(fx.path("empty.pt"), "wb").close()
    fx.add("empty.pt", format="unknown", diagnosis="empty-file")
    with open(fx.path("random.bin"), "wb") as out:
        out.write(torch.randint(0, 256, (4096,), dtype=torch.uint8).numpy().tobytes())
    fx.add("random.bin", format="unknown", diagnosis="unrecognised")


def make_images(fx):
    """Photos for the image inputs: a JPEG a phone would write sideways (EXIF
    orientation 6) and a PNG with an alpha channel."""
    from PIL import Image
    import numpy
    pixels = (numpy.random.RandomState(0).rand(600, 800, 3) * 255).astype("uint8")
    photo = Image.fromarray(pixels)
    exif = photo.getexif()
    exif[0x0112] = 6
    photo.save(fx.path("photo_rotated.jpg"), quality=90, exif=exif)
    Image.fromarray(numpy.dstack([pixels[:300, :300], numpy.full((300, 300), 128, "uint8")])).save(fx.path("rgba.png"))


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_fixtures.py OUTDIR")
    outdir = sys.argv[1]
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    fx = Fixtures(outdir)
    make_models(fx)
    make_torch_save(fx)
    make_damaged_and_impostors(fx)
    make_images(fx)
    make_score_fixtures(outdir)
    make_quality_fixtures(outdir, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "coffee.jpg"))
    fx.write()
    print(f"make_fixtures: {len(fx.expected)} fixtures in {outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
