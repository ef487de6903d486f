"""The weekly report as a plain-text summary (SNS, e-mail) and as one HTML page with inline SVG charts."""

from __future__ import annotations

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


def bar_chart(
    title: str,
    rows: list[tuple[str, list[float | None]]],
    series: list[tuple[str, str]],
    unit: str = "",
    max_value: float | None = None,
) -> str:
    """Horizontal grouped bars: one group per row label, one bar per series."""
    label_w, chart_w, bar_h, gap = 170, 420, 14, 10
    n = max(len(series), 1)
    group_h = n * bar_h + gap
    height = 40 + len(rows) * group_h + 20 * ((len(series) > 1) + 0)
    top = max([v for _, vals in rows for v in vals if v is not None] + [max_value or 0, 1e-9])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'width="{label_w + chart_w + 90}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    y = 30
    for label, vals in rows:
        label_y = y + n * bar_h / 2 + 4
        parts.append(f'<text x="{label_w - 6}" y="{label_y}" text-anchor="end">{escape(label[:26])}</text>')
        for (name, colour), v in zip(series, vals, strict=True):
            w = 0 if v is None else chart_w * v / top
            shown = "-" if v is None else f"{v:g}"
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{colour}">'
                f"<title>{escape(label)} {escape(name)}: {shown}{unit}</title></rect>"
            )
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}">{shown}{unit}</text>')
            y += bar_h
        y += gap
    if len(series) > 1:
        x = label_w
        for name, colour in series:
            parts.append(
                f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="{y + 9}">{escape(name)}</text>'
            )
            x += 20 + 8 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def daily_chart(report: Report) -> str:
    """Stacked columns: succeeded and failed runs per day."""
    w, h, pad = 560, 180, 30
    days = report.daily
    top = max([d["succeeded"] + d["failed"] for d in days] + [1])
    col = (w - 2 * pad) / max(len(days), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Runs per day" width="{w}" '
        f'height="{h + 40}" font-family="sans-serif" font-size="11">',
        '<text x="0" y="14" font-weight="bold" font-size="12">Runs per day (succeeded / failed)</text>',
    ]
    for i, d in enumerate(days):
        x = pad + i * col + 4
        ok_h = (h - 30) * d["succeeded"] / top
        bad_h = (h - 30) * d["failed"] / top
        base = h
        parts.append(
            f'<rect x="{x:.1f}" y="{base - ok_h:.1f}" width="{col - 8:.1f}" height="{ok_h:.1f}" '
            f'fill="{COLOURS["ok"]}"><title>{d["date"]}: {d["succeeded"]} succeeded</title></rect>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{base - ok_h - bad_h:.1f}" width="{col - 8:.1f}" height="{bad_h:.1f}" '
            f'fill="{COLOURS["bad"]}"><title>{d["date"]}: {d["failed"]} failed</title></rect>'
        )
        parts.append(f'<text x="{x + (col - 8) / 2:.1f}" y="{h + 14}" text-anchor="middle">{d["date"][5:]}</text>')
    parts.append("</svg>")
    return "".join(parts)


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
