# SPDX-License-Identifier: GPL-3.0-or-later
"""``python -m spinlif.mx3.engine SCRIPT.mx3 OUT_DIR``: the cpu engine's process for one script.

Run by :mod:`spinlif.runs` as the engine child (like ``mumax3 -o OUT_DIR SCRIPT.mx3``). Exit codes:
0 done; 1 a script error (one line ``FILE:LINE: message`` on stderr); 2 NaN abort (as MuMax3's
``panic("NaN")``); 4 done, but expects failed under ``--expect-continue``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from spinlif.mx3 import PRECISIONS

EXIT_EXPECTS_FAILED = 4


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spinlif.mx3.engine",
                                     description="Run a MuMax3 script on the cpu engine.")
    parser.add_argument("script", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--expect-continue", action="store_true",
                        help="record a failed expect and go on; exit 4 at the end")
    parser.add_argument("--label", help="run name in progress lines")
    parser.add_argument("--precision", choices=PRECISIONS, default=PRECISIONS[0],
                        help="arithmetic: float64, or float32 as MuMax3 computes on the GPU")
    parser.add_argument("--cache", help="demag-kernel and FFTW-plan cache directory (as MuMax3's -cache; "
                        "default: the temporary directory's spinlif-kernels; empty: none)")
    args = parser.parse_args(argv)
    os.environ["SPINLIF_THREADS"] = str(args.threads)
    if args.cache is not None:
        os.environ["SPINLIF_KERNEL_CACHE"] = args.cache  # spinlif.mx3.kernel_cache.CACHE_ENV
    from spinlif.mx3 import ExpectFailed, ScriptError, run_script

    start = time.time()
    try:
        info = run_script(args.script, args.out_dir, expect_continue=args.expect_continue, label=args.label,
                          precision=args.precision)
    except ScriptError as err:
        nan = "NaN in the magnetisation" in str(err)
        print(f"spinlif[cpu] {'NaN abort: ' if nan else ''}{err}", file=sys.stderr)
        return 2 if nan else 1
    except ExpectFailed as err:
        print(f"spinlif[cpu] {args.script}: {err}", file=sys.stderr)
        return 1
    import torch

    from spinlif import __version__

    version = f"spinlif {__version__} MuMax3 script interpreter, torch {torch.__version__}, {args.precision}"
    if os.environ.get("SPINLIF_CPU_KERNEL", "fused") == "fused" and args.precision == "float64":
        import numba
        import pyfftw

        version += f", fused kernels (numba {numba.__version__}, pyFFTW {pyfftw.__version__})"
    info = {"engine": "cpu", "engine_version": version, "threads": args.threads,
            "wall_time_s": time.time() - start, **{k: v for k, v in info.items() if k != "expects"}}
    (args.out_dir / "engine_info.json").write_text(json.dumps(info, indent=2))
    print(f"spinlif[cpu] done: {info['table_rows']} table rows, {info['snapshots']} snapshots, "
          f"{info['solver_steps']} steps, {info['wall_time_s']:.1f} s", file=sys.stderr)
    if info["expects_failed"]:
        print(f"spinlif[cpu] {info['expects_failed']} expect(s) failed (see expects.csv)", file=sys.stderr)
        return EXIT_EXPECTS_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
