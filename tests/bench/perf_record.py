"""Write a benchmark's results into its section of Documentation/performance.md."""
import re
from pathlib import Path

PERF = Path(__file__).resolve().parents[2] / "Documentation" / "performance.md"


def record(title, body):
    """Replace (or add) the section "## title" of performance.md."""
    section = f"## {title}\n\n{body}"
    text = PERF.read_text() if PERF.exists() else "# krg performance\n\n"
    pattern = re.compile(rf"## {re.escape(title)}\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section
    PERF.write_text(text)
