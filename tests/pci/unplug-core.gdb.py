# SPDX-License-Identifier: GPL-2.0-or-later
# gdb script for a core of QEMU (stripped, no debug symbols) that died in
# memory_region_del_subregion: for the frames next to the assertion, the QOM
# objects the callee-saved registers point at, and for memory regions the
# fields the assertion is about.  Offsets are those of QEMU 11.1's structs on
# x86-64: Object is 0x28 bytes (class first; ObjectClass and TypeImpl start
# with the type and its name), DeviceState's id follows it; MemoryRegion has
# owner at 0x40, opaque at 0x58, container at 0x60, size (low 64 bits) at 0x70.
import gdb

inferior = gdb.selected_inferior()


def word(addr):
    try:
        return int.from_bytes(bytes(inferior.read_memory(addr, 8)), "little")
    except gdb.MemoryError:
        return None


def text(addr):
    try:
        raw = bytes(inferior.read_memory(addr, 64)).split(b"\0")[0]
    except gdb.MemoryError:
        return None
    return raw.decode() if raw and all(32 <= c < 127 for c in raw) else None


def qom_type(obj):
    cls = word(obj)
    ti = cls and word(cls)
    name = ti and word(ti)
    return name and text(name)


def describe(obj):
    kind = qom_type(obj)
    if kind == "memory-region":
        owner, opaque, container, size = (word(obj + o) for o in (0x40, 0x58, 0x60, 0x70))
        return (f"memory-region size {size:#x} container {container:#x} owner {owner:#x} "
                f"({qom_type(owner)} '{text(word(owner + 0x28) or 0)}')"
                f"{' opaque=owner (an I/O region of the device)' if opaque == owner else ''}")
    if kind and kind.endswith("pci"):
        return f"{kind} '{text(word(obj + 0x28) or 0)}'"
    return None


seen = set()
for level in range(1, 6):
    try:
        gdb.execute(f"frame {level}", to_string=True)
    except gdb.error:
        break
    frame = gdb.selected_frame()
    for reg in ("rbx", "rbp", "r12", "r13", "r14", "r15"):
        value = int(frame.read_register(reg)) & (2**64 - 1)
        what = describe(value)
        if what and (level, value) not in seen:
            seen.add((level, value))
            print(f"frame {level} {reg} {value:#x}: {what}")
