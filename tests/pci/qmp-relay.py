#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Relays the guest's hotplug requests to QEMU's monitor (QMP).

   qmp-relay.py QMP_SOCKET OUT_DIR FN_SOCKET_AS_QEMU_SEES_IT

The guest writes "device_del" or "device_add" into OUT_DIR/qmp-request;
the answer ("ok", or "error: ...") goes to OUT_DIR/qmp-answer and the
request file is removed.  device_del waits for QEMU's DEVICE_DELETED event
(the guest released the function), at most 30 s.
"""
import json
import os
import socket
import sys
import time

DEVICE_ID = "mlx5fn"


def connect(path):
    for _ in range(600):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            time.sleep(0.1)
    sys.exit(f"qmp-relay: no QMP socket at {path}")


class Qmp:
    def __init__(self, path):
        self.sock = connect(path)
        self.buf = b""
        self.events = []
        self.recv()  # greeting
        self.call("qmp_capabilities")

    def recv(self, timeout=None):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self.recv(30)
            if "event" in reply:
                self.events.append(reply)
                continue
            return reply

    def wait_event(self, name, timeout):
        end = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    del self.events[i]
                    return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            try:
                self.events.append(self.recv(left))
            except socket.timeout:
                return False


def main():
    qmp_path, out_dir, fn_socket = sys.argv[1:4]
    qmp = Qmp(qmp_path)
    request = os.path.join(out_dir, "qmp-request")
    answer = os.path.join(out_dir, "qmp-answer")
    while True:
        try:
            with open(request) as f:
                what = f.read().strip()
        except FileNotFoundError:
            time.sleep(0.05)
            continue
        if not what:  # the guest renames a written file into place; an empty one is not a request yet
            time.sleep(0.05)
            continue
        os.unlink(request)
        start = time.monotonic()
        if what == "device_del":
            qmp.events.clear()
            reply = qmp.call("device_del", id=DEVICE_ID)
            ok = "return" in reply and qmp.wait_event("DEVICE_DELETED", 30)
        elif what == "device_add":
            reply = qmp.call("device_add", driver="vfio-user-pci", id=DEVICE_ID, addr="0x5",
                             socket={"type": "unix", "path": fn_socket})
            ok = "return" in reply
        else:
            reply, ok = {"error": f"unknown request {what!r}"}, False
        text = "ok" if ok else f"error: {json.dumps(reply)}"
        print(f"{what}: {text} ({time.monotonic() - start:.2f} s)", flush=True)
        with open(answer + ".tmp", "w") as f:
            f.write(text + "\n")
        os.rename(answer + ".tmp", answer)


if __name__ == "__main__":
    try:
        main()
    except EOFError:
        pass
