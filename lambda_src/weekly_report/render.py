"""The weekly report as a plain-text summary (SNS, e-mail) and as one HTML page with inline SVG charts.

The charts are drawn by matplotlib (the same library as the dashboard previews, tools/dashboard_preview.py)
and inlined as SVG; the Lambda zip carries matplotlib as wheels for its runtime (tools/build_lambdas.py).
"""

from __future__ import annotations

import functools
import io
import os
import re
import tempfile
from html import escape
from typing import Any

from lambda_src.weekly_report.report import Report


def _f(value: Any, fmt: str = "{:,}", none: str = "-") -> str:
    return none if value is None else fmt.format(value)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True)))
    out = [line, "-" * len(line)]
    for r in rows:
        cells = zip(r, widths, strict=True)
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(cells)))
    return out


def text(report: Report, html_uri: str | None = None) -> str:
    t = report.totals
    lines = [
        f"Weekly ETL report - {report.environment} - {report.period_start:%Y-%m-%d %H:%M} to "
        f"{report.period_end:%Y-%m-%d %H:%M} UTC",
        f"Runs: {t['runs']} ({t['succeeded']} succeeded, {t['failed']} failed), success rate "
        f"{_f(t['success_rate'], '{}%')}, records processed {t['records_processed']:,}, estimated cost "
        f"${t['cost']:,.2f} ({t['dpu_hours']} DPU-hours at ${report.dpu_hour_price}/DPU-hour)",
        "",
        "JOB STATISTICS",
    ]
    lines += _table(
        ["job", "runs", "success", "avg s", "p95 s", "records", "rec/s", "DPU-h", "cost $"],
        [
            [
                j.job_name,
                str(j.runs),
                _f(j.success_rate, "{}%"),
                _f(j.avg_duration_s),
                _f(j.p95_duration_s),
                f"{j.records_processed:,}",
                _f(j.throughput_rps),
                f"{j.dpu_hours:g}",
                f"{j.cost:,.2f}",
            ]
            for j in report.jobs
        ],
    )
    lines += ["", "PERFORMANCE (successful runs)"]
    lines += _table(
        ["job", "avg s", "p95 s", "max s", "prev avg s", "change"],
        [
            [
                j.job_name,
                _f(j.avg_duration_s),
                _f(j.p95_duration_s),
                _f(j.max_duration_s),
                _f(j.prev_avg_duration_s),
                _f(j.duration_change_pct, "{:+}%"),
            ]
            for j in report.jobs
        ],
    )
    lines += ["", "DATA QUALITY"]
    if report.quality:
        lines += _table(
            ["job", "checks", "avg score", "min score", "pass rate", "records failed"],
            [
                [
                    q.job_name,
                    str(q.checks),
                    _f(q.avg_score),
                    _f(q.min_score),
                    _f(q.avg_pass_rate, "{}%"),
                    f"{q.records_failed:,}",
                ]
                for q in report.quality
            ],
        )
    else:
        lines.append("No data quality events in the audit trail for this period.")
    lines += ["", "TOP FAILURE MESSAGES"]
    lines += [f"{e['count']:>4}x  {e['message']}  ({', '.join(e['jobs'])})" for e in report.errors] or ["None."]
    lines += ["", "RECOMMENDATIONS"]
    lines += [f"- [{r['severity']}] {r['text']}" for r in report.recommendations]
    if report.notes:
        lines += ["", "NOTES"] + [f"- {n}" for n in report.notes]
    if html_uri:
        lines += ["", f"Full report with charts: {html_uri}"]
    return "\n".join(lines)


# -- HTML ---------------------------------------------------------------------------------------------------

COLOURS = {"ok": "#2e7d32", "bad": "#c62828", "a": "#1565c0", "b": "#90caf9", "cost": "#6a1b9a"}
CHART_WIDTH_IN = 6.4  # inches: 460 pt in the SVG
CHART_STYLE = {
    "svg.fonttype": "none",  # text stays <text> (searchable, small), drawn by the browser's sans-serif
    "svg.hashsalt": "weekly-report",  # fixed clip-path ids: the same report gives the same bytes
    "text.parse_math": False,  # a "$" in a job name or a title is a dollar, not TeX
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
}


@functools.cache
def _matplotlib() -> Any:
    """matplotlib as a Lambda needs it: its config and font cache in /tmp (the only writable folder there;
    MPLCONFIGDIR is read on import) and the Agg backend (no display). Imported on first use only."""
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "matplotlib"))
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower()


def _svg(fig: Any, title: str) -> str:
    """The figure as an <svg> element for inline use: no XML prologue, every id prefixed with the chart's
    slug so that the page's charts never share an id, and an accessible name."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'(id="|url\(#|href="#)', rf"\g<1>{_slug(title)}-", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)


def _figure(title: str, height_in: float) -> tuple[Any, Any]:
    from matplotlib.figure import Figure  # after _matplotlib(): MPLCONFIGDIR first

    fig = Figure(figsize=(CHART_WIDTH_IN, height_in), layout="constrained")
    ax = fig.subplots()
    ax.set_title(title, loc="left", fontweight="bold", fontsize=10)
    return fig, ax


def bar_chart(
    title: str,
    rows: list[tuple[str, list[float | None]]],
    series: list[tuple[str, str]],
    unit: str = "",
    max_value: float | None = None,
) -> str:
    """Horizontal grouped bars: one group per row label, one bar per series (each bar's <g> id names its row
    and series), the value at the end of the bar, "-" where there is none."""
    mpl = _matplotlib()
    with mpl.rc_context(CHART_STYLE):
        n = max(len(series), 1)
        fig, ax = _figure(title, 0.9 + 0.24 * n * max(len(rows), 1) + (0.25 if n > 1 else 0))
        height = 0.8 / n
        for k, (name, colour) in enumerate(series):
            values = [vals[k] for _, vals in rows]
            ys = [i + (k - (n - 1) / 2) * height for i in range(len(rows))]
            bars = ax.barh(ys, [v or 0 for v in values], height=height, color=colour, label=name)
            for bar, (label, _) in zip(bars, rows, strict=True):
                bar.set_gid(_slug(f"bar-{label}-{name}"))
            ax.bar_label(bars, labels=["-" if v is None else f"{v:g}{unit}" for v in values], padding=3, fontsize=8)
        ax.set_yticks(range(len(rows)), [label[:26] for label, _ in rows])
        ax.invert_yaxis()  # the first job on top, as in the tables
        top = max([v for _, vals in rows for v in vals if v is not None] + [max_value or 0, 1e-9])
        ax.set_xlim(0, top * 1.18)  # room for the value labels
        ax.xaxis.grid(True, color="#e5e5e5")
        if not rows:
            ax.text(0.5, 0.5, "no jobs", transform=ax.transAxes, ha="center", va="center", color="#777")
        if len(series) > 1:
            ax.legend(loc="lower right", fontsize=8, frameon=False)
        return _svg(fig, title)


def daily_chart(report: Report) -> str:
    """Stacked columns: succeeded and failed runs per day (each column's <g> id names its day and state)."""
    title = "Runs per day (succeeded / failed)"
    mpl = _matplotlib()
    from matplotlib.ticker import MaxNLocator

    with mpl.rc_context(CHART_STYLE):
        fig, ax = _figure(title, 2.6)
        days = report.daily
        ok = [d["succeeded"] for d in days]
        bad = [d["failed"] for d in days]
        for state, values, bottom, colour in (("succeeded", ok, None, "ok"), ("failed", bad, ok, "bad")):
            bars = ax.bar(range(len(days)), values, bottom=bottom, color=COLOURS[colour], label=state, width=0.7)
            for bar, day in zip(bars, days, strict=True):
                bar.set_gid(_slug(f"day-{day['date']}-{state}"))
        totals = [o + b for o, b in zip(ok, bad, strict=True)]
        ax.bar_label(bars, labels=[str(t) if t else "" for t in totals], padding=2, fontsize=8)
        ax.set_xticks(range(len(days)), [d["date"][5:] for d in days])
        ax.set_ylim(0, max(totals + [1]) * 1.2)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.grid(True, color="#e5e5e5")
        ax.set_ylabel("runs")
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=2)
        return _svg(fig, title)


def _html_table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html(report: Report) -> str:
    t = report.totals
    jobs = report.jobs
    charts = [
        bar_chart(
            "Success rate per job",
            [(j.job_name, [j.success_rate]) for j in jobs],
            [("success", COLOURS["ok"])],
            unit="%",
            max_value=100,
        ),
        bar_chart(
            "Run time of successful runs (s)",
            [(j.job_name, [j.avg_duration_s, j.p95_duration_s]) for j in jobs],
            [("average", COLOURS["b"]), ("P95", COLOURS["a"])],
            unit=" s",
        ),
        bar_chart("Estimated DPU cost ($)", [(j.job_name, [j.cost]) for j in jobs], [("cost", COLOURS["cost"])]),
        daily_chart(report),
    ]
    sections = [
        f"<h1>Weekly ETL report: {escape(report.environment)}</h1>",
        f"<p>{report.period_start:%Y-%m-%d %H:%M} to {report.period_end:%Y-%m-%d %H:%M} UTC. "
        f"<b>{t['runs']}</b> runs, success rate <b>{_f(t['success_rate'], '{}%')}</b>, "
        f"<b>{t['records_processed']:,}</b> records, estimated cost <b>${t['cost']:,.2f}</b> "
        f"({t['dpu_hours']} DPU-hours at ${report.dpu_hour_price}/DPU-hour).</p>",
        '<div class="charts">' + "".join(f"<figure>{c}</figure>" for c in charts) + "</div>",
        "<h2>Job statistics</h2>",
        _html_table(
            [
                "job",
                "runs",
                "succeeded",
                "failed",
                "stopped",
                "success rate",
                "avg s",
                "P95 s",
                "records",
                "records/s",
                "DPU-hours",
                "cost $",
            ],
            [
                [
                    j.job_name,
                    str(j.runs),
                    str(j.succeeded),
                    str(j.failed),
                    str(j.stopped),
                    _f(j.success_rate, "{}%"),
                    _f(j.avg_duration_s),
                    _f(j.p95_duration_s),
                    f"{j.records_processed:,}",
                    _f(j.throughput_rps),
                    f"{j.dpu_hours:g}",
                    f"{j.cost:,.2f}",
                ]
                for j in jobs
            ],
        ),
        "<h2>Performance</h2>",
        _html_table(
            ["job", "avg s", "P95 s", "max s", "previous week avg s", "change"],
            [
                [
                    j.job_name,
                    _f(j.avg_duration_s),
                    _f(j.p95_duration_s),
                    _f(j.max_duration_s),
                    _f(j.prev_avg_duration_s),
                    _f(j.duration_change_pct, "{:+}%"),
                ]
                for j in jobs
            ],
        ),
        "<h2>Data quality</h2>",
        _html_table(
            ["job", "checks", "avg score", "min score", "pass rate", "records checked", "records failed"],
            [
                [
                    q.job_name,
                    str(q.checks),
                    _f(q.avg_score),
                    _f(q.min_score),
                    _f(q.avg_pass_rate, "{}%"),
                    f"{q.records_checked:,}",
                    f"{q.records_failed:,}",
                ]
                for q in report.quality
            ],
        )
        if report.quality
        else "<p>No data quality events in the audit trail for this period.</p>",
        "<h2>Top failure messages</h2>",
        _html_table(
            ["count", "message", "jobs"], [[str(e["count"]), e["message"], ", ".join(e["jobs"])] for e in report.errors]
        )
        if report.errors
        else "<p>None.</p>",
        "<h2>Recommendations</h2>",
        "<ul>"
        + "".join(
            f'<li class="{escape(r["severity"])}"><b>{escape(r["severity"])}</b>: {escape(r["text"])}</li>'
            for r in report.recommendations
        )
        + "</ul>",
    ]
    if report.notes:
        sections += ["<h2>Notes</h2>", "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in report.notes) + "</ul>"]
    style = (
        "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child"
        "{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}"
        "li.critical b{color:#c62828}li.warning b{color:#ef6c00}"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Weekly ETL report {escape(report.environment)} {report.period_end:%Y-%m-%d}</title>"
        f"<style>{style}</style></head><body>{''.join(sections)}</body></html>"
    )
