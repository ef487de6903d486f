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
from pathlib import Path

from harness import hcl
from harness.settings import ROOT

BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def _cell(text: str | None) -> str:
    if text is None:
        return "n/a"
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def _code(text: str | None) -> str:
    if text is None:
        return "n/a"
    return "`" + re.sub(r"\s+", " ", text).replace("|", "\\|").strip() + "`"


def tables(module: Path) -> str:
    config = hcl.read(module)
    variables = sorted(config.variables.values(), key=lambda v: (v.has_default, v.name))  # required ones first
    outputs = sorted(config.outputs.values(), key=lambda o: o.name)
    lines = ["## Inputs", "", "| Name | Description | Type | Default | Required |", "|---|---|---|---|:---:|"]
    for var in variables:
        lines.append(f"| `{var.name}` | {_cell(var.description)} | {_code(var.type)} | "
                     f"{_code(var.default)} | {'no' if var.has_default else 'yes'} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    lines += [f"| `{out.name}` | {_cell(out.description)} |" for out in outputs]
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
