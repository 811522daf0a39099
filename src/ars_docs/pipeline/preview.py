"""`arsdocs serve`: the documents of out/ on http://127.0.0.1 while one writes them.

A thread watches data/, templates/ and arsdocs.yaml (their files' sizes and times, twice a second)
and rebuilds every family incrementally when one changes, as `arsdocs build all` would. Each
page served carries a small script that asks the server for its state: when the documents were
rebuilt, the page reloads by itself; when the data or a template is wrong, the page shows the
located French message over the last good documents, which stay in out/ until it is fixed.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ars_docs.source.errors import ArsDocsError
from ars_docs.source.safefiles import UnsafeFile, read_bounded

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
    from ars_docs.base.registry import families
    from ars_docs.pipeline import engine
    from ars_docs.source.lock import Interrupted, at_work
    from ars_docs.source.project import Project

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
    except Exception as error:  # a bug of arsdocs: the preview goes on, and says so
        message = (f"erreur inattendue d'arsdocs pendant la reconstruction ({type(error).__name__}) ; "
                   "lancez « arsdocs build all » pour voir le détail")
        state.failed(message)
        echo(f"Erreur : {message}")
        return
    state.built()
    for report in reports:
        echo(str(report))


_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")
MAX_PAGE = 64 * 2**20
"""The largest file served: a print file of 200 letters is about 15 MiB."""
_KINDS = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf", ".css": "text/css; charset=utf-8",
          ".json": "application/json; charset=utf-8", ".csv": "text/csv; charset=utf-8", ".png": "image/png",
          ".ics": "text/calendar; charset=utf-8", ".eml": "message/rfc822",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".txt": "text/plain; charset=utf-8"}
_REASONS = {400: "Requête invalide", 403: "Accès refusé", 404: "Introuvable", 405: "Méthode non permise",
            408: "Délai dépassé", 414: "Adresse trop longue", 431: "En-têtes trop grands",
            501: "Méthode non prise en charge (seuls GET et HEAD le sont)", 505: "Version HTTP non prise en charge"}


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves the files of out/ to this machine's browser, and nothing else.

    A page the officer has open elsewhere may aim its scripts at 127.0.0.1 under a name of its own
    (DNS rebinding): every request must name this server as 127.0.0.1, localhost or [::1] with
    its port, else 403. A path is decoded strictly and served only when its real path, symbolic
    links followed, is an ordinary file of out/: else 400 or 404, never a traceback."""

    state: State
    folder: Path
    port: int
    server_version = "arsdocs"
    sys_version = ""
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s\n"

    def do_GET(self) -> None:  # the name http.server gives it
        self._answer(body=True)

    def do_HEAD(self) -> None:  # the name http.server gives it
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        if not self._host_allowed():
            self._refuse(403)
            return
        path = _request_path(self.path)
        if path is None:
            self._refuse(400)
            return
        if path == STATE_PATH:
            self._send(self.state.as_json(), "application/json; charset=utf-8", body)
            return
        target = self._file(path)
        if target is None:
            self._refuse(404)
            return
        try:
            data = read_bounded(target, MAX_PAGE)
        except (OSError, UnsafeFile):
            self._refuse(404)
            return
        kind = _KINDS.get(target.suffix.lower(), "application/octet-stream")
        if target.suffix.lower() == ".html":
            page = data.decode("utf-8", errors="replace")
            at = page.lower().rfind("</body>")
            data = (page + _SCRIPT if at < 0 else page[:at] + _SCRIPT + page[at:]).encode("utf-8")
        self._send(data, kind, body)

    def _host_allowed(self) -> bool:
        hosts = self.headers.get_all("Host") or []
        return len(hosts) == 1 and hosts[0].strip().lower() in {f"{host}:{self.port}" for host in _ALLOWED_HOSTS}

    def _file(self, path: str) -> Path | None:
        """The ordinary file of out/ that `path` names (a folder: its index.html), or None."""
        parts = [part for part in path.split("/") if part]
        if any(part in (".", "..") for part in parts):
            return None
        target = self.folder.joinpath(*parts)
        try:
            if target.is_dir():
                target = target / "index.html"
            real, top = target.resolve(strict=True), self.folder.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if top not in real.parents or not real.is_file():
            return None
        return real

    def _refuse(self, code: int) -> None:
        self.send_error(code, _REASONS.get(code, "Erreur"))

    def _send(self, data: bytes, kind: str, body: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (a malformed request line, a method not allowed) in French too."""
        super().send_error(code, _REASONS.get(code, "Erreur"), explain=None)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal says what was rebuilt, not every request."""


def _request_path(raw: str) -> str | None:
    """The decoded path of a request target, or None when it is not one: not starting with `/`,
    badly encoded, with a NUL or a control character, or absurdly long."""
    if not raw.startswith("/") or len(raw) > 4096:
        return None
    path = raw.split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = urllib.parse.unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if any(ord(char) < 32 or char in "\\\x7f" for char in decoded):
        return None
    return decoded


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is no news: nothing printed (no traceback)."""


def serve(root: Path, port: int, echo: Callable[[str], None], ready: threading.Event | None = None,
          stop: threading.Event | None = None) -> None:
    """Build, serve out/ on 127.0.0.1:`port` and rebuild on every change, until `stop` (or Ctrl-C)."""
    state = State()
    seen = snapshot(root)  # before the first build: a change made while it runs is seen by the loop
    rebuild(root, state, echo)
    (root / "out").mkdir(exist_ok=True)
    handler: type[_Handler] = type("Handler", (_Handler,), {"state": state, "folder": root / "out", "port": port})
    try:
        server = _Server(("127.0.0.1", port), handler)
    except OSError as error:
        from ars_docs.source.errors import os_reason

        raise ArsDocsError(f"impossible d'ouvrir le port {port} sur 127.0.0.1 : {os_reason(error)} ; "
                           "choisissez-en un autre avec --port") from None
    handler.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f"Aperçu : http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C pour arrêter) ; data/, templates/ et "
         "arsdocs.yaml sont surveillés.")
    if ready is not None:
        ready.set()
    stop = stop or threading.Event()
    try:
        while not stop.wait(0.5):
            now = snapshot(root)
            if now != seen:
                seen = now
                rebuild(root, state, echo)
    finally:
        server.shutdown()
        server.server_close()
