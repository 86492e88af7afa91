#!/usr/bin/python3
"""Writes the error messages PyTorch itself prints for broken loads and calls,
as logs for mtool explain's tests (tests/explain/pytorch/), with the code each
must be explained as (MANIFEST.tsv). Run with Debian's /usr/bin/python3
(python3-torch) after the build's fixtures exist:
    /usr/bin/python3 scripts/make_explain_logs.py build/fixtures tests/explain/pytorch
Each log is the traceback Python prints."""
import os
import sys
import traceback

import torch
import torch.jit.mobile


def cases(fixtures):
    f = lambda name: os.path.join(fixtures, name)
    conv = torch.nn.Conv2d(3, 8, 3)
    qconv = torch.nn.quantized.Conv2d(3, 8, 3)
    return [
        ("jit_load_state_dict", "torch-save-not-torchscript", lambda: torch.jit.load(f("state_dict.pt"))),
        ("jit_load_whole_module", "torch-save-not-torchscript", lambda: torch.jit.load(f("whole_module.pt"))),
        ("lite_load_torchscript", "torchscript-not-lite",
         lambda: torch.jit.mobile._load_for_lite_interpreter(f("scripted.pt"))),
        ("jit_load_nms_without_torchvision", "custom-operators", lambda: torch.jit.load(f("torchvision_nms.pt"))),
        ("load_lfs_pointer", "git-lfs-pointer", lambda: torch.load(f("lfs_pointer.pt"))),
        ("load_error_page", "download-error-page", lambda: torch.load(f("error_page.pt"))),
        # torch::jit::load says the same for a pre-1.6 torch.save file: only a guess ("?").
        ("jit_load_truncated", "truncated?", lambda: torch.jit.load(f("scripted_truncated.pt"))),
        ("jit_load_legacy", "truncated?", lambda: torch.jit.load(f("legacy.pt"))),
        ("load_not_a_model_zip", "zip-not-model", lambda: torch.load(f("not_a_model.zip"))),
        ("load_empty_file", "empty-file", lambda: torch.load(f("empty.pt"))),
        ("item_of_many", "output-not-scalar", lambda: torch.rand(2, 224, 224).item()),
        ("float_of_many", "output-not-scalar", lambda: float(torch.rand(1000))),
        ("conv_2d_input", "input-rank-mismatch", lambda: conv(torch.rand(32, 32))),
        ("conv_nhwc_input", "input-channel-mismatch", lambda: conv(torch.rand(1, 224, 224, 3))),
        ("quantized_conv_float_input", "quantized-backend-missing", lambda: qconv(torch.rand(1, 3, 16, 16))),
    ]


def main():
    fixtures, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rows = ["file\texpected\tsource"]
    for name, code, call in cases(fixtures):
        try:
            call()
        except Exception as error:  # the message is what we want
            text = traceback.format_exc()
        else:
            print(f"{name}: did not fail", file=sys.stderr)
            continue
        with open(os.path.join(out, name + ".log"), "w") as log:
            log.write(text)
        rows.append(f"pytorch/{name}.log\t{code}\tPyTorch {torch.__version__} itself (scripts/make_explain_logs.py)")
    with open(os.path.join(out, "MANIFEST.tsv"), "w") as manifest:
        manifest.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
