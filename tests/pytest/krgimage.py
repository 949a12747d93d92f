"""Read and write krg checkpoint images (Documentation/image-format.md).

An image file is a sequence of sections: a 16-byte header (magic "KGSE",
type, flags, length, CRC32 of the payload) and the payload. Tests use this
to craft hostile images whose checksums are right.
"""
import struct
import zlib

HDR = struct.Struct("<IHHII")
MAGIC = 0x4553474B
(END, IMAGE, TREE_TASK, TASK, CREDS, FS, LIMITS, SIGNALS, MM, VMA, PAGES, FILE, REGS, FPU,
 PIPE_DATA) = range(1, 16)
IMAGE_HDR = struct.Struct("<QIIII Q 65s")
VMA_HDR = struct.Struct("<QQQQIIIQ")
FILE_HDR = struct.Struct("<IIIIqIII")


def crc(data):
    """crc32_le(~0, data) as the kernel computes it (no final inversion)."""
    return zlib.crc32(data) ^ 0xFFFFFFFF


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


def encode(sections):
    return b"".join(HDR.pack(MAGIC, t, 0, len(p), crc(p)) + p for t, p in sections)


def write(path, sections):
    with open(path, "wb") as f:
        f.write(encode(sections))
