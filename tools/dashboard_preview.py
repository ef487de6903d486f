"""Render CloudWatch dashboard bodies to PNG, so a reviewer sees a dashboard without AWS.

The input is any of:
  - a plan:        terraform show -json tfplan > plan.json            (aws_cloudwatch_dashboard resources)
  - a state:       terraform show -json > state.json, or a raw terraform.tfstate
  - outputs:       terraform output -json dashboard_bodies > bodies.json   (name -> body)
                   terraform output -json > outputs.json                  (any output holding dashboard_bodies)
  - one body:      a dashboard body JSON ({"widgets": [...]})
  - "-":           any of the above on stdin

    python -m tools.dashboard_preview plan.json --out build/dashboards
    terraform output -json dashboard_bodies | python -m tools.dashboard_preview - --out build/dashboards

Each dashboard becomes <out>/<name>.png: the 24-column grid, every widget at its place with its title, its
type, and what it shows (the metrics with their dimensions and statistic, metric-math expressions,
threshold annotations, Logs Insights queries, alarm names, text). Overlapping widgets are outlined in red and
reported; --strict makes them (and widgets outside the grid) an error.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

GRID_COLUMNS = 24
COL_PX = 64  # one grid column
ROW_PX = 36  # one grid row
MARGIN = 16
HEADER_PX = 44

COLORS = {
    "background": (246, 247, 249),
    "grid": (228, 231, 236),
    "widget": (255, 255, 255),
    "border": (190, 196, 206),
    "title": (22, 25, 31),
    "text": (60, 66, 78),
    "muted": (120, 128, 140),
    "metric": (35, 100, 190),
    "expression": (120, 60, 170),
    "annotation": (200, 110, 0),
    "log": (20, 130, 90),
    "alarm": (190, 40, 40),
    "overlap": (230, 0, 0),
    "badge": (236, 240, 246),
}
TYPE_COLOR = {"metric": "metric", "log": "log", "alarm": "alarm", "text": "muted"}


# ---- reading bodies -------------------------------------------------------------------------------------

def _dashboards_in_resources(resources: list[dict], key: str = "values") -> dict[str, str]:
    found = {}
    for res in resources:
        if res.get("type") == "aws_cloudwatch_dashboard":
            vals = res.get(key) or {}
            if vals.get("dashboard_body"):
                found[vals.get("dashboard_name") or res.get("address", "dashboard")] = vals["dashboard_body"]
    return found


def _walk_modules(module: dict) -> list[dict]:
    out = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        out += _walk_modules(child)
    return out


def _find_key(obj, key: str):
    """Every value stored under `key` anywhere in a JSON document."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                yield v
            else:
                yield from _find_key(v, key)
    elif isinstance(obj, list):
        for v in obj:
            yield from _find_key(v, key)


def load_bodies(doc) -> dict[str, dict]:
    """Dashboard name -> parsed body, from a plan, a state, outputs or a single body."""
    raw: dict[str, str | dict] = {}
    if isinstance(doc, dict) and "widgets" in doc:
        raw["dashboard"] = doc
    elif isinstance(doc, dict) and "resource_changes" in doc:  # plan
        for rc in doc["resource_changes"]:
            after = (rc.get("change") or {}).get("after") or {}
            if rc.get("type") == "aws_cloudwatch_dashboard" and after.get("dashboard_body"):
                raw[after.get("dashboard_name") or rc["address"]] = after["dashboard_body"]
    elif isinstance(doc, dict) and "values" in doc and isinstance(doc["values"], dict):  # terraform show -json
        raw.update(_dashboards_in_resources(_walk_modules(doc["values"].get("root_module", {}))))
    elif isinstance(doc, dict) and "resources" in doc and "version" in doc:  # raw tfstate
        for res in doc["resources"]:
            if res.get("type") == "aws_cloudwatch_dashboard":
                for inst in res.get("instances", []):
                    attrs = inst.get("attributes") or {}
                    raw[attrs.get("dashboard_name", res["name"])] = attrs.get("dashboard_body", "{}")
    if not raw and isinstance(doc, dict):  # outputs: a name -> body map, possibly under dashboard_bodies/value
        candidates = list(_find_key(doc, "dashboard_bodies")) or [doc]
        for cand in candidates:
            cand = cand.get("value", cand) if isinstance(cand, dict) else cand
            if isinstance(cand, dict):
                for name, body in cand.items():
                    if isinstance(body, str) and body.lstrip().startswith("{") and '"widgets"' in body:
                        raw[name] = body
                    elif isinstance(body, dict) and "widgets" in body:
                        raw[name] = body
    bodies = {}
    for name, body in raw.items():
        bodies[name] = json.loads(body) if isinstance(body, str) else body
    return dict(sorted(bodies.items()))


# ---- checks -------------------------------------------------------------------------------------------------

@dataclass
class Report:
    name: str
    widgets: int
    metrics: int
    body_bytes: int
    rows: int
    overlaps: list[tuple[int, int]] = field(default_factory=list)
    outside: list[int] = field(default_factory=list)
    png: str = ""


def metric_count(widget: dict) -> int:
    return len((widget.get("properties") or {}).get("metrics") or [])


def overlaps(widgets: list[dict]) -> list[tuple[int, int]]:
    """Index pairs of widgets whose rectangles intersect (widgets without x/y are auto-placed: skipped)."""
    boxes = [(i, w["x"], w["y"], w.get("width", 6), w.get("height", 6)) for i, w in enumerate(widgets)
             if "x" in w and "y" in w]
    pairs = []
    for a in range(len(boxes)):
        i, x1, y1, w1, h1 = boxes[a]
        for b in range(a + 1, len(boxes)):
            j, x2, y2, w2, h2 = boxes[b]
            if x1 < x2 + w2 and x2 < x1 + w1 and y1 < y2 + h2 and y2 < y1 + h1:
                pairs.append((i, j))
    return pairs


def outside_grid(widgets: list[dict]) -> list[int]:
    return [i for i, w in enumerate(widgets) if w.get("x", 0) < 0 or w.get("x", 0) + w.get("width", 6) > GRID_COLUMNS]


def auto_place(widgets: list[dict]) -> list[dict]:
    """CloudWatch places widgets without x/y left to right, top to bottom; do the same for the preview."""
    placed, x, y, row_h = [], 0, 0, 0
    bottom = max([w["y"] + w.get("height", 6) for w in widgets if "y" in w] or [0])
    y = bottom
    for w in widgets:
        if "x" in w and "y" in w:
            placed.append(w)
            continue
        width, height = w.get("width", 6), w.get("height", 6)
        if x + width > GRID_COLUMNS:
            x, y, row_h = 0, y + row_h, 0
        placed.append({**w, "x": x, "y": y, "width": width, "height": height})
        x, row_h = x + width, max(row_h, height)
    return placed


# ---- describing a widget -------------------------------------------------------------------------------------

def _resolve_metric(entry: list, previous: list | None) -> tuple[list, dict]:
    """A metrics-array entry -> its parts (with "." resolved against the previous entry) and its options."""
    opts = entry[-1] if entry and isinstance(entry[-1], dict) else {}
    parts = [p for p in entry if not isinstance(p, dict)]
    if previous:
        parts = [previous[i] if p == "." and i < len(previous) else p for i, p in enumerate(parts)]
    return parts, opts


def widget_lines(widget: dict) -> list[tuple[str, str]]:
    """(color key, text) lines that say what a widget shows."""
    props = widget.get("properties") or {}
    kind = widget.get("type", "metric")
    lines: list[tuple[str, str]] = []
    if kind == "metric":
        default_stat = props.get("stat", "Average")
        previous = None
        for entry in props.get("metrics") or []:
            if not isinstance(entry, list):
                lines.append(("overlap", f"not a metric array: {json.dumps(entry)[:80]}"))
                continue
            parts, opts = _resolve_metric(entry, previous)
            if not parts and "expression" in opts:
                lines.append(("expression", f"= {opts.get('label') or opts.get('id', '')}: {opts['expression']}"))
                continue
            previous = parts
            ns, name, dims = parts[0], parts[1] if len(parts) > 1 else "?", parts[2:]
            dim_text = ", ".join(f"{dims[i]}={dims[i + 1]}" for i in range(0, len(dims) - 1, 2))
            stat = opts.get("stat", default_stat)
            hidden = " (hidden)" if opts.get("visible") is False else ""
            axis = " [right]" if opts.get("yAxis") == "right" else ""
            label = f"{opts['label']}: " if opts.get("label") else ""
            lines.append(("metric", f"{label}{ns} {name} {stat}{axis}{hidden}"))
            if dim_text:
                lines.append(("muted", f"    {dim_text}"))
        for ann in (props.get("annotations") or {}).get("horizontal") or []:
            lines.append(("annotation", f"--- {ann.get('label', '')} = {ann.get('value')}"))
        period = props.get("period")
        if period:
            lines.append(("muted", f"period {period} s, view {props.get('view', 'timeSeries')}"))
    elif kind == "log":
        for q in (props.get("query") or "").split("\n"):
            lines.append(("log", q.strip()))
    elif kind == "alarm":
        for arn in props.get("alarms") or []:
            lines.append(("alarm", "● " + arn.rsplit(":", 1)[-1]))
    elif kind == "text":
        for line in (props.get("markdown") or "").split("\n"):
            lines.append(("text", line.lstrip("#").strip()))
    else:
        lines.append(("muted", json.dumps(props)[:400]))
    return lines


# ---- drawing -----------------------------------------------------------------------------------------------------

def _fonts():
    from PIL import ImageFont

    def load(name: str, size: int):
        for base in ("/usr/share/fonts/truetype/dejavu/", "/usr/share/fonts/dejavu/", "/Library/Fonts/", ""):
            try:
                return ImageFont.truetype(base + name, size)
            except OSError:
                continue
        try:
            return ImageFont.load_default(size=size)
        except TypeError:  # Pillow < 10.1
            return ImageFont.load_default()

    return {"title": load("DejaVuSans-Bold.ttf", 14), "text": load("DejaVuSans.ttf", 11),
            "small": load("DejaVuSans.ttf", 10), "header": load("DejaVuSans-Bold.ttf", 18)}


def _fit(draw, text: str, font, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def render(name: str, body: dict, out: Path) -> Report:
    from PIL import Image, ImageDraw

    widgets = auto_place(body.get("widgets") or [])
    rows = max([w["y"] + w.get("height", 6) for w in widgets] or [1])
    report = Report(name=name, widgets=len(widgets), metrics=sum(metric_count(w) for w in widgets),
                    body_bytes=len(json.dumps(body, separators=(",", ":"))), rows=rows,
                    overlaps=overlaps(widgets), outside=outside_grid(widgets))
    width = MARGIN * 2 + GRID_COLUMNS * COL_PX
    height = HEADER_PX + MARGIN * 2 + rows * ROW_PX
    img = Image.new("RGB", (width, height), COLORS["background"])
    draw = ImageDraw.Draw(img)
    fonts = _fonts()

    top = HEADER_PX + MARGIN
    draw.text((MARGIN, 12), f"{name}   ({report.widgets} widgets, {report.metrics} metrics, "
                            f"{report.body_bytes:,} bytes)", fill=COLORS["title"], font=fonts["header"])
    for c in range(GRID_COLUMNS + 1):
        x = MARGIN + c * COL_PX
        draw.line([(x, top), (x, top + rows * ROW_PX)], fill=COLORS["grid"])
    for r in range(rows + 1):
        y = top + r * ROW_PX
        draw.line([(MARGIN, y), (MARGIN + GRID_COLUMNS * COL_PX, y)], fill=COLORS["grid"])

    bad = {i for pair in report.overlaps for i in pair} | set(report.outside)
    for i, w in enumerate(widgets):
        x0 = MARGIN + w["x"] * COL_PX + 3
        y0 = top + w["y"] * ROW_PX + 3
        x1 = MARGIN + (w["x"] + w.get("width", 6)) * COL_PX - 3
        y1 = top + (w["y"] + w.get("height", 6)) * ROW_PX - 3
        draw.rectangle([x0, y0, x1, y1], fill=COLORS["widget"],
                       outline=COLORS["overlap"] if i in bad else COLORS["border"], width=3 if i in bad else 1)
        kind = w.get("type", "metric")
        props = w.get("properties") or {}
        inner = x1 - x0 - 16
        badge = kind.upper()
        bw = draw.textlength(badge, font=fonts["small"]) + 10
        draw.rectangle([x1 - bw - 6, y0 + 6, x1 - 6, y0 + 20], fill=COLORS["badge"])
        draw.text((x1 - bw - 1, y0 + 7), badge, fill=COLORS[TYPE_COLOR.get(kind, "muted")], font=fonts["small"])
        y = y0 + 6
        if props.get("title"):
            draw.text((x0 + 8, y), _fit(draw, props["title"], fonts["title"], inner - bw - 8),
                      fill=COLORS["title"], font=fonts["title"])
            y += 22
        if kind == "metric":  # a faint chart area behind the legend, so it reads as a graph
            draw.line([(x0 + 8, y1 - 10), (x1 - 8, y1 - 10)], fill=COLORS["grid"], width=1)
        for color, text in widget_lines(w):
            wrapped = textwrap.wrap(text, width=max(20, int(inner / 6.2)), subsequent_indent="    ") or [""]
            for part in wrapped:
                if y + 14 > y1 - 4:
                    break
                draw.text((x0 + 8, y), _fit(draw, part, fonts["text"], inner), fill=COLORS[color],
                          font=fonts["text"])
                y += 14
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out)
    report.png = str(out)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.dashboard_preview", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="plan/state/outputs/body JSON file, or - for stdin")
    parser.add_argument("--out", default="build/dashboards", help="folder for the PNGs (default build/dashboards)")
    parser.add_argument("--strict", action="store_true", help="fail when widgets overlap or leave the grid")
    args = parser.parse_args(argv)
    text = sys.stdin.read() if args.source == "-" else Path(args.source).read_text()
    bodies = load_bodies(json.loads(text))
    if not bodies:
        print("no dashboard bodies found in the input", file=sys.stderr)
        return 2
    failed = False
    for name, body in bodies.items():
        rep = render(name, body, Path(args.out) / f"{name}.png")
        note = ""
        if rep.overlaps or rep.outside:
            failed = True
            note = f"  OVERLAPS {rep.overlaps} OUTSIDE {rep.outside}"
        print(f"{rep.png}: {rep.widgets} widgets, {rep.metrics} metrics, {rep.body_bytes:,} bytes, "
              f"{rep.rows} rows{note}")
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
