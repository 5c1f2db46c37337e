#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turns scripts/bench.sh's raw samples into the report.

usage: report.py RAW.tsv OUTDIR UPSTREAM_LABEL HOST RUNS_JSON TSC_KHZ

Reads RAW.tsv (section, config, run, metric, value), writes OUTDIR/
results.md, results.json and timeline.svg (the boot timeline of the Linux
configurations) and prints the markdown.  Medians over the successful
runs; ratio = ours / upstream from the same run, against the upstream row
with the same variant suffix (-bzimage, -mk, -mk-bzimage).
"""

import csv
import datetime
import json
import statistics
import sys
from xml.sax.saxutils import escape

BASES = ["upstream-default-seabios", "upstream-acpi-off-qboot"]
# The configurations of bench.sh, longest first (suffix matching)
CONFIG_BASES = sorted([
    "ours-acpi-on", "ours-acpi-off", "ours-direct-acpi-on",
    "ours-direct-acpi-off", "upstream-default-seabios",
    "upstream-acpi-off-qboot"], key=len, reverse=True)
PHASES = ["machine-ready", "cpu-start", "fw-entry", "fw-handoff",
          "kernel-entry", "userspace"]


def split_config(cfg):
    for b in CONFIG_BASES:
        if cfg.startswith(b):
            return b, cfg[len(b):]
    return cfg, ""


def main():
    raw, outdir, up_label, host, runs_json, tsc = sys.argv[1:]
    data, order = {}, {}
    with open(raw) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            order.setdefault(r["section"], [])
            if r["config"] not in order[r["section"]]:
                order[r["section"]].append(r["config"])
            (data.setdefault(r["section"], {}).setdefault(r["config"], {})
             .setdefault(r["metric"], []).append(float(r["value"])))

    def med(sec, cfg, metric):
        v = data.get(sec, {}).get(cfg, {}).get(metric, [])
        return statistics.median(v) if v else None

    now = datetime.datetime.now(datetime.timezone.utc)
    result = {
        "date": now.isoformat(timespec="seconds"),
        "host": host, "accel": "TCG", "upstream": up_label,
        "runs": json.loads(runs_json),
        "linux_cmdline_tsc_early_khz": tsc,
        "sections": {},
    }
    md = [f"# microvm bench ({result['date']})", "",
          f"- host: {host}; accel: TCG",
          f"- upstream: {up_label}",
          "- medians over the successful runs; ratio = ours / upstream "
          "(same run, configurations interleaved); a ratio column is "
          "against the upstream row of the same variant "
          "(-bzimage, -mk, -mk-bzimage)", ""]

    def fmt(v, nd=1):
        if v is None:
            return "-"
        return f"{v:,.{nd}f}" if nd else f"{int(round(v)):,}"

    def fmt_ratio(r):
        if r is None:
            return "-"
        return f"{r:.2f}" if r >= 0.1 or r == 0 else f"{r:.2g}"

    def table(sec, title, metrics, bases=BASES):
        if sec not in data:
            return
        md.append(f"## {title}")
        md.append("")
        hdr = ["config", "ok"]
        for _, label, _ in metrics:
            hdr.append(label)
            hdr += [f"/ {b}" for b in bases]
        md.append("| " + " | ".join(hdr) + " |")
        md.append("|" + "---|" * len(hdr))
        out = {}
        for cfg in order[sec]:
            d = data[sec][cfg]
            oks = d.get("ok", [])
            e = {"success": int(sum(oks)), "runs": len(oks)}
            cells = [cfg, f"{int(sum(oks))}/{len(oks)}"]
            _, suffix = split_config(cfg)
            for m, _, nd in metrics:
                v = med(sec, cfg, m)
                e[m] = {"median": v, "samples": d.get(m, [])}
                cells.append(fmt(v, nd))
                for b in bases:
                    bb = b + suffix
                    bv = med(sec, bb, m)
                    r = None if v is None or not bv else v / bv
                    e[m]["ratio_vs_" + bb] = r
                    cells.append(fmt_ratio(r))
            for p in PHASES:
                v = med(sec, cfg, "phase_" + p)
                if v is not None:
                    e.setdefault("boot_timer_ms", {})[p] = v
            out[cfg] = e
            md.append("| " + " | ".join(cells) + " |")
        md.append("")
        result["sections"][sec] = out

    table("exit", "1. Launch to exit (PVH payload -> isa-debug-exit)",
          [("wall_ms", "wall ms", 1), ("rss_kib", "peak RSS KiB", 0),
           ("cpu_ms", "CPU ms", 0)])
    table("insn", "2. Guest instructions from reset to the payload entry "
          "(PVH; -bzimage: bzImage)", [("insns", "instructions", 0)])
    if "insn" in data:
        md.append("On a real-mode entry (upstream's SeaBIOS and qboot) the "
                  "bzImage count includes one payload instruction (the "
                  "setup header's jmp).  Direct boot runs no firmware: 0 "
                  "by design.")
        md.append("")
    table("linux", "3. Linux to userspace (Debian cloud kernel: PVH "
          "vmlinux, -bzimage: vmlinuz; -mk: the minimal microVM kernel)",
          [("wall_ms", "wall ms to /init's first output", 0),
           ("guest_init_ms", "guest clock at /init ms", 0),
           ("exit_ms", "wall ms to QEMU exit", 0),
           ("cpu_ms", "CPU ms to exit", 0),
           ("rss_kib", "peak RSS KiB", 0)])
    if "linux" in data:
        md.append("Ours run with `boot-timer=on`; their phases are in "
                  "the timeline below and in results.json.")
        md.append("")
        timeline_table(data, order, md, med)

    # 4. reliability: every boot of every section, per configuration
    rel = {}
    for sec in ("exit", "linux", "density"):
        for cfg in order.get(sec, []):
            oks = data[sec][cfg].get("ok", [])
            rel.setdefault(cfg, {})[sec] = [int(sum(oks)), len(oks)]
    if rel:
        md.append("## 4. Boot reliability (successful boots / boots, "
                  "consecutive)")
        md.append("")
        md.append("| config | payload to exit | Linux to userspace | "
                  "density (VMs) |")
        md.append("|---|---|---|---|")
        for cfg, d in rel.items():
            cells = [cfg] + [("%d/%d" % tuple(d[s])) if s in d else "-"
                             for s in ("exit", "linux", "density")]
            md.append("| " + " | ".join(cells) + " |")
        md.append("")
        result["sections"]["reliability"] = rel

    if "density" in data:
        md.append("## 5. Density: K microVMs launched at once (Linux to "
                  "userspace, then exit)")
        md.append("")
        md.append("| config | ok VMs | K | total wall ms (all exited) | "
                  "sum of peak RSS MiB | per VM MiB |")
        md.append("|---|---|---|---|---|---|")
        out = {}
        for cfg in order["density"]:
            d = data["density"][cfg]
            k = med("density", cfg, "k")
            wall = med("density", cfg, "total_wall_ms")
            rss = med("density", cfg, "rss_sum_kib")
            oks = d.get("ok", [])
            out[cfg] = {"k": k, "total_wall_ms": wall, "rss_sum_kib": rss,
                        "ok": int(sum(oks)), "vms": len(oks),
                        "samples": d}
            per = rss / k / 1024 if rss and k else None
            md.append(f"| {cfg} | {int(sum(oks))}/{len(oks)} | "
                      f"{fmt(k, 0)} | {fmt(wall, 0)} | "
                      f"{fmt(rss / 1024 if rss else None)} | {fmt(per)} |")
        md.append("")
        md.append("Peak RSS counts shared pages (the QEMU binary, "
                  "libraries) once per VM.")
        md.append("")
        result["sections"]["density"] = out

    svg = timeline_svg(data, order, med, result["date"], host)
    if svg:
        with open(f"{outdir}/timeline.svg", "w") as f:
            f.write(svg)
        md.append("Boot timeline picture: timeline.svg")
    with open(f"{outdir}/results.md", "w") as f:
        f.write("\n".join(md) + "\n")
    with open(f"{outdir}/results.json", "w") as f:
        json.dump(result, f, indent=1)
    print("\n".join(md))


def timeline_rows(data, order, med):
    """(config, phases {name: ms}, wall marker ms, wall exit ms)."""
    rows = []
    for cfg in order.get("linux", []):
        phases = {p: med("linux", cfg, "phase_" + p) for p in PHASES}
        phases = {p: v for p, v in phases.items() if v is not None}
        rows.append((cfg, phases, med("linux", cfg, "wall_ms"),
                     med("linux", cfg, "exit_ms")))
    return rows


def timeline_table(data, order, md, med):
    rows = timeline_rows(data, order, med)
    if not any(r[1] for r in rows):
        return
    md.append("### Boot timeline (medians, ms)")
    md.append("")
    md.append("Ours: boot-timer phases, ms since QEMU created the machine "
              "object.  Upstream has no boot timer: only the wall times "
              "from launch.")
    md.append("")
    md.append("| config | " + " | ".join(PHASES) +
              " | wall: marker | wall: exit |")
    md.append("|---|" + "---|" * (len(PHASES) + 2))
    for cfg, ph, wm, we in rows:
        cells = [cfg] + [f"{ph[p]:,.1f}" if p in ph else "-"
                         for p in PHASES]
        cells += [f"{wm:,.0f}" if wm else "-", f"{we:,.0f}" if we else "-"]
        md.append("| " + " | ".join(cells) + " |")
    md.append("")


# Segment colours of the timeline: what runs between two marks
SEGMENTS = [
    ("launch to machine ready (QEMU start-up)", "#9e9e9e"),
    ("machine ready to vCPU start", "#ffb300"),
    ("firmware", "#e53935"),
    ("Linux kernel and init", "#1e88e5"),
    ("upstream: launch to marker (no boot timer)", "#78909c"),
    ("marker to QEMU exit", "#c5cae9"),
]


def timeline_svg(data, order, med, date, host):
    rows = timeline_rows(data, order, med)
    rows = [r for r in rows if r[2] is not None]
    if not rows:
        return None
    tmax = max(max([r[3] or 0, r[2] or 0] + list(r[1].values()))
               for r in rows)
    left, width, bar, gap, top = 250, 700, 18, 8, 70
    height = top + len(rows) * (bar + gap) + 40 + 20 * len(SEGMENTS)
    scale = width / tmax

    def x(ms):
        return left + ms * scale

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" '
           f'width="{left + width + 40}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="15" font-weight="bold">'
           f'microvm boot timeline, Linux to userspace (medians)</text>',
           f'<text x="10" y="34" fill="#555">{escape(date)}; '
           f'{escape(host)}; TCG</text>',
           '<text x="10" y="50" fill="#555">Wall time from launch; '
           'ours split at its boot-timer phases (upstream has no boot '
           'timer)</text>']
    # grid: at most about 10 lines
    step = next(st for st in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                              10000, 20000, 60000) if tmax / st <= 10)
    t = 0
    ybottom = top + len(rows) * (bar + gap)
    while t <= tmax:
        out.append(f'<line x1="{x(t):.1f}" y1="{top - 5}" x2="{x(t):.1f}" '
                   f'y2="{ybottom}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{x(t):.1f}" y="{ybottom + 14}" '
                   f'text-anchor="middle" fill="#555">{t} ms</text>')
        t += step
    for i, (cfg, ph, wm, we) in enumerate(rows):
        y = top + i * (bar + gap)
        out.append(f'<text x="{left - 6}" y="{y + bar - 5}" '
                   f'text-anchor="end">{escape(cfg)}</text>')
        # The boot timer counts from the machine's creation: shift its
        # phases so that its userspace mark lands on the wall-clock marker
        end = wm
        if ph.get("userspace"):
            off = wm - ph["userspace"]
            ready = off + ph.get("machine-ready", 0)
            start = off + ph.get("cpu-start", ready - off)
            kern = off + ph.get("fw-handoff",
                                ph.get("kernel-entry", start - off))
            segs = [(0, ready, 0), (ready, start, 1), (start, kern, 2),
                    (kern, wm, 3)]
        else:
            segs = [(0, wm, 4)]
        if we:
            segs.append((wm, we, 5))
        for a, b, c in segs:
            if b > a:
                name, colour = SEGMENTS[c]
                out.append(f'<rect x="{x(a):.1f}" y="{y}" '
                           f'width="{max((b - a) * scale, 0.5):.1f}" '
                           f'height="{bar}" fill="{colour}">'
                           f'<title>{escape(name)}: {b - a:,.1f} ms'
                           f'</title></rect>')
        out.append(f'<text x="{x(end) + 4:.1f}" y="{y + bar - 5}" '
                   f'font-size="11">{end:,.0f} ms</text>')
    y = ybottom + 34
    for name, colour in SEGMENTS:
        out.append(f'<rect x="{left}" y="{y - 11}" width="14" height="12" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{left + 20}" y="{y}">{escape(name)}</text>')
        y += 20
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
