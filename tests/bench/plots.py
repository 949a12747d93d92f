"""The benchmarks' plots: PNG files in Documentation/ (next to
performance.md, which shows them), drawn with matplotlib."""
import matplotlib

matplotlib.use("Agg")  # no display on a build machine
import matplotlib.pyplot as plt  # noqa: E402

import benchlib  # noqa: E402

# krg's lines in blues, the baselines' in oranges, the same in every plot.
COLORS = {True: ["tab:blue", "tab:cyan", "tab:purple"],
          False: ["tab:orange", "tab:red", "tab:brown"]}


def plot(name, panels, xs, xlabel, xlabels=None, logy=False):
    """Draw Documentation/NAME: side by side, one panel per (title, ylabel,
    {line label: [(min, median, max) at each x]}); each line joins the
    medians, its bars span min to max; a line whose label starts with "krg"
    is blue, the others orange. xlabels names the x ticks (then xs are just
    positions). Returns the Markdown that shows the plot."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.8), squeeze=False)
    for ax, (title, ylabel, lines) in zip(axes[0], panels):
        used = {True: 0, False: 0}
        for label, spreads in lines.items():
            lo, med, hi = zip(*spreads)
            krg = label.startswith("krg")
            ax.errorbar(xs, med, yerr=[[m - l for l, m in zip(lo, med)],
                                       [h - m for m, h in zip(med, hi)]],
                        marker="o", capsize=3, label=label, color=COLORS[krg][used[krg]])
            used[krg] += 1
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_xticks(xs)
        if xlabels:
            ax.set_xticklabels(xlabels)
        if logy:
            ax.set_yscale("log")
        ax.set_ylim(bottom=None if logy else 0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(benchlib.PERF.parent / name, dpi=90, metadata={"Software": None})
    plt.close(fig)
    return f"![{name}]({name})"
