"""`arsdocs serve`: the documents of out/ on http://127.0.0.1 while one writes them.

A thread watches data/, templates/ and arsdocs.yaml (their files' sizes and times, twice a second)
and rebuilds every family incrementally when one changes, as `arsdocs build all` would. Each
page served carries a small script that asks the server for its state: when the documents were
rebuilt, the page reloads by itself; when the data or a template is wrong, the page shows the
located French message over the last good documents, which stay in out/ until it is fixed.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ars_docs.errors import ArsDocsError

STATE_PATH = "/__arsdocs__/etat"
WATCHED = ("data", "templates", "arsdocs.yaml")
_SCRIPT = """<script>/* arsdocs serve : recharge la page quand les documents sont reconstruits. */
(function () {
  var seen = null, banner = null;
  function show(message) {
    if (!message) { if (banner) { banner.remove(); banner = null; } return; }
    if (!banner) {
      banner = document.createElement("div");
      banner.setAttribute("role", "alert");
      banner.id = "arsdocs-erreur";
      banner.style.cssText = "position:fixed;left:0;right:0;top:0;z-index:9999;margin:0;padding:1em;" +
        "background:#fdecea;color:#5f1111;border-bottom:3px solid #b00020;font:14px/1.4 sans-serif;" +
        "white-space:pre-wrap;max-height:50vh;overflow:auto";
      document.body.prepend(banner);
    }
    banner.textContent = "Les documents n'ont pas pu être reconstruits (ceux affichés sont les derniers bons) :\\n"
      + message;
  }
  function poll() {
    fetch("%(state)s", {cache: "no-store"}).then(function (answer) { return answer.json(); })
      .then(function (state) {
        if (seen !== null && state.version !== seen) { location.reload(); return; }
        seen = state.version;
        show(state.erreur);
      }).catch(function () {}).then(function () { setTimeout(poll, 500); });
  }
  poll();
})();</script>""".replace("%(state)s", STATE_PATH)


class State:
    """What the pages ask for: the number of the last build, and the message of a failed one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version = 0
        self.error: str | None = None

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "erreur": self.error}, ensure_ascii=False).encode("utf-8")

    def built(self) -> None:
        with self.lock:
            self.version += 1
            self.error = None

    def failed(self, message: str) -> None:
        with self.lock:
            self.error = message


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and time of every file that a build reads from the project."""
    found: dict[str, tuple[int, int]] = {}
    for name in WATCHED:
        path = root / name
        for item in [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []:
            try:
                status = item.stat()
            except OSError:
                continue
            if item.is_file():
                found[item.as_posix()] = (status.st_size, status.st_mtime_ns)
    return found


def rebuild(root: Path, state: State, echo: Callable[[str], None]) -> None:
    """Build every family the project has, as `arsdocs build all` (incrementally); a failure is
    kept for the pages, and out/ keeps the last good documents."""
    from ars_docs import engine
    from ars_docs.builders import families
    from ars_docs.project import Project
    from ars_docs.worklock import Interrupted, at_work

    try:
        project = Project.open(root)
        planned = engine.checked_plans(project, families(project))
        with at_work(project.root, "serve", "out/ garde les derniers documents construits"):
            reports = engine.build(project, planned, jobs=1, force=False)
    except Interrupted:
        raise KeyboardInterrupt from None  # Ctrl-C during a rebuild stops the preview
    except ArsDocsError as error:
        message = error.format_message()
        state.failed(message)
        echo(f"Erreur : {message}")
        return
    state.built()
    for report in reports:
        echo(str(report))


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: State

    def do_GET(self) -> None:  # the name http.server gives it
        if self.path.split("?", 1)[0] == STATE_PATH:
            self._send(self.state.as_json(), "application/json; charset=utf-8")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_text(encoding="utf-8")
            at = page.lower().rfind("</body>")
            page = page + _SCRIPT if at < 0 else page[:at] + _SCRIPT + page[at:]
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, data: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal says what was rebuilt, not every request."""


def serve(root: Path, port: int, echo: Callable[[str], None], ready: threading.Event | None = None,
          stop: threading.Event | None = None) -> None:
    """Build, serve out/ on 127.0.0.1:`port` and rebuild on every change, until `stop` (or Ctrl-C)."""
    state = State()
    rebuild(root, state, echo)
    (root / "out").mkdir(exist_ok=True)
    handler = type("Handler", (_Handler,), {"state": state})
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                                 functools.partial(handler, directory=str(root / "out")))
    except OSError as error:
        from ars_docs.errors import os_reason

        raise ArsDocsError(f"impossible d'ouvrir le port {port} sur 127.0.0.1 : {os_reason(error)} ; "
                           "choisissez-en un autre avec --port") from None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f"Aperçu : http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C pour arrêter) ; data/, templates/ et "
         "arsdocs.yaml sont surveillés.")
    if ready is not None:
        ready.set()
    stop = stop or threading.Event()
    seen = snapshot(root)
    try:
        while not stop.wait(0.5):
            now = snapshot(root)
            if now != seen:
                seen = now
                rebuild(root, state, echo)
    finally:
        server.shutdown()
        server.server_close()
