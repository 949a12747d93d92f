"""Read and write krg checkpoint images (Documentation/image-format.md).

An image file is a sequence of sections: a 16-byte header (magic "KGSE",
type, flags, length, checksum of the payload) and the payload. Tests use this
to craft hostile images whose checksums are right.
"""
import struct

HDR = struct.Struct("<IHHII")
MAGIC = 0x4553474B
(END, IMAGE, TREE_TASK, TASK, CREDS, FS, LIMITS, SIGNALS, MM, VMA, PAGES, FILE, REGS, FPU,
 PIPE_DATA, FILE_STATE, SIGPENDING, FILE_DATA, ITIMERS, POSIX_TIMERS, UNIX_PAIR,
 SYSCALL, LOCKS) = range(1, 24)
IMAGE_HDR = struct.Struct("<QIIII Q 65s")
VMA_HDR = struct.Struct("<QQQQIIIQ")
FILE_HDR = struct.Struct("<IIIIqIII")
SYSCALL_HDR = struct.Struct("<IiqIIQIIII")
POSIX_TIMER = struct.Struct("<iiiiiIQQQ")
LOCK = struct.Struct("<IIIIqq")
UNIX_PAIR_HDR = struct.Struct("<II" + "IIIIII" * 2)


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


PAGES_HDR = struct.Struct("<QII")  # address, page count, padding


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
