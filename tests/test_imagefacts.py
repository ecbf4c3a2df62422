"""Image sizes and types from the first bytes of real PNG, JPEG, GIF, WebP, AVIF, HEIC, TIFF, BMP
and SVG files (made by Pillow and pillow-heif, see tests/fixtures/images/README.md), and no size
and no exception from anything else."""

from __future__ import annotations

import ast
import random
import struct
import time
from pathlib import Path

import pytest

from syndicate import imagefacts
from syndicate.imagefacts import HEAD_BYTES, ImageFacts, image_facts, media_type

IMAGES = Path(__file__).parent / "fixtures" / "images"

EXPECTED = {
    "baseline-1200x630.jpg": (1200, 630, "image/jpeg"),
    "progressive-640x480.jpg": (640, 480, "image/jpeg"),
    "exif-icc-320x240.jpg": (320, 240, "image/jpeg"),
    "gray-333x77.jpg": (333, 77, "image/jpeg"),
    "cmyk-90x60.jpg": (90, 60, "image/jpeg"),
    "pixel-1x1.jpg": (1, 1, "image/jpeg"),
    "palette-800x800.png": (800, 800, "image/png"),
    "rgba-257x129.png": (257, 129, "image/png"),
    "pixel-1x1.png": (1, 1, "image/png"),
    "plain-300x200.gif": (300, 200, "image/gif"),
    "transparent-120x45.gif": (120, 45, "image/gif"),
    "lossy-400x300.webp": (400, 300, "image/webp"),
    "lossless-257x129.webp": (257, 129, "image/webp"),
    "lossless-16383x1.webp": (16383, 1, "image/webp"),
    "alpha-200x100.webp": (200, 100, "image/webp"),
    "animated-160x90.webp": (160, 90, "image/webp"),
    "wide-40000x1.gif": (40000, 1, "image/gif"),
    "plain-640x360.avif": (640, 360, "image/avif"),
    "alpha-200x100.avif": (200, 100, "image/avif"),
    "odd-333x77.avif": (333, 77, "image/avif"),
    "plain-320x240.heic": (320, 240, "image/heic"),
    # stored 120x80 with EXIF orientation 6: shown, and so published, 80x120
    "rotated-exif6-80x120.jpg": (80, 120, "image/jpeg"),
    "lzw-64x48.tiff": (64, 48, "image/tiff"),
    "plain-31x17.bmp": (31, 17, "image/bmp"),
    "rect-120x60.svg": (120, 60, "image/svg+xml"),
}

# The frame header of the baseline JPEG: SOF0, length 17 (three components), 8-bit samples.
BASELINE_SOF = b"\xff\xc0\x00\x11\x08"


def read(name: str) -> bytes:
    return (IMAGES / name).read_bytes()


def facts(name: str) -> ImageFacts:
    return ImageFacts(*EXPECTED[name])


def patched(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new):]


def test_the_table_covers_every_fixture():
    files = {path.name for path in IMAGES.iterdir() if path.suffix != ".md"}
    assert files == set(EXPECTED)
    assert all((IMAGES / name).stat().st_size < 10_000 for name in files)


@pytest.mark.parametrize("name", EXPECTED)
def test_the_size_and_type_of_a_real_file(name):
    assert image_facts(read(name)) == facts(name)


@pytest.mark.parametrize("name", EXPECTED)
def test_a_prefix_gives_no_size_until_it_holds_the_header_then_the_right_one(name):
    data = read(name)
    results = [image_facts(data[:n]) for n in range(len(data) + 1)]
    needed = results.index(facts(name))
    assert all(result is None for result in results[:needed])
    assert all(result == facts(name) for result in results[needed:])


@pytest.mark.parametrize("name", EXPECTED)
def test_the_head_bytes_prefix_is_enough(name):
    padded = read(name) + bytes(HEAD_BYTES)  # what follows the header does not matter
    assert image_facts(padded[:HEAD_BYTES]) == facts(name)


def test_a_jpeg_with_exif_and_icc_has_its_frame_header_past_them():
    data = read("exif-icc-320x240.jpg")
    assert data.index(b"\xff\xe1") < data.index(b"\xff\xe2") < data.index(b"\xff\xc0")
    sof = data.index(BASELINE_SOF)
    assert image_facts(data[:sof]) is None
    assert image_facts(data[:sof + 2 + 17]) == facts("exif-icc-320x240.jpg")


def test_progressive_jpeg_has_a_sof2_frame_header():
    assert b"\xff\xc2" in read("progressive-640x480.jpg")
    assert b"\xff\xc0" not in read("progressive-640x480.jpg")


def test_webp_fixtures_cover_the_three_formats():
    chunks = {name: read(name)[12:16] for name in EXPECTED if name.endswith(".webp")}
    assert chunks["lossy-400x300.webp"] == b"VP8 "
    assert chunks["lossless-257x129.webp"] == chunks["lossless-16383x1.webp"] == b"VP8L"
    assert chunks["alpha-200x100.webp"] == chunks["animated-160x90.webp"] == b"VP8X"


def test_a_jpeg_stored_sideways_gives_the_size_it_is_shown_at():
    data = read("rotated-exif6-80x120.jpg")
    sof = data.index(b"\xff\xc0")
    assert struct.unpack_from(">HH", data, sof + 5) == (80, 120)  # stored: height 80, width 120
    assert data.index(b"Exif") < sof
    assert image_facts(data) == ImageFacts(80, 120, "image/jpeg")


def test_a_gif_wider_than_a_signed_short_keeps_its_width():
    data = read("wide-40000x1.gif")
    assert struct.unpack_from("<H", data, 6) == (40000,)
    assert image_facts(data) == ImageFacts(40000, 1, "image/gif")


@pytest.mark.parametrize(("brands", "kind"), [
    (b"avif" + bytes(4) + b"avifmif1miaf", "image/avif"),
    (b"mif1" + bytes(4) + b"mif1avis", "image/avif"),
    (b"heic" + bytes(4) + b"mif1heic", "image/heic"),
    (b"mif1" + bytes(4) + b"mif1heix", "image/heic"),
    (b"msf1" + bytes(4) + b"msf1hevc", "image/heic"),
    (b"mif1" + bytes(4) + b"mif1miaf", "image/heif"),
    (b"msf1" + bytes(4) + b"msf1iso8", "image/heif"),
    (b"isom" + bytes(4) + b"isomiso2avc1mp41", None),  # an MP4 video
    (b"qt  " + bytes(4) + b"qt  ", None),  # a QuickTime movie
])
def test_the_type_of_an_iso_file_is_its_ftyp_brands(brands, kind):
    head = struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands
    assert media_type(head + bytes(64)) == kind


def test_the_avif_and_heic_fixtures_have_the_brands_encoders_write():
    assert read("plain-640x360.avif")[8:12] == read("odd-333x77.avif")[8:12] == b"avif"
    assert read("plain-320x240.heic")[8:12] == b"heic"


# JPEG markers: fill bytes, standalone markers, thumbnails and broken lengths.


def test_fill_bytes_and_standalone_markers_before_the_frame_header_are_skipped():
    data = read("baseline-1200x630.jpg")
    sof = data.index(BASELINE_SOF)
    padded = data[:sof] + b"\xff\xff\xff" + data[sof:]  # fill bytes before a marker
    assert image_facts(padded) == facts("baseline-1200x630.jpg")
    standalone = data[:sof] + b"\xff\x01\xff\xd0\xff\xd7" + data[sof:]  # TEM, RST0, RST7
    assert image_facts(standalone) == facts("baseline-1200x630.jpg")


def test_a_thumbnail_in_app1_does_not_give_its_size():
    thumbnail = read("pixel-1x1.jpg")
    app1 = b"\xff\xe1" + struct.pack(">H", 2 + 6 + len(thumbnail)) + b"Exif\x00\x00" + thumbnail
    data = read("baseline-1200x630.jpg")
    assert image_facts(data[:2] + app1 + data[2:]) == facts("baseline-1200x630.jpg")


@pytest.mark.parametrize("length", [0, 1, 0xFFFF])
def test_a_wrong_segment_length_gives_none(length):
    # The APP0 segment right after SOI is 16 bytes long; these lengths are shorter than the
    # length field itself or run past the end of the bytes.
    data = read("baseline-1200x630.jpg")
    assert data[2:6] == b"\xff\xe0\x00\x10"
    assert image_facts(patched(data, 4, struct.pack(">H", length))) is None


@pytest.mark.parametrize("head", [
    b"\xff\xd8\xff\xe1\xff\xff" + bytes(100),  # a length past the end
    b"\xff\xd8\xff\xe1\x00\x00" + bytes(100),  # a zero length
    b"\xff\xd8\xff\xda\x00\x08" + bytes(100),  # scan data before any frame header
    b"\xff\xd8\xff\xd9",  # the end of the image
    b"\xff\xd8\xff\xd8\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03",  # a second SOI
    b"\xff\xd8\xff\x00",  # a stuffed zero outside scan data
    b"\xff\xd8\x00\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03",  # not at a marker
    b"\xff\xd8\xff\xc0\x00\x07\x08\x00\x10\x00\x10",  # a frame header too short for its fields
    b"\xff\xd8",
    b"\xff\xd8\xff",
])
def test_a_broken_jpeg_gives_none(head):
    assert image_facts(head) is None


def test_a_frame_header_with_a_zero_height_gives_none():
    # Height 0 means a DNL marker after the first scan sets it, far past the head.
    data = read("baseline-1200x630.jpg")
    sof = data.index(BASELINE_SOF)
    assert image_facts(patched(data, sof + 5, b"\x00\x00")) is None


@pytest.mark.parametrize("head", [
    b"\xff\xd8" + b"\xff" * HEAD_BYTES,  # nothing but fill bytes
    b"\xff\xd8" + b"\xff\xfe\x00\x02" * (HEAD_BYTES // 4),  # the shortest segments there are
    b"\xff\xd8" + b"\xff\xd0" * (HEAD_BYTES // 2),  # nothing but standalone markers
])
def test_a_long_jpeg_without_a_frame_header_gives_none_quickly(head):
    start = time.perf_counter()
    assert image_facts(head) is None
    assert time.perf_counter() - start < 1


# PNG, GIF and WebP headers that are not what they seem.


@pytest.mark.parametrize("head", [
    b"<!DOCTYPE html>\n<html><head><title>image.png</title></head></html>",
    b"\x89PNG\r\n\x1a\n<!DOCTYPE html><html><body>Not found</body></html>",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\x04CgBI\x50\x00\x20\x02" + bytes(20),  # IHDR is not first
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x03",  # cut inside the width
])
def test_a_png_without_an_ihdr_gives_none(head):
    assert image_facts(head) is None


@pytest.mark.parametrize(("offset", "new"), [
    (12, b"IHDX"),
    (16, b"\x00\x00\x00\x00"),  # zero width
    (20, b"\x00\x00\x00\x00"),  # zero height
    (16, b"\x80\x00\x00\x00"),  # past the PNG limit of 2**31 - 1
])
def test_a_png_with_a_damaged_ihdr_gives_none(offset, new):
    assert image_facts(patched(read("palette-800x800.png"), offset, new)) is None


@pytest.mark.parametrize("head", [
    b"BMW 320i, 1998: the sizes of this text are not an image's" + bytes(40),
    b"BM" + bytes(12) + b"\x99\x00\x00\x00" + bytes(40),  # no DIB header of that size
])
def test_text_that_starts_with_bm_is_not_a_bitmap(head):
    assert image_facts(head) is None


def test_a_gif_with_a_zero_size_gives_none():
    assert image_facts(patched(read("plain-300x200.gif"), 6, b"\x00\x00")) is None
    assert image_facts(b"GIF89a\x2c\x01") is None


@pytest.mark.parametrize(("name", "offset", "new"), [
    ("lossy-400x300.webp", 12, b"VP9 "),  # not a WebP chunk
    ("lossy-400x300.webp", 8, b"WAVE"),  # another RIFF file
    ("lossy-400x300.webp", 23, b"\x9d\x01\x2b"),  # a wrong start code
    ("lossy-400x300.webp", 20, b"\xf1"),  # an interframe, which has no size
    ("lossy-400x300.webp", 26, b"\x00\xc0"),  # width 0 (the top two bits are scaling)
])
def test_a_damaged_webp_header_gives_none(name, offset, new):
    assert image_facts(patched(read(name), offset, new)) is None


def test_vp8_scaling_bits_are_not_part_of_the_size():
    data = read("lossy-400x300.webp")
    width, height = struct.unpack_from("<HH", data, 26)
    scaled = patched(data, 26, struct.pack("<HH", width | 0xC000, height | 0x4000))
    assert image_facts(scaled) == facts("lossy-400x300.webp")


# Arbitrary bytes never raise.


def test_random_bytes_give_none():
    rng = random.Random(20260204)
    for _ in range(2000):
        assert image_facts(rng.randbytes(rng.randrange(200))) is None


@pytest.mark.parametrize("magic", [
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"RIFF\x00\x00\x00\x00WEBPVP8L", b"RIFF\x00\x00\x00\x00WEBPVP8X",
    b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00avifmif1",
    b"\x00\x00\x00\x14ftypheic\x00\x00\x00\x00mif1",
    b"II*\x00", b"BM" + bytes(12) + b"(\x00\x00\x00", b"<svg ",
    b"\x00\x00\x00\x0cjP  \r\n\x87\n",
])
def test_random_bytes_after_a_signature_never_raise(magic):
    rng = random.Random(magic)
    for _ in range(2000):
        result = image_facts(magic + rng.randbytes(rng.randrange(64)))
        assert result is None or (result.width > 0 and result.height > 0)


@pytest.mark.parametrize("name", EXPECTED)
def test_damaged_real_files_never_raise(name):
    data = read(name)
    rng = random.Random(name)
    for _ in range(300):
        at = rng.randrange(min(len(data), 64) if rng.random() < 0.7 else len(data))
        damaged = patched(data, at, bytes([rng.randrange(256)]))
        result = image_facts(damaged[: rng.randrange(len(damaged) + 1)])
        assert result is None or (result.width > 0 and result.height > 0)


def test_the_module_is_pure():
    tree = ast.parse(Path(imagefacts.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"__future__", "dataclasses", "imagesize", "io", "struct"}
