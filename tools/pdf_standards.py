"""How many PDFs of a built folder keep the PDF/A-2 and PDF/UA-1 rules that the tests check
(tests/helpers/standards.py: veraPDF's profile rules on pikepdf), and which rules the others break.
Print files are judged as PDF/A-2b and claim no PDF/UA. Run after a build:
    .venv/bin/python tools/pdf_standards.py [out]"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.standards import RULES, Checked  # noqa: E402


def main(folder: Path) -> None:
    archival = accessible = claimed = 0
    broken: Counter[str] = Counter()
    paths = sorted(folder.rglob("*.pdf"))
    for path in paths:
        document = Checked(path.read_bytes())
        print_file = path.name.startswith("impression")
        failing = {rule.identifier for rule in RULES
                   if not (print_file and (rule.archival_a or rule.accessible)) and rule.problems(document)}
        broken.update(failing)
        archival += not any(rule.identifier in failing for rule in RULES if not rule.accessible)
        if not print_file:
            claimed += 1
            accessible += not any(rule.identifier in failing for rule in RULES if rule.accessible)
    print(f"{folder} : PDF/A-2 {archival}/{len(paths)}, PDF/UA-1 {accessible}/{claimed} "
          "(les fichiers d'impression ne se disent pas PDF/UA)")
    for identifier, count in broken.most_common():
        print(f"  {identifier} : {count} PDF")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out")
