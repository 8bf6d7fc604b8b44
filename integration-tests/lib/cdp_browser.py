#!/usr/bin/env python3
"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe), so a
test can do what a person does — open a page, press a button, read what the page then shows —
with no JavaScript in the page and no Python packages beyond the standard library.

    cdp_browser.py [--timeout S] [--size WxH] STEP...
      open:URL       navigate and wait for the page to load
      click:SELECTOR press the element (a real mouse click at its centre) and wait for the next load
      wait           wait for the next load (a page that submits itself)
      dump:FILE      write the page's DOM (outerHTML) to FILE
      shot:FILE      write a PNG screenshot of the whole page to FILE

One browser, one profile (cookies kept across steps), stopped by its PID at the end; every wait is
bounded by --timeout (default 40 s) for the whole run. Exit 0 when every step worked.
"""
import base64
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, size):
        self.profile = tempfile.mkdtemp(prefix="tocsin-cdp-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():  # the protocol pipe is fd 3 (commands in) and fd 4 (answers out)
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        width, height = size
        self.process = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
             "--hide-scrollbars", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.profile, "stderr"), "w"),
            preexec_fn=fds, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.size = size
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)

    def read_message(self):
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.from_child], [], [], 1.0)
            if ready:
                chunk = os.read(self.from_child, 65536)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self.buffer += chunk
            elif self.process.poll() is not None:
                raise RuntimeError(f"chromium exited ({self.process.returncode})")
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=False):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        while True:
            answer = self.read_message()
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer["method"])

    def wait_for_load(self):
        while "Page.loadEventFired" not in self.events:
            answer = self.read_message()
            if "method" in answer:
                self.events.append(answer["method"])
        self.events.clear()
        time.sleep(0.2)  # a 303 after a POST loads the next page: let its load event come first

    def open(self, url):
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for_load()

    def node(self, selector):
        root = self.call("DOM.getDocument", {"depth": 0}, session=True)["root"]["nodeId"]
        node = self.call("DOM.querySelector", {"nodeId": root, "selector": selector}, session=True)["nodeId"]
        if not node:
            raise RuntimeError(f"no element matches {selector!r}")
        return node

    def click(self, selector):
        node = self.node(selector)
        self.call("DOM.scrollIntoViewIfNeeded", {"nodeId": node}, session=True)
        quad = self.call("DOM.getBoxModel", {"nodeId": node}, session=True)["model"]["content"]
        x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
        self.events.clear()
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}, session=True)
        self.wait_for_load()

    def dump(self, path):
        root = self.call("DOM.getDocument", {"depth": 0}, session=True)["root"]["nodeId"]
        html = self.call("DOM.getOuterHTML", {"nodeId": root}, session=True)["outerHTML"]
        with open(path, "w") as out:
            out.write(html + "\n")

    def shot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main(argv):
    timeout, size, steps = 40, (900, 1500), []
    while argv:
        arg = argv.pop(0)
        if arg == "--timeout":
            timeout = int(argv.pop(0))
        elif arg == "--size":
            size = tuple(int(v) for v in argv.pop(0).split("x"))
        else:
            steps.append(arg)

    def expired(*_):
        raise TimeoutError(f"the browser steps took more than {timeout} s")

    signal.signal(signal.SIGALRM, expired)
    signal.alarm(timeout)
    browser, step = None, "start chromium"
    try:
        browser = Browser(size)
        for step in steps:
            verb, _, arg = step.partition(":")
            {"open": browser.open, "click": browser.click, "dump": browser.dump, "shot": browser.shot,
             "wait": lambda _: browser.wait_for_load()}[verb](arg)
        return 0
    except Exception as error:  # noqa: BLE001 — any failure is the test's answer
        print(f"cdp_browser: {step}: {error}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        if browser:
            browser.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
