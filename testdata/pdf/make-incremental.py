#!/usr/bin/python3
"""make-incremental.py - crafts incremental updates after the signature of
signed.pdf (made by poppler's pdfsig, see make-fixtures.sh), the changes a
difference analysis must tell apart. pikepdf (Debian python3-pikepdf, on
qpdf) reads the signed file and writes each changed object; the update
(objects, xref section, trailer with /Prev) is appended by hand, as an
incremental save does, so the signed bytes stay untouched.

    apt-get install -y python3-pikepdf
    /usr/bin/python3 testdata/pdf/make-incremental.py

Writes, next to this script:
  inc-dss.pdf          + DSS dictionary and XMP metadata (allowed: intact)
  inc-content.pdf      + the page's content stream replaced (modified)
  inc-annot.pdf        + a text annotation on the page (form filling / annotation)
  inc-acroform-ref.pdf + catalog /AcroForm re-pointed to a new indirect
                         dictionary holding a new text field (not only signatures)
  inc-font.pdf         + the page font redefined (modified)
  inc-stamp.pdf        + the signed field's appearance and place replaced (modified)
  inc-noxref.pdf       + the page content redefined with no xref section (modified)
"""
import os
import re

import pikepdf

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "signed.pdf")
base = open(src, "rb").read()
startxref = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
pdf = pikepdf.open(src)
root_ref = pdf.trailer.Root.objgen
size = int(pdf.trailer.Size)
page = pdf.pages[0].obj


def unparse(o):
    if isinstance(o, pikepdf.Object):
        return o.unparse(resolved=False)
    if isinstance(o, bytes):
        return o
    return str(o).encode()  # numbers and booleans come back as Python values


def update(objs, name, size=size):
    """objs: {objnum: bytes of the object body}; appends one revision."""
    out = bytearray(base)
    if not out.endswith(b"\n"):
        out += b"\n"
    offs = {}
    for num in sorted(objs):
        offs[num] = len(out)
        body = objs[num]
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(objs):
        out += b"%d 1\n%010d 00000 n \n" % (num, offs[num])
    new_size = max(size, max(objs) + 1)
    tr = b"<< /Size %d /Root %d 0 R /Prev %d" % (new_size, root_ref[0], startxref)
    if "/Info" in pdf.trailer:
        tr += b" /Info %d 0 R" % pdf.trailer.Info.objgen[0]
    tr += b" >>"
    out += b"trailer\n" + tr + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    open(os.path.join(here, name), "wb").write(out)


def dict_with(d, **extra):
    """d (a pikepdf Dictionary) with keys added or replaced, unparsed."""
    parts = []
    for k in d.keys():
        if k[1:] in extra:
            continue
        parts.append(k.encode() + b" " + unparse(d[k]))
    for k, v in extra.items():
        parts.append(b"/" + k.encode() + b" " + v)
    return b"<< " + b" ".join(parts) + b" >>"


n = size
root = pdf.Root
xmp = b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/><?xpacket end="w"?>'

# 1. DSS + XMP metadata: what PAdES-LT and Acrobat add after a signature.
update({
    root_ref[0]: dict_with(root, DSS=b"%d 0 R" % n, Metadata=b"%d 0 R" % (n + 1)),
    n: b"<< /Certs [] /OCSPs [] /CRLs [] >>",
    n + 1: b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp + b"\nendstream",
}, "inc-dss.pdf")

# 2. The page's content replaced: what the reader shows changes.
content = b"BT /F1 24 Tf 72 720 Td (20000000.00) Tj ET"
page_num = page.objgen[0]
update({
    page_num: dict_with(page, Contents=b"%d 0 R" % n),
    n: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
}, "inc-content.pdf")

# 3. A text annotation added to the page.
annots = list(page.Annots) if "/Annots" in page else []
arr = b"[" + b" ".join(unparse(a) for a in annots) + b" %d 0 R]" % n
update({
    page_num: dict_with(page, Annots=arr),
    n: b"<< /Type /Annot /Subtype /Text /Rect [100 100 120 120] /Contents (note) /P %d 0 R >>" % page_num,
}, "inc-annot.pdf")

# 4. Catalog /AcroForm re-pointed through a new indirect reference to a
#    dictionary that adds a text field (and keeps the signature field).
af = root.AcroForm
fields = list(af.Fields)
update({
    root_ref[0]: dict_with(root, AcroForm=b"%d 0 R" % n),
    n: dict_with(af, Fields=b"[" + b" ".join(unparse(f) for f in fields) + b" %d 0 R]" % (n + 1)),
    n + 1: b"<< /FT /Tx /T (amount) /V (20000000.00) >>",
}, "inc-acroform-ref.pdf")

# 6. The signed field's own appearance replaced (the stamp the reader sees).
sigfield = af.Fields[0]
stamp = b"BT /Helv 12 Tf 2 4 Td (CNY 20000000.00) Tj ET"
update({
    sigfield.objgen[0]: dict_with(sigfield, AP=b"<< /N %d 0 R >>" % n, Rect=b"[180 700 320 718]"),
    n: b"<< /Type /XObject /Subtype /Form /BBox [0 0 140 18] /Length %d >>\nstream\n" % len(stamp) + stamp + b"\nendstream",
}, "inc-stamp.pdf")

# 7. Incremental saving attack without a cross-reference section: a new
#    content stream for the page and a trailer, but no xref and no new
#    startxref; viewers that repair files pick the objects up.
raw = bytearray(base)
raw += (b"%d 0 obj\n<< /Length %d >>\nstream\n" % (page.Contents.objgen[0], len(content)) + content +
        b"\nendstream\nendobj\n%%EOF\n")
open(os.path.join(here, "inc-noxref.pdf"), "wb").write(raw)

# 5. A reference the signed page already made (to an object number that
#    did not exist then) now leads to a new content stream: no signed object
#    changes, but what the page shows does. The signed page must hold the
#    dangling reference, so this variant rewrites nothing old; it is made
#    from an unsigned base only when the page has one. Here: the page's
#    /Resources font is redefined as a new object instead.
fonts = page.Resources.get("/Font")
if fonts is not None:
    fname = list(fonts.keys())[0]
    fobj = fonts[fname]
    if fobj.is_indirect:
        update({
            fobj.objgen[0]: b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
        }, "inc-font.pdf")
