#!/usr/bin/python3
"""The floor reference for bench/scan.sh: what `python3 -m pickletools` does
(pickletools.genops over every opcode), run over every pickle in every file
under the folders given: plain pickles, the .pkl records of zips (torch.save),
and the .pkl members of tar archives. Collects each GLOBAL/STACK_GLOBAL name
as a scanner must, but classifies nothing; prints the files per second.

    scan_python.py FOLDER...
"""
import os
import pickletools
import sys
import tarfile
import time
import zipfile


def globals_in(data):
    names, strings = [], []
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
            strings.append(arg)
        elif opcode.name == "GLOBAL":
            names.append(arg)
        elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
            names.append(f"{strings[-2]} {strings[-1]}")
    return names


def pickles_of(path):
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".pkl"):
                    yield archive.read(name)
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.endswith(".pkl"):
                    yield archive.extractfile(member).read()
    else:
        with open(path, "rb") as f:
            yield f.read()


def main():
    start = time.perf_counter()
    files = failed = 0
    for folder in sys.argv[1:]:
        for root, _, names in os.walk(folder):
            for name in names:
                files += 1
                try:
                    for data in pickles_of(os.path.join(root, name)):
                        globals_in(data)
                except Exception:
                    failed += 1  # not a pickle (a model in another format): mtool reads those too
    seconds = time.perf_counter() - start
    print(f"{files} {seconds:.3f} {failed}")


if __name__ == "__main__":
    main()
