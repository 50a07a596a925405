#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for the mumax3 *process*, for testing process handling only (never physics).

Behaves like ``mumax3 -f -http= -o OUT -cache C [-gpu N] script.mx3``: writes log.txt and a
table.txt into OUT, then acts as $FAKE_MUMAX3_MODE says:
ok (exit 0), fail (exit 1, like a script error), crash (exit 1, a CUDA error: not the script's
fault), nan (panic("NaN"), exit 2), hang (sleep),
ignore-term (sleep, ignoring SIGTERM: only SIGKILL ends it). With $FAKE_MUMAX3_FAIL_IF set, only
scripts containing that text fail (in $FAKE_MUMAX3_FAIL_MODE, default fail), the others succeed.
"""
import os
import signal
import sys
import time


def main():
    args = sys.argv[1:]
    if "-vet" in args:
        print("//mumax 3.11.1 [linux_amd64 go1.22.4(gc) CUDA-12.0]", flush=True)
        sys.exit(0)
    out = args[args.index("-o") + 1]
    mode = os.environ.get("FAKE_MUMAX3_MODE", "ok")
    # fail only the scripts that contain a given text (to fail one run of a sweep)
    pattern = os.environ.get("FAKE_MUMAX3_FAIL_IF")
    if pattern:
        with open(args[-1]) as script:
            mode = os.environ.get("FAKE_MUMAX3_FAIL_MODE", "fail") if pattern in script.read() else "ok"
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "log.txt"), "w") as log:
        log.write("//mumax 3.11.1 [linux_amd64 go1.22.4(gc) CUDA-12.0]\n")
        log.write("//GPU info: Fake GPU(1000MB), CUDA Driver 12.0, cc=9.0, using cc=90 PTX\n")
    with open(os.path.join(out, "table.txt"), "w") as table:
        table.write("# t (s)\tmx ()\tmy ()\tmz ()\n")
        for k in range(5):
            table.write(f"{k * 1e-11!r}\t0\t0\t{-0.5 + 0.01 * k}\n")
        table.write("5e-11\t0\t0")  # a partial line, as after a kill
    print("//mumax 3.11.1 fake", flush=True)
    if mode == "fail":
        print("script.mx3:12: undefined: Foo", flush=True)
        sys.exit(1)
    if mode == "crash":
        print("panic: CUDA_ERROR_LAUNCH_FAILED: unspecified launch failure", flush=True)
        sys.exit(1)
    if mode == "nan":
        print("panic: NaN", flush=True)
        sys.exit(2)
    if mode == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if mode in ("hang", "ignore-term"):
        time.sleep(600)
    with open(os.path.join(out, "table.txt"), "a") as table:
        table.write("\t-0.45\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
