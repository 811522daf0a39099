"""mkdocs hooks of the documentation site: the settings reference, generated at each build from
what the components declare (tools/settings_reference.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from settings_reference import settings_reference

MARK = "<!-- reglages -->"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARK not in markdown:
        return markdown
    return markdown.replace(MARK, settings_reference())
