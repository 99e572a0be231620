#!/usr/bin/env python3
"""Writes the small seed corpora under tools/fuzz/corpus/TARGET/ (committed; rerun only to change them).

Everything is built here from bytes (PNG, GIF, TIFF, BMP, WebP headers and PDFs by hand); the JPEG and WebP seeds come from
ImageMagick's `convert` and the object-stream PDF from `qpdf` when they are installed (otherwise they are skipped).
No file is copied from a test set.
"""
import os, shutil, struct, subprocess, sys, tempfile, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def png(width, height, extra_chunks=()):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + bytes((x * 37 + y * 11) & 0xFF for x in range(width)) for y in range(height))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    for kind, data in extra_chunks:
        out += chunk(kind, data)
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def gif(frames, screen=(4, 4)):
    out = b"GIF89a" + struct.pack("<HH", *screen) + bytes([0x80, 0, 0]) + bytes([0, 0, 0, 255, 255, 255])
    out += b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop extension
    for i, (w, h) in enumerate(frames):
        out += b"!\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control
        out += b"," + struct.pack("<HHHH", i, 0, w, h) + b"\x00"
        out += b"\x02\x02\x44\x01\x00"  # LZW min code size 2, one tiny sub-block
    return out + b";"


def tiff(pages, big_endian=False):
    e = ">" if big_endian else "<"
    out = bytearray((b"MM\0*" if big_endian else b"II*\0") + struct.pack(e + "I", 8))
    for n, (w, h) in enumerate(pages):
        data_at = len(out)
        out += bytes(w * h)
        if len(out) % 2: out += b"\0"
        ifd_at = len(out)
        if n == 0:
            struct.pack_into(e + "I", out, 4, ifd_at)
        tags = [(256, 3, 1, w), (257, 4, 1, h), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
                (273, 4, 1, data_at), (277, 3, 1, 1), (278, 4, 1, h), (279, 4, 1, w * h)]
        out += struct.pack(e + "H", len(tags))
        for tag, typ, count, value in tags:
            out += struct.pack(e + "HHI", tag, typ, count)
            out += struct.pack(e + "HH", value, 0) if typ == 3 else struct.pack(e + "I", value)
        next_at = len(out)
        out += struct.pack(e + "I", 0)
        if n + 1 < len(pages):
            # the next IFD follows the next page's data; patched below
            pass
        pages_next = next_at
        if n > 0:
            struct.pack_into(e + "I", out, prev_next, ifd_at)
        prev_next = pages_next
    return bytes(out)


def bmp(w, h):
    row = (w * 3 + 3) & ~3
    pixels = bytes(row * h)
    header = b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
    dib = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + dib + pixels


def webp_vp8l(w, h):
    bits = (w - 1) | ((h - 1) << 14)
    payload = b"\x2f" + struct.pack("<I", bits) + b"\x00\x00\x00"
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_vp8(w, h):
    payload = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", w, h) + bytes(10)
    chunk = b"VP8 " + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def jpegs():
    if not shutil.which("convert"):
        print("convert not found: no JPEG or WebP seeds", file=sys.stderr)
        return {}
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for name, args in {"gray8x8.jpg": ["-size", "8x8", "gradient:", "-colorspace", "Gray"],
                           "rgb16x8-progressive.jpg": ["-size", "16x8", "gradient:red-blue", "-interlace", "JPEG"],
                           "lossless.webp": ["-size", "7x5", "gradient:", "-define", "webp:lossless=true"],
                           "lossy.webp": ["-size", "9x4", "gradient:red-blue"]}.items():
            path = os.path.join(d, name)
            subprocess.run(["convert", *args, "-strip", "-quality", "40", path], check=True)
            out[name] = open(path, "rb").read()
    return out


def pdf(objects, root=1):
    """objects: list of bytes (object bodies, numbered from 1); writes a classic xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def stream(dictionary, data, flate=False):
    if flate:
        data = zlib.compress(data)
        dictionary += b" /Filter /FlateDecode"
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def page_tree(contents_obj, resources=b"<< >>", media=b"[0 0 200 100]", extra=b""):
    return [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox " + media + b" /Resources " + resources + b" /Contents %d 0 R" % contents_obj + extra + b" >>"]


def pdfs(jpeg):
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    text = b"BT /F1 12 Tf 20 70 Td (Invoice 42) Tj 0 -16 Td (Total: 10.00 EUR) Tj ET"
    seeds = {}
    seeds["text.pdf"] = pdf(page_tree(4, b"<< /Font << /F1 5 0 R >> >>") + [stream(b"", text), font])
    seeds["text-flate.pdf"] = pdf(page_tree(4, b"<< /Font << /F1 5 0 R >> >>") + [stream(b"", text * 3, flate=True), font])

    gray = bytes((x * 16 + y) & 0xFF for y in range(16) for x in range(32))
    image_page = b"q 200 0 0 100 0 0 cm /Im1 Do Q"
    seeds["scan-gray-flate.pdf"] = pdf(page_tree(4, b"<< /XObject << /Im1 5 0 R >> >>") + [
        stream(b"", image_page),
        stream(b"/Type /XObject /Subtype /Image /Width 32 /Height 16 /ColorSpace /DeviceGray /BitsPerComponent 8", gray, flate=True)])
    bilevel = bytes([0b10101010, 0b01010101] * 32)
    seeds["scan-bilevel.pdf"] = pdf(page_tree(4, b"<< /XObject << /Im1 5 0 R >> >>") + [
        stream(b"", image_page),
        stream(b"/Type /XObject /Subtype /Image /Width 16 /Height 32 /BitsPerComponent 1 /ImageMask false /ColorSpace /DeviceGray /Decode [1 0]",
               bilevel)])
    rgb = bytes((i * 7) & 0xFF for i in range(8 * 4 * 3))
    seeds["scan-rgb-ahx.pdf"] = pdf(page_tree(4, b"<< /XObject << /Im1 5 0 R >> >>") + [
        stream(b"", image_page),
        stream(b"/Type /XObject /Subtype /Image /Width 8 /Height 4 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /ASCIIHexDecode",
               rgb.hex().encode() + b">")])
    if "rgb16x8-progressive.jpg" in jpeg:
        seeds["scan-dct.pdf"] = pdf(page_tree(4, b"<< /XObject << /Im1 5 0 R >> >>") + [
            stream(b"", image_page),
            stream(b"/Type /XObject /Subtype /Image /Width 16 /Height 8 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode",
                   jpeg["rgb16x8-progressive.jpg"])])

    # Form XObjects: the page draws Fm1, which draws Fm2 twice, which holds text.
    seeds["forms.pdf"] = pdf(page_tree(4, b"<< /XObject << /Fm1 5 0 R >> /Font << /F1 7 0 R >> >>") + [
        stream(b"", b"/Fm1 Do"),
        stream(b"/Type /XObject /Subtype /Form /BBox [0 0 200 100] /Resources << /XObject << /Fm2 6 0 R >> >>", b"/Fm2 Do 1 0 0 1 0 30 cm /Fm2 Do"),
        stream(b"/Type /XObject /Subtype /Form /BBox [0 0 200 100] /Resources << /Font << /F1 7 0 R >> >>", b"BT /F1 10 Tf 10 10 Td (Nested form) Tj ET"),
        font])

    # A Type 4 (PostScript calculator) function in a shading, and a rotated page with an indexed image.
    fn = b"{ dup 0.5 gt { 1 exch sub } { 2 mul } ifelse dup }"
    seeds["type4-shading.pdf"] = pdf(page_tree(4, b"<< /Shading << /Sh1 5 0 R >> >>") + [
        stream(b"", b"q 0 0 200 100 re W n /Sh1 sh Q"),
        b"<< /ShadingType 2 /ColorSpace /DeviceGray /Coords [0 0 200 0] /Function 6 0 R /Extend [true true] >>",
        stream(b"/FunctionType 4 /Domain [0 1] /Range [0 1 0 1]", fn)])
    indexed = bytes(i % 4 for i in range(8 * 8))
    seeds["rotated-indexed.pdf"] = pdf(page_tree(4, b"<< /XObject << /Im1 5 0 R >> >>", extra=b" /Rotate 90") + [
        stream(b"", image_page),
        stream(b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace [/Indexed /DeviceRGB 3 <000000ff000000ff000000ff>] /BitsPerComponent 8",
               indexed)])

    # Two pages, an Info dictionary, and an inline image.
    two = [b"<< /Type /Catalog /Pages 2 0 R >>",
           b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 200 100] >>",
           b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 7 0 R >> >> /Contents 5 0 R >>",
           b"<< /Type /Page /Parent 2 0 R /Resources << >> /Contents 6 0 R >>",
           stream(b"", text),
           stream(b"", b"q 200 0 0 100 0 0 cm BI /W 4 /H 2 /CS /G /BPC 8 ID \x00\x40\x80\xff\xff\x80\x40\x00 EI Q"),
           font]
    seeds["two-pages-inline.pdf"] = pdf(two)

    if shutil.which("qpdf"):
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "in.pdf"), os.path.join(d, "out.pdf")
            open(src, "wb").write(seeds["forms.pdf"])
            subprocess.run(["qpdf", "--object-streams=generate", "--compress-streams=y", src, dst], check=True)
            seeds["forms-objstm.pdf"] = open(dst, "rb").read()
    return seeds


def write(target, files):
    folder = os.path.join(CORPUS, target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, data in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


def main():
    jpeg = jpegs()
    images = {
        "gray4x3.png": png(4, 3),
        "text-chunks.png": png(3, 2, [(b"tEXt", b"Comment\0seed"), (b"pHYs", struct.pack(">IIB", 11811, 11811, 1))]),
        "two-frames.gif": gif([(4, 4), (2, 3)]),
        "one-frame-87a.gif": gif([(3, 2)]).replace(b"GIF89a", b"GIF87a", 1),
        "two-pages-le.tif": tiff([(4, 2), (3, 3)]),
        "one-page-be.tif": tiff([(5, 2)], big_endian=True),
        "rgb3x2.bmp": bmp(3, 2),
        "header-only-vp8l.webp": webp_vp8l(7, 5),
        "header-only-vp8.webp": webp_vp8(9, 4),
        **jpeg,
    }
    documents = pdfs(jpeg)
    write("image-headers", images)
    others = {
        "hello.txt": b"Hello, DocFlow.\nInvoice 42\n",
        "data.json": b'{"invoice": 42, "lines": [{"total": 10.0}]}',
        "page.html": b"<!DOCTYPE html><html><body><p>Invoice</p></body></html>",
        "archive.zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(16) + b"\x13\x00\x00\x00word/document.xml" + bytes(8),
        "ole.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(56),
        "bigtiff.tif": b"II+\x00\x08\x00\x00\x00" + bytes(8),
        "junk-then-pdf.pdf": b"junk\r\n" + documents["text.pdf"],
        "utf16.txt": "Rechnung 42\n".encode("utf-16"),
    }
    write("sniff", {**{k: v for k, v in images.items() if k in ("gray4x3.png", "two-frames.gif", "two-pages-le.tif", "rgb3x2.bmp", "lossless.webp", "gray8x8.jpg")},
                    "text.pdf": documents["text.pdf"], **others})
    for target in ("pdf-preflight", "pdf-text", "pdf-image"):
        write(target, documents)
    for target in sorted(os.listdir(CORPUS)):
        sizes = [os.path.getsize(os.path.join(CORPUS, target, f)) for f in os.listdir(os.path.join(CORPUS, target))]
        print(f"{target}: {len(sizes)} seeds, {min(sizes)}..{max(sizes)} bytes")


if __name__ == "__main__":
    main()
