"""Accept or reject every tracked change of a Word file with LibreOffice itself, through its UNO API,
and write the result as plain text (UTF-8), as a reader of the document would see it.

Run with the system Python that has Debian's python3-uno (not the project's venv):
    /usr/bin/python3 tests/uno/revisions.py accepter|rejeter IN.docx OUT.txt PROFILE_DIR
"""

import contextlib
import os
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]

NoConnectException = uno.getClass("com.sun.star.connection.NoConnectException")


def _property(name, value):  # type: ignore[no-untyped-def]
    item = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    item.Name, item.Value = name, value
    return item


def main(action, source, target, profile):  # type: ignore[no-untyped-def]
    pipe = f"arsdocs{os.getpid()}"
    office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo",
                               f"-env:UserInstallation=file://{os.path.abspath(profile)}",
                               f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
        deadline = time.monotonic() + 60
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if time.monotonic() > deadline or office.poll() is not None:
                    raise
                time.sleep(0.2)
        manager = context.ServiceManager
        desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0,
                                                (_property("Hidden", True),))
        dispatcher = manager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
        command = ".uno:AcceptAllTrackedChanges" if action == "accepter" else ".uno:RejectAllTrackedChanges"
        dispatcher.executeDispatch(document.getCurrentController().getFrame(), command, "", 0, ())
        document.storeToURL(uno.systemPathToFileUrl(os.path.abspath(target)),
                            (_property("FilterName", "Text (encoded)"), _property("FilterOptions", "UTF8,LF")))
        document.close(True)
        with contextlib.suppress(Exception):  # the bridge goes down with the office: nothing to report
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main(*sys.argv[1:5])
