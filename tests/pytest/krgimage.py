"""Read and write krg checkpoint images (Documentation/image-format.md).

An image file is a sequence of sections: a 16-byte header (magic "KGSE",
type, flags, length, checksum of the payload) and the payload. Tests use this
to craft hostile images whose checksums are right.
"""
import re
import struct
from pathlib import Path

# The layouts come from the kernel's uapi header, the one source of truth.
UAPI = Path(__file__).resolve().parents[2] / "kernel/krg/include/uapi/linux/krg_image.h"
_TYPES = {"__u8": "B", "__s8": "b", "__u16": "H", "__s16": "h", "__u32": "I", "__s32": "i",
          "__u64": "Q", "__s64": "q", "char": "s"}


def _parse(text):
    """(defines, enums, structs) of a C header: #define NAME NUMBER, enum
    members with their values, and each packed struct's fields as
    (name, format) in order, nested structs and arrays flattened."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    defines = {m[1]: int(m[2], 0) for m in re.finditer(
        r"#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)U?L*\b", text)}
    enums = {}
    for body in re.findall(r"enum\s+\w+\s*{(.*?)}", text, re.S):
        value = -1
        for item in filter(None, (i.strip() for i in body.split(","))):
            name, _, v = item.partition("=")
            value = int(v.strip(), 0) if v.strip() else value + 1
            enums[name.strip()] = value
    structs = {}

    def fields(body):
        out = []
        body = body.strip()
        while body:
            m = re.match(r"struct\s*(\w*)\s*{(.*?)}\s*([^;]*);", body, re.S)
            if m:  # an inner struct, named or not, and its declarators
                inner = fields(m[2]) if not m[1] else structs[m[1]]
                decls, body = m[3], body[m.end():].strip()
            else:
                m = re.match(r"struct\s+(\w+)\s+([^;]*);", body)
                if m:
                    inner, decls, body = structs[m[1]], m[2], body[m.end():].strip()
                else:
                    m = re.match(r"(\w+)\s+([^;]*);", body)
                    inner, decls, body = _TYPES[m[1]], m[2], body[m.end():].strip()
            for d in (x.strip() for x in decls.split(",")):
                a = re.match(r"(\w+)\s*\[(\w*)\]", d)
                if not a:
                    out += [(d, inner)] if isinstance(inner, str) else inner
                    continue
                n = defines[a[2]] if a[2] in defines else int(a[2] or "0", 0)
                if inner == "s":
                    out.append((a[1], f"{n}s"))
                elif isinstance(inner, str):
                    out += [(f"{a[1]}[{i}]", inner) for i in range(n)]
                else:
                    out += [(f"{a[1]}[{i}].{f}", t) for i in range(n) for f, t in inner]
        return out

    for name, body in re.findall(r"struct\s+(\w+)\s*{((?:[^{}]|{[^{}]*})*)}\s*"
                                 r"__attribute__\(\(packed\)\);", text, re.S):
        structs[name] = fields(body)
    return defines, enums, structs


DEFINES, ENUMS, STRUCTS = _parse(UAPI.read_text())


def layout(name):
    """struct.Struct of struct krg_img_NAME (little endian, packed)."""
    return struct.Struct("<" + "".join(t for _, t in STRUCTS["krg_img_" + name]))


def field_names(name):
    return [f for f, _ in STRUCTS["krg_img_" + name]]


HDR = struct.Struct("<IHHII")
MAGIC = 0x4553474B
(END, IMAGE, TREE_TASK, TASK, CREDS, FS, LIMITS, SIGNALS, MM, VMA, PAGES, FILE, REGS, FPU,
 PIPE_DATA, FILE_STATE, SIGPENDING, FILE_DATA, ITIMERS, POSIX_TIMERS, UNIX_PAIR,
 SYSCALL, LOCKS) = [ENUMS["KRG_SEC_" + n] for n in (
     "END IMAGE TREE_TASK TASK CREDS FS LIMITS SIGNALS MM VMA PAGES FILE REGS FPU "
     "PIPE_DATA FILE_STATE SIGPENDING FILE_DATA ITIMERS POSIX_TIMERS UNIX_PAIR SYSCALL "
     "LOCKS").split()]
IMAGE_HDR = layout("header")
TREE_TASK_HDR = layout("tree_task")
VMA_HDR = layout("vma")
FILE_HDR = layout("file")
SYSCALL_HDR = layout("syscall")
POSIX_TIMER = layout("posix_timer")
LOCK = layout("lock")
UNIX_PAIR_HDR = layout("unix_pair")
INOTIFY_HDR = layout("inotify")  # cursor, watch count
INOTIFY_WATCH = layout("inotify_watch")  # wd, mask, path length; the path
FILE_INOTIFY = ENUMS["KRG_FILE_INOTIFY"]


M64 = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                      0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def _round(acc, lane):
    return _rotl((acc + lane * P2) & M64, 31) * P1 & M64


def xxh64(data, seed=0):
    """XXH64, as the kernel's lib/xxhash.c computes it."""
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M64, (seed + P2) & M64, seed, (seed - P1) & M64]
        while i + 32 <= n:
            v = [_round(v[k], int.from_bytes(data[i + 8 * k:i + 8 * k + 8], "little"))
                 for k in range(4)]
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & M64
        for lane in v:
            h = ((h ^ _round(0, lane)) * P1 + P4) & M64
    else:
        h = (seed + P5) & M64
    h = (h + n) & M64
    while i + 8 <= n:
        h ^= _round(0, int.from_bytes(data[i:i + 8], "little"))
        h = (_rotl(h, 27) * P1 + P4) & M64
        i += 8
    if i + 4 <= n:
        h ^= int.from_bytes(data[i:i + 4], "little") * P1 & M64
        h = (_rotl(h, 23) * P2 + P3) & M64
        i += 4
    while i < n:
        h ^= data[i] * P5 & M64
        h = _rotl(h, 11) * P1 & M64
        i += 1
    h ^= h >> 33
    h = h * P2 & M64
    h ^= h >> 29
    h = h * P3 & M64
    return h ^ (h >> 32)


def crc(data):
    """A section's checksum: the low 32 bits of XXH64 (seed 0)."""
    return xxh64(bytes(data)) & 0xFFFFFFFF


def read(path):
    """[type, payload] for each section of the file at path."""
    data = open(path, "rb").read()
    out, off = [], 0
    while off < len(data):
        magic, typ, flags, length, _ = HDR.unpack_from(data, off)
        assert magic == MAGIC and flags == 0
        off += HDR.size
        out.append([typ, data[off:off + length]])
        off += length
    return out


PAGES_HDR = layout("pages")  # address, page count, padding


def checked(typ, payload):
    """What a section's checksum covers: all of it, but for PAGES only the
    header and the page checksums (each page has its own)."""
    if typ == PAGES and len(payload) >= PAGES_HDR.size:
        return payload[:PAGES_HDR.size + 4 * PAGES_HDR.unpack_from(payload)[1]]
    return payload


def page_runs(data):
    """(file offset of the first page, page count, offset of the payload) of
    each PAGES section."""
    runs, off = [], 0
    while off + HDR.size <= len(data):
        _, typ, _, length, _ = HDR.unpack_from(data, off)
        off += HDR.size
        if typ == PAGES:
            _, npages, pad = PAGES_HDR.unpack_from(data, off)
            runs.append((off + PAGES_HDR.size + 4 * npages + pad, npages, off))
        off += length
    return runs


def encode(sections):
    return b"".join(HDR.pack(MAGIC, t, 0, len(p), crc(checked(t, p))) + p for t, p in sections)


def write(path, sections):
    with open(path, "wb") as f:
        f.write(encode(sections))
