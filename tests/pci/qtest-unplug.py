#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hot removal of a PCI device with no guest: QMP device_del, then the
eject a guest's ACPI hotplug driver would do, written to the PIIX4 PCI
hotplug register through QEMU's qtest accelerator (as QEMU's own qtests do).

   qtest-unplug.py QMP_SOCKET QTEST_SOCKET DEVICE_ID SLOT

Prints what happened; exit 0 when QEMU sent DEVICE_DELETED, 1 when it
died or the event did not come within 20 s.  A QEMU still alive is told to quit.
"""
import importlib.util
import os
import sys

ACPI_PCIHP_EJECT = 0xAE08  # ACPI_PCIHP_ADDR 0xae00 + PCI_EJ_BASE (hw/acpi/pcihp.c)

spec = importlib.util.spec_from_file_location(
    "qmp_relay", os.path.join(os.path.dirname(os.path.abspath(__file__)), "qmp-relay.py"))
qmp_relay = importlib.util.module_from_spec(spec)
spec.loader.exec_module(qmp_relay)


def main():
    qmp_path, qtest_path, device_id, slot = sys.argv[1:5]
    qmp = qmp_relay.Qmp(qmp_path)
    qtest = qmp_relay.connect(qtest_path).makefile("rwb")
    reply = qmp.call("device_del", id=device_id)
    print(f"device_del: {reply}")
    qtest.write(f"outl {ACPI_PCIHP_EJECT:#x} {1 << int(slot):#x}\n".encode())
    qtest.flush()
    print(f"eject slot {slot}: {qtest.readline().decode().strip() or 'no answer'}")
    try:
        deleted = qmp.wait_event("DEVICE_DELETED", 20)
    except (EOFError, ConnectionError):
        print("QEMU closed its monitor: it died")
        return 1
    print("DEVICE_DELETED" if deleted else "no DEVICE_DELETED within 20 s")
    try:
        qmp.call("quit")
    except (EOFError, ConnectionError):
        pass
    return 0 if deleted else 1


if __name__ == "__main__":
    sys.exit(main())
