"""What an image is from its first bytes: its pixel size and its MIME type, for
og:image:width/height/type and the feeds' media:content.

The caller fetches only the first bytes of an image (a Range request of images.max_bytes), so
an image is never downloaded whole, and passes them here. The size comes from the `imagesize`
package (the one Sphinx uses), which reads PNG, JPEG, GIF, WebP, AVIF, HEIC/HEIF, TIFF,
JPEG 2000, SVG and BMP headers. It does not say the type, so `media_type` does, from the
signature; and it gets two sizes wrong, which `image_facts` corrects: a GIF over 32767 pixels
wide or high (it reads the unsigned fields as signed) and a VP8 WebP whose header sets the
scaling bits (it keeps them in the size).

Pure: no I/O, and no input makes it raise.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import imagesize

# A JPEG's frame header (SOF) comes after its APPn segments, and EXIF (APP1) and ICC (APP2)
# blocks can each be up to 64 KiB; real ones are a few KiB to a few tens of KiB, so 64 KiB
# covers them in practice (images.max_bytes). The other formats need far fewer.
HEAD_BYTES = 65536

# The ftyp brands of ISO BMFF images (ISO/IEC 23008-12 and the AV1 image format): AV1 (AVIF),
# HEVC (HEIC), and any other codec in the HEIF container (mif1: still image, msf1: sequence).
_AVIF_BRANDS = (b"avif", b"avis")
_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx")
_HEIF_BRANDS = (b"mif1", b"msf1")
# BMP's DIB header sizes (core, info, v2, v3, OS/2 2, v4, v5), little-endian: "BM" alone is
# just text.
_BMP_HEADERS = frozenset(size.to_bytes(4, "little") for size in (12, 40, 52, 56, 64, 108, 124))


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    type: str  # MIME type: image/png, image/jpeg, image/avif, ...


def image_facts(head: bytes) -> ImageFacts | None:
    """Width, height and type from the first bytes of an image; None when the bytes are not
    an image of a known type or its size is not within them (truncated, damaged).

    The size is the one the image is shown at: a JPEG (or HEIF) stored sideways with an EXIF
    orientation of 5-8 gives its width and height swapped, as a browser and Facebook draw it,
    which is what og:image:width and height must say.
    """
    kind = media_type(head)
    if kind is None:
        return None
    try:
        width, height = imagesize.get(io.BytesIO(head))
        if width < 0 or height < 0:
            # With no EXIF orientation before the JPEG frame header, the reader goes on to
            # the scan for one, and gives up on a head that ends on the way: the stored size.
            width, height = imagesize.get(io.BytesIO(head), exif_rotation=False)
    except Exception:  # get() catches its own errors; be sure of it
        return None
    if kind == "image/gif":
        width, height = _gif_size(head)
    elif head[12:16] == b"VP8 " and kind == "image/webp":
        width, height = _vp8_size(head)
    try:
        width, height = round(width), round(height)  # SVG sizes may be fractional
    except (TypeError, ValueError, OverflowError):
        return None
    # A zero or negative side is never a real image: a damaged header, or a size the reader
    # could not find (-1). A side past 2**31 - 1 is corruption too (PNG's own limit).
    if not (0 < width < 2**31 and 0 < height < 2**31):
        return None
    return ImageFacts(width, height, kind)


def media_type(head: bytes) -> str | None:
    """The MIME type of an image from its signature (ISO BMFF: from its ftyp brands), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return _iso_type(head)
    if head.startswith((b"MM\x00*", b"II*\x00", b"II+\x00", b"MM\x00+")):
        return "image/tiff"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n"):
        return "image/jp2"
    if head.startswith(b"BM") and head[6:10] == bytes(4) and head[14:18] in _BMP_HEADERS:
        return "image/bmp"  # "BM", reserved zeros, and the size of a known DIB header
    if head.startswith((b"<?xml", b"<svg")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def _iso_type(head: bytes) -> str | None:
    """The type an ISO BMFF file's ftyp box says: its major brand, then its compatible ones."""
    if len(head) < 16:
        return None
    (size,) = struct.unpack_from(">I", head)
    end = min(size, len(head)) if size >= 16 else 16
    brands = [head[8:12]] + [head[at:at + 4] for at in range(16, end - 3, 4)]
    if any(brand in _AVIF_BRANDS for brand in brands):
        return "image/avif"
    if any(brand in _HEIC_BRANDS for brand in brands):
        return "image/heic"
    if any(brand in _HEIF_BRANDS for brand in brands):
        return "image/heif"
    return None  # a video (mp4, mov) or another ISO file


def _gif_size(head: bytes) -> tuple[int, int]:
    # The logical screen descriptor after the 6-byte signature: two unsigned 16-bit sizes.
    return struct.unpack_from("<HH", head, 6) if len(head) >= 10 else (-1, -1)


def _vp8_size(head: bytes) -> tuple[int, int]:
    # A key frame (bit 0 of the frame tag clear), the start code, then 16-bit sizes whose top
    # two bits are a scaling hint, not part of the size (RFC 6386 section 9.1).
    if len(head) < 30 or head[23:26] != b"\x9d\x01\x2a" or head[20] & 0x01:
        return -1, -1
    width, height = struct.unpack_from("<HH", head, 26)
    return width & 0x3FFF, height & 0x3FFF


__all__ = ["HEAD_BYTES", "ImageFacts", "image_facts", "media_type"]
