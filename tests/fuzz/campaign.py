"""make fuzz: a long fuzzing campaign on the debug kernel, a new seed each
time. Runs the image fuzzer (test_cr_fuzz.py) and the RPC fuzzer
(test_rpc_fuzz.py) with larger counts, then appends what it found (seed,
runs, refusals, restarts, frames, time, kernel reports and leaks) to the
"Fuzzing campaigns" table of Documentation/testing.md.

KRG_FUZZ_RUNS (image mutations, default 20000) and KRG_FUZZ_FRAMES (RPC
frames per target node, default 100000) size it.
"""
import os
import random
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
DOC = TOP / "Documentation" / "testing.md"
HEAD = ("| date | seed | image runs | refused | restarted | on another node | RPC frames "
        "per node | time | result |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |")


def main():
    seed = random.SystemRandom().randrange(1, 2**31)
    env = dict(os.environ, KRG_FUZZ_SEED=str(seed), KRG_DEBUG="1", KRG_NODE_MEMORY="512",
               KRG_KERNEL=str(TOP / "build/kernel-debug/arch/x86/boot/bzImage"))
    env.setdefault("KRG_FUZZ_RUNS", "20000")
    env.setdefault("KRG_FUZZ_FRAMES", "100000")
    start = time.monotonic()
    p = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-p", "no:cacheprovider", "-v", "-s",
                        str(TOP / "tests/pytest/test_cr_fuzz.py"),
                        str(TOP / "tests/pytest/test_rpc_fuzz.py")],
                       env=env, capture_output=True, text=True)
    minutes = (time.monotonic() - start) / 60
    sys.stdout.write(p.stdout[-5000:])
    sys.stderr.write(p.stderr[-2000:])
    m = re.search(r"fuzz: (\d+) runs, (\d+) refused, (\d+) restarted, (\d+) on another node",
                  p.stdout)
    runs = m.groups() if m else ("?",) * 4
    result = "pass" if p.returncode == 0 else "FAIL (see build/test-logs)"
    row = (f"| {date.today()} | {seed} | {runs[0]} | {runs[1]} | {runs[2]} | {runs[3]} | "
           f"{env['KRG_FUZZ_FRAMES']} | {minutes:.0f} min | {result} |")
    text = DOC.read_text()
    if "## Fuzzing campaigns" not in text:
        text = text.rstrip() + ("\n\n## Fuzzing campaigns\n\nWritten by `make fuzz` (debug "
                                "kernel); a failing campaign keeps its seed for a rerun "
                                "(`KRG_FUZZ_SEED`).\n\n" + HEAD + "\n")
    DOC.write_text(text.rstrip() + "\n" + row + "\n")
    print(row)
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
