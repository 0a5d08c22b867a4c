"""Chart of one benchmark run: python3 bench/chart.py <run.json> <out.png> (matplotlib; called by bench/run.ts)."""
import json
import statistics
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TITLES = {
    "pulumi": "kafka-lab (pulumi up)",
    "cli": "docker run (floor)",
    "compose": "tutorial compose",
    "pulumi-floor-empty": "Pulumi floor: output only",
    "pulumi-floor-provider": "Pulumi floor: provider",
    "pulumi-floor-network": "Pulumi floor: provider + network",
}
BLUE, ORANGE, GREEN, GREY, RED = "#3b6ea8", "#e08a2c", "#4f9a5a", "#9a9a9a", "#b8453a"


def stats(values):
    v = [x for x in values if x is not None and x == x]
    if not v:
        return None
    return statistics.median(v), min(v), max(v)


def bars(ax, positions, triples, width, color, label, horizontal=False, hatch=None):
    med = [t[0] if t else 0 for t in triples]
    lo = [t[0] - t[1] if t else 0 for t in triples]
    hi = [t[2] - t[0] if t else 0 for t in triples]
    draw = ax.barh if horizontal else ax.bar
    kw = {"xerr": [lo, hi]} if horizontal else {"yerr": [lo, hi]}
    draw(positions, med, width, color=color, label=label, capsize=3, error_kw={"elinewidth": 1, "ecolor": "#333"},
         hatch=hatch, edgecolor="white" if hatch else None, **kw)
    for p, t in zip(positions, triples):
        if not t:
            continue
        text = f"{t[0]:.1f}" if t[0] < 100 else f"{t[0]:,.0f}"
        if horizontal:
            ax.text(t[2] + 0.15, p, text, va="center", fontsize=7)
        else:
            ax.text(p, t[2], text, ha="center", va="bottom", fontsize=7)


def ready_panel(ax, data):
    runs = [r for r in data["ready"] if not r.get("error")]
    paths = []
    for r in runs:
        if r["path"] not in paths:
            paths.append(r["path"])
    paths = list(reversed(paths))
    y = range(len(paths))
    ready = [stats([r.get("ready") for r in runs if r["path"] == p]) for p in paths]
    first = [stats([r.get("first") for r in runs if r["path"] == p]) for p in paths]
    bars(ax, [i + 0.2 for i in y], ready, 0.38, BLUE, "ready (topics, group coordinator)", horizontal=True)
    bars(ax, [i - 0.2 for i in y], first, 0.38, ORANGE, "first message consumed", horizontal=True)
    ax.set_yticks(list(y))
    ax.set_yticklabels([TITLES.get(p, "tuning: " + p).replace(" + ", "\n+ ") for p in paths], fontsize=7)
    note = "; pulumi up SKIPPED (no CLI)" if "pulumi" in data.get("skipped", {}) else ""
    ax.set_xlabel(f"seconds from nothing (median, min–max){note}")
    ax.set_title("1. Time to ready / first message")
    ax.set_xlim(right=ax.get_xlim()[1] * 1.1)
    ax.set_ylim(-0.6, len(paths) + 0.4)
    ax.legend(fontsize=7, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 1.0))


def throughput_panels(ax_t, ax_l, data):
    runs = [r for r in data["throughput"] if r["lab"] == "baseline" and r["ok"]]
    sizes = sorted({r["bytes"] for r in runs})
    clients = [c for c in ["kafkajs smoke", "kcat"] if any(r["client"] == c for r in runs)]
    colors = {"kafkajs smoke": BLUE, "kcat": ORANGE}
    w = 0.38
    for i, c in enumerate(clients):
        xs = [j + (i - 0.5) * w for j in range(len(sizes))]
        bars(ax_t, xs, [stats([r["messagesPerSecond"] for r in runs if r["client"] == c and r["bytes"] == s]) for s in sizes], w, colors[c], c)
        p50 = [stats([r["p50Ms"] for r in runs if r["client"] == c and r["bytes"] == s]) for s in sizes]
        p99 = [stats([r["p99Ms"] for r in runs if r["client"] == c and r["bytes"] == s]) for s in sizes]
        bars(ax_l, [x - w / 4 for x in xs], p50, w / 2, colors[c], f"{c} p50")
        bars(ax_l, [x + w / 4 for x in xs], p99, w / 2, colors[c], f"{c} p99", hatch="//")
    for ax in (ax_t, ax_l):
        ax.set_xticks(range(len(sizes)))
        ax.set_xticklabels([f"{s} B messages" for s in sizes])
    ax_t.set_ylabel("messages/s, round trip (median, min–max)")
    ax_t.set_title(f"2. Throughput, {data['meta']['messages']:,} messages per run")
    ax_t.legend(fontsize=7)
    ax_l.set_ylabel("end-to-end latency, ms (plain p50, hatched p99)")
    ax_l.set_title("2. Latency at full speed (mostly queueing)")
    ax_l.legend(fontsize=7, loc="upper left")


def memory_panel(ax, data):
    labs = [(m["lab"], m["idle"]["total"], (m.get("loaded") or {}).get("total")) for m in data["memory"]]
    compose = [r["rss"]["total"] for r in data["ready"] if r["path"] == "compose" and r.get("rss") and not r.get("error")]
    if compose:
        labs.append(("tutorial compose (1 GB heap)", statistics.median(compose), None))
    x = range(len(labs))
    w = 0.38
    ax.bar([i - w / 2 for i in x], [l[1] for l in labs], w, color=GREEN, label="idle")
    ax.bar([i + w / 2 for i in x], [l[2] or 0 for l in labs], w, color=RED, label="under load (peak)")
    for i, l in enumerate(labs):
        ax.text(i - w / 2, l[1], f"{l[1]:.0f}", ha="center", va="bottom", fontsize=7)
        if l[2]:
            ax.text(i + w / 2, l[2], f"{l[2]:.0f}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(list(x))
    ax.set_xticklabels([textwrap.fill(l[0], 18) for l in labs], fontsize=7)
    ax.set_ylim(top=max(max(l[1], l[2] or 0) for l in labs) * 1.2)
    ax.set_ylabel("lab RSS, MiB")
    ax.set_title("3. Memory of the lab (all containers)")
    ax.legend(fontsize=7, loc="upper left", ncol=2)


def scaling_panel(ax, data):
    runs = [r for r in data["scaling"] if not r.get("error")]
    counts = sorted({r["brokers"] for r in runs})
    if not counts:
        ax.set_axis_off()
        return
    ax2 = ax.twinx()
    for variant, style in (("baseline", "-"), ("tuned", "--")):
        vr = [r for r in runs if r.get("variant", "baseline") == variant]
        cs = [b for b in counts if any(r["brokers"] == b for r in vr)]
        if not cs:
            continue
        ready = [stats([r.get("ready") for r in vr if r["brokers"] == b]) for b in cs]
        rss = [stats([r["idle"]["total"] for r in vr if r["brokers"] == b and r.get("idle")]) for b in cs]
        ax.errorbar(cs, [t[0] for t in ready], yerr=[[t[0] - t[1] for t in ready], [t[2] - t[0] for t in ready]],
                    color=BLUE, marker="o", linestyle=style, capsize=3, label=f"ready, s ({variant})")
        up = variant == "baseline"
        for b, t in zip(cs, ready):
            ax.annotate(f"{t[0]:.1f} s", (b, t[0]), textcoords="offset points", xytext=(-28, 6) if up else (6, -12), fontsize=7, color=BLUE)
        ax2.plot(cs, [t[0] for t in rss], color=GREEN, marker="s", linestyle=style, label=f"idle RSS, MiB ({variant})")
        for b, t in zip(cs, rss):
            ax2.annotate(f"{t[0]:.0f} MiB", (b, t[0]), textcoords="offset points", xytext=(8, 2) if up else (8, -10), fontsize=7, color=GREEN)
    ax.set_xlabel("brokers")
    ax.set_ylabel("seconds to ready", color=BLUE)
    ax.set_xticks(counts)
    ax.set_xlim(counts[0] - 0.6, counts[-1] + 0.6)
    ax.set_ylim(bottom=0)
    ax2.set_ylabel("lab RSS idle, MiB", color=GREEN)
    ax2.set_ylim(bottom=0)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper left")
    ax.set_title(f"4. Scaling ({data['meta']['topology']} topology; dashed: tuned)")


def teardown_panel(ax, data):
    items = []
    for p in ["pulumi", "pulumi-floor-network", "cli", "compose"]:
        t = stats([r.get("teardown") for r in data["ready"] if r["path"] == p and not r.get("error")])
        if t:
            items.append((TITLES[p].replace(" (", "\n("), t, GREY))
    for b in sorted({r["brokers"] for r in data["scaling"]}):
        for variant, color in (("baseline", BLUE), ("tuned", GREEN)):
            t = stats([r.get("teardown") for r in data["scaling"] if r["brokers"] == b and r.get("variant", "baseline") == variant and not r.get("error")])
            if t:
                items.append((f"{b} broker{'s' if b > 1 else ''}, {variant}", t, color))
    for i, item in enumerate(items):
        bars(ax, [i], [item[1]], 0.6, item[2], None)
    ax.set_xticks(list(range(len(items))))
    ax.set_xticklabels([i[0].replace("kafka-lab ", "").replace("tutorial ", "").replace("\n", " ") for i in items], fontsize=7, rotation=35, ha="right")
    ax.set_ylabel("seconds (median, min–max)")
    ax.set_title("5. Teardown")


def main():
    data = json.load(open(sys.argv[1]))
    m = data["meta"]
    fig, axes = plt.subplots(2, 3, figsize=(18, 10))
    ready_panel(axes[0][0], data)
    if data["throughput"]:
        throughput_panels(axes[0][1], axes[0][2], data)
    else:
        axes[0][1].set_axis_off()
        axes[0][2].set_axis_off()
    memory_panel(axes[1][0], data) if data["memory"] else axes[1][0].set_axis_off()
    scaling_panel(axes[1][1], data)
    teardown_panel(axes[1][2], data)
    others = f"up to {m['othersMax']} containers of other labs running" if m["othersMax"] else "no other lab running"
    fig.suptitle(
        f"kafka-lab benchmark {m['startedAt'][:16].replace('T', ' ')} UTC — {m['topology']} topology, {m['reps']} rep(s); "
        f"{m['cores']} cores, {m['memoryGiB']} GiB; load {m['load']['start'][0]}→{(m['load'].get('end') or ['?'])[0]}, {others}",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(sys.argv[2], dpi=100)


main()
