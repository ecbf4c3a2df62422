"""Image sizes from the first bytes of a file: PNG, JPEG, GIF and WebP headers.

og:image:width/height and the feed media tags want an image's pixel size. The caller fetches
only the first HEAD_BYTES with a Range request, so an image is never downloaded whole, and
passes them here. Pure: no I/O, standard library only, and no input makes it raise.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# A JPEG's frame header (SOF) comes after its APPn segments, and EXIF (APP1) and ICC (APP2)
# blocks can each be up to 64 KiB; real ones are a few KiB to a few tens of KiB, so 64 KiB
# covers them in practice. The other formats need no more than 30 bytes.
HEAD_BYTES = 65536

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG limits width and height to 2**31 - 1 (PNG spec 11.2.2); a larger value is corruption.
_PNG_MAX = 2**31 - 1

# JPEG markers (ITU T.81 table B.1). SOF0-SOF15 share 0xC0-0xCF with three that are not
# frame headers: DHT (C4), JPG (C8, reserved) and DAC (CC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone, without a length: TEM and RST0-RST7.
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA

# VP8's key frame start code (RFC 6386 section 9.1) and VP8L's signature byte (RFC 9649
# section 3).
_VP8_START_CODE = b"\x9d\x01\x2a"
_VP8L_SIGNATURE = 0x2F
# The extended format caps the canvas area at 2**32 - 1 pixels (RFC 9649 section 2.7).
_VP8X_MAX_AREA = 2**32 - 1


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    type: str  # MIME type: image/png, image/jpeg, image/gif, image/webp


def image_facts(head: bytes) -> ImageFacts | None:
    """Width, height and type from the first bytes of a PNG, JPEG, GIF or WebP file; None when
    the bytes are not one of those or the size is not within them (truncated / too short)."""
    if head.startswith(_PNG_SIGNATURE):
        return _png(head)
    if head.startswith(b"\xff\xd8"):
        return _jpeg(head)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _gif(head)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _webp(head)
    return None


def _facts(width: int, height: int, mime: str) -> ImageFacts | None:
    # A zero side is never a real image: it is a damaged header, or in a JPEG a height left
    # to a later DNL marker, which is past anything worth reading for a page tag.
    if width <= 0 or height <= 0:
        return None
    return ImageFacts(width, height, mime)


def _png(head: bytes) -> ImageFacts | None:
    # IHDR must be the first chunk: length 13, type, then width and height (big-endian).
    if len(head) < 24 or head[8:16] != b"\x00\x00\x00\x0dIHDR":
        return None
    width, height = struct.unpack_from(">II", head, 16)
    if width > _PNG_MAX or height > _PNG_MAX:
        return None
    return _facts(width, height, "image/png")


def _gif(head: bytes) -> ImageFacts | None:
    # The logical screen descriptor follows the 6-byte signature; frames cannot exceed it.
    if len(head) < 10:
        return None
    width, height = struct.unpack_from("<HH", head, 6)
    return _facts(width, height, "image/gif")


def _jpeg(head: bytes) -> ImageFacts | None:
    """Walk the marker segments from SOI to the first frame header.

    Segments are skipped by their length, never searched for 0xFFC0: an EXIF block may hold a
    whole thumbnail JPEG whose frame header would give the thumbnail's size.
    """
    pos = 2  # after SOI
    end = len(head)
    while pos < end:
        if head[pos] != 0xFF:
            # Not at a marker: a wrong length, or junk that libjpeg would scan past. Scanning
            # for the next 0xFF could land inside data and read a wrong size, so give up.
            return None
        # Any number of 0xFF fill bytes may precede a marker (T.81 B.1.1.2).
        while pos < end and head[pos] == 0xFF:
            pos += 1
        if pos >= end:
            return None
        marker = head[pos]
        pos += 1
        if marker in _STANDALONE_MARKERS:
            continue
        if marker in (0x00, _SOI, _EOI, _SOS):
            # A stuffed zero, a second SOI, the end, or scan data before any frame header:
            # there is no size to find.
            return None
        if pos + 2 > end:
            return None
        (length,) = struct.unpack_from(">H", head, pos)
        if length < 2:
            return None  # the length counts its own two bytes, so less is corrupt
        if marker in _SOF_MARKERS:
            return _jpeg_frame(head, pos, length)
        pos += length  # strictly forward, so the walk always ends
    return None


def _jpeg_frame(head: bytes, pos: int, length: int) -> ImageFacts | None:
    # SOF: length, sample precision, height, width, component count (T.81 B.2.2).
    if length < 8 or pos + 7 > len(head):
        return None
    height, width = struct.unpack_from(">HH", head, pos + 3)
    return _facts(width, height, "image/jpeg")


def _webp(head: bytes) -> ImageFacts | None:
    # The first chunk after "RIFF" size "WEBP" says which of the three formats this is.
    chunk = head[12:16]
    if chunk == b"VP8 ":
        return _webp_lossy(head)
    if chunk == b"VP8L":
        return _webp_lossless(head)
    if chunk == b"VP8X":
        return _webp_extended(head)
    return None


def _webp_lossy(head: bytes) -> ImageFacts | None:
    # Chunk data: a 3-byte frame tag, the start code, then 16-bit little-endian width and
    # height whose top two bits are a scaling hint, not part of the size (RFC 6386 9.1).
    if len(head) < 30 or head[23:26] != _VP8_START_CODE:
        return None
    if head[20] & 0x01:
        return None  # bit 0 clear marks a key frame; only a key frame carries the size
    width, height = struct.unpack_from("<HH", head, 26)
    return _facts(width & 0x3FFF, height & 0x3FFF, "image/webp")


def _webp_lossless(head: bytes) -> ImageFacts | None:
    # After the signature byte: 14 bits width - 1, 14 bits height - 1, 1 bit alpha, 3 bits
    # version (which must be 0), packed little-endian into 32 bits.
    if len(head) < 25 or head[20] != _VP8L_SIGNATURE:
        return None
    (bits,) = struct.unpack_from("<I", head, 21)
    if bits >> 29:
        return None
    width = (bits & 0x3FFF) + 1
    height = ((bits >> 14) & 0x3FFF) + 1
    return _facts(width, height, "image/webp")


def _webp_extended(head: bytes) -> ImageFacts | None:
    # Chunk data: 1 byte of flags, 3 reserved, then the canvas width - 1 and height - 1 as
    # 24-bit little-endian numbers; the canvas is the size an animation or alpha image shows.
    if len(head) < 30:
        return None
    width = int.from_bytes(head[24:27], "little") + 1
    height = int.from_bytes(head[27:30], "little") + 1
    if width * height > _VP8X_MAX_AREA:
        return None
    return _facts(width, height, "image/webp")
