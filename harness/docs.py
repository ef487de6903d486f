"""The inputs and outputs tables of the module READMEs, generated from variables.tf and outputs.tf
(terraform-docs' job; it cannot be installed on these machines). Written between the
`<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->` markers.

    python -m harness.docs            # rewrite every module README's tables
    python -m harness.docs --check    # exit 1 when a README is out of date (the static tests do this)
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.paths import ROOT

BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


@dataclass
class Block:
    kind: str
    name: str
    body: str

    def attribute(self, name: str) -> str | None:
        """The expression of a top-level attribute of the block, as written (nested blocks skipped)."""
        depth, i, lines = 0, 0, self.body.splitlines()
        while i < len(lines):
            line = lines[i]
            if depth == 0:
                match = re.match(rf"\s*{name}\s*=\s*(.*)$", line)
                if match:
                    expr = match.group(1)
                    if expr.startswith("<<"):  # heredoc
                        marker = expr.lstrip("<-").strip()
                        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == marker)
                        return "\n".join(x.strip() for x in lines[i + 1:end])
                    balance = _balance(expr)
                    while balance > 0 and i + 1 < len(lines):
                        i += 1
                        expr += "\n" + lines[i]
                        balance += _balance(lines[i])
                    return expr.strip()
            depth += _balance(line)
            i += 1
        return None


def _balance(text: str) -> int:
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)  # brackets inside strings do not count
    return sum(text.count(c) for c in "{([") - sum(text.count(c) for c in "})]")


def blocks(path: Path, kind: str) -> list[Block]:
    if not path.exists():
        return []
    text = path.read_text()
    found = []
    for match in re.finditer(rf'^{kind}\s+"([^"]+)"\s*\{{', text, re.M):
        depth, i = 1, match.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        found.append(Block(kind, match.group(1), text[match.end():i - 1]))
    return found


def _cell(text: str | None) -> str:
    if text is None:
        return "n/a"
    if text.startswith('"') and text.endswith('"') and "\n" not in text:
        text = text[1:-1].replace('\\"', '"')
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def _code(text: str | None) -> str:
    if text is None:
        return "n/a"
    return "`" + re.sub(r"\s+", " ", text).replace("|", "\\|").strip() + "`"


def tables(module: Path) -> str:
    variables = sorted(blocks(module / "variables.tf", "variable"),
                       key=lambda b: (b.attribute("default") is not None, b.name))  # required ones first
    outputs = sorted(blocks(module / "outputs.tf", "output"), key=lambda b: b.name)
    lines = ["## Inputs", "", "| Name | Description | Type | Default | Required |", "|---|---|---|---|:---:|"]
    for var in variables:
        default = var.attribute("default")
        lines.append(f"| `{var.name}` | {_cell(var.attribute('description'))} | {_code(var.attribute('type'))} | "
                     f"{_code(default)} | {'no' if default is not None else 'yes'} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    lines += [f"| `{out.name}` | {_cell(out.attribute('description'))} |" for out in outputs]
    return "\n".join(lines)


def render(readme: str, module: Path) -> str:
    block = f"{BEGIN}\n{tables(module)}\n{END}"
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    return readme.rstrip() + "\n\n" + block + "\n"


def modules() -> list[Path]:
    return sorted(p for p in (ROOT / "modules").iterdir() if (p / "variables.tf").exists())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report out-of-date READMEs instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for module in modules():
        path = module / "README.md"
        current = path.read_text() if path.exists() else f"# {module.name}\n"
        wanted = render(current, module)
        if wanted != current:
            stale.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.write_text(wanted)
    if args.check and stale:
        print("out of date (run `python -m harness.docs`): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
