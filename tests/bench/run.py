"""make bench: run every benchmark of tests/bench in turn."""
import subprocess
import sys
from pathlib import Path

status = 0
for bench in sorted(Path(__file__).parent.glob("*_bench.py")):
    print(f"== {bench.name}")
    status |= subprocess.call([sys.executable, str(bench)])
sys.exit(status)
