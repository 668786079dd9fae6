#!/usr/bin/python3
"""make-openssl-signed.py - signs unsigned.pdf with OpenSSL 3 (an independent
signer) in the algorithms a guarantee may carry, so that pdfsign's tests do
not only check signatures our own Go code made.

    apt-get install -y openssl python3-pikepdf
    /usr/bin/python3 testdata/pdf/make-openssl-signed.py

pikepdf reads unsigned.pdf; the signature field, the signature dictionary
with a /Contents placeholder and the /ByteRange are appended by hand as an
incremental update; OpenSSL signs the bytes of the ranges:

  ossl-rsa-pss.pdf        RSA-PSS, SHA-256     (openssl cms -sign -keyopt rsa_padding_mode:pss)
  ossl-ecdsa-p256.pdf     ECDSA P-256, SHA-256 (openssl cms -sign)
  ossl-ecdsa-p384.pdf     ECDSA P-384, SHA-384
  ossl-rsa-sha512-ski.pdf RSA PKCS#1 v1.5, SHA-512, signer named by subject key id (-keyid)
  ossl-rsa-noattr.pdf     RSA, no signed attributes (-noattr)
  ossl-rsa-sha1.pdf       RSA, SHA-1 only (weak: refused)
  ossl-odd-cert.pdf       RSA, signer certificate with a negative serial and a critical AIA
  ossl-ecdsa-tampered.pdf ossl-ecdsa-p256.pdf with one signed byte changed
  ossl-overlay-amount.pdf signed.pdf (pdfsig) signed again by any certificate with a
                          visible appearance writing "CNY 20000000.00" over the amount
  ossl-overlay-whiteout.pdf  the same with an appearance that only lays white paper over the amount
  ossl-overlay-paths.pdf  the same, the forged digits drawn as black filled paths (no text)
  ossl-seal-red-paths.pdf the same place, a red vector seal (a filled ring): allowed, as an image seal
  ossl-second-visible.pdf signed.pdf signed again, the visible appearance on blank paper
  ossl-certified-p1.pdf   a certification signature, DocMDP P=1 (no changes allowed)
  ossl-certified-p1-then-signed.pdf  the same signed again (a violation)
  ossl-fieldlock.pdf      a signature whose FieldMDP locks the field "Second"
  ossl-fieldlock-then-signed.pdf     then a signature in "Second" (a violation)
  ossl-fieldlock-other-signed.pdf    then a signature in "Third" (allowed)
  ossl-sm2.pdf            SM2 with SM3 (GM/T 0010 OIDs), adbe.pkcs7.detached, signer
                          certificate issued by an SM2 CA (sm2-ca.pem)
  ossl-sm2-cades.pdf      the same as ETSI.CAdES.detached
  ossl-sm2-tampered.pdf   ossl-sm2.pdf with one signed byte changed

OpenSSL 3.0's `cms -sign` fails with an SM2 key, so for SM2 this script
assembles the CMS SignedData DER from OpenSSL's parts: the SM2 certificates
(openssl req/x509 -sm3), the SM3 digest (openssl dgst -sm3) and the SM2
signature over the DER signed attributes (openssl pkeyutl -sign -rawin
-digest sm3 -pkeyopt distid:1234567812345678).

With file names as arguments, only those files are written (the others
keep their committed bytes).
"""
import datetime
import os
import re
import subprocess
import sys
import tempfile

import pikepdf

here = os.path.dirname(os.path.abspath(__file__))
only = set(sys.argv[1:])


def write(name, data):
    if not only or name in only:
        open(os.path.join(here, name), "wb").write(data)
work = tempfile.mkdtemp()
PLACEHOLDER = 8192  # bytes reserved for the CMS


def sh(*args, input=None):
    return subprocess.run(args, check=True, capture_output=True, input=input, cwd=work).stdout


def path(name):
    return os.path.join(work, name)


# --- keys and certificates -------------------------------------------------

def self_signed(name, keyargs, md="-sha256"):
    sh("openssl", "genpkey", *keyargs, "-out", path(name + ".key"))
    sh("openssl", "req", "-x509", "-new", "-key", path(name + ".key"), md, "-utf8",
       "-subj", "/CN=OpenSSL %s 测试/O=福州某某融资担保有限公司" % name, "-days", "7300",
       "-addext", "subjectKeyIdentifier=hash", "-out", path(name + ".pem"))


self_signed("rsa", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
self_signed("p256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
self_signed("p384", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], "-sha384")
# Certificate details Go's x509 refuses (a negative serial, Authority Info
# Access marked critical, as some Chinese CAs issue): not an integrity matter.
sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path("odd.key"))
sh("openssl", "req", "-x509", "-new", "-key", path("odd.key"), "-sha256", "-utf8", "-set_serial", "-12345",
   "-addext", "authorityInfoAccess=critical,OCSP;URI:http://ocsp.example.cn",
   "-subj", "/CN=OpenSSL odd 测试/O=福州某某融资担保有限公司", "-days", "7300", "-out", path("odd.pem"))

# SM2: a CA and a signer it issues.
sm2opt = ["-sm3", "-sigopt", "distid:1234567812345678"]
sh("openssl", "genpkey", "-algorithm", "SM2", "-out", path("sm2ca.key"))
sh("openssl", "req", "-x509", "-new", "-key", path("sm2ca.key"), *sm2opt, "-utf8",
   "-subj", "/CN=国密测试根CA/O=国密测试认证中心", "-days", "7300",
   "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
   "-out", path("sm2ca.pem"))
sh("openssl", "genpkey", "-algorithm", "SM2", "-out", path("sm2.key"))
sh("openssl", "req", "-new", "-key", path("sm2.key"), *sm2opt, "-utf8",
   "-subj", "/CN=王五/O=福州某某融资担保有限公司", "-out", path("sm2.csr"))
open(path("ext.cnf"), "w").write("keyUsage=critical,digitalSignature,nonRepudiation\n")
sh("openssl", "x509", "-req", "-in", path("sm2.csr"), "-CA", path("sm2ca.pem"), "-CAkey", path("sm2ca.key"),
   "-CAcreateserial", "-days", "3650", *sm2opt, "-vfyopt", "distid:1234567812345678",
   "-extfile", path("ext.cnf"), "-out", path("sm2.pem"))


def pem_der(name):
    return sh("openssl", "x509", "-in", path(name), "-outform", "DER")


# --- the PDF with a placeholder ---------------------------------------------


class Base:
    def __init__(self, name):
        self.bytes = open(os.path.join(here, name), "rb").read()
        self.pdf = pikepdf.open(os.path.join(here, name))
        self.startxref = int(re.findall(rb"startxref\s+(\d+)", self.bytes)[-1])
        self.root_num = self.pdf.trailer.Root.objgen[0]
        self.page = self.pdf.pages[0].obj
        self.page_num = self.page.objgen[0]
        self.size = int(self.pdf.trailer.Size)


unsigned = Base("unsigned.pdf")


def unparse(o):
    if isinstance(o, pikepdf.Object):
        return o.unparse(resolved=False)
    return str(o).encode()


def dict_with(d, **extra):
    parts = [k.encode() + b" " + unparse(d[k]) for k in d.keys() if k[1:] not in extra]
    parts += [b"/" + k.encode() + b" " + v for k, v in extra.items()]
    return b"<< " + b" ".join(parts) + b" >>"


def prepared(subfilter, base=unsigned, rect=b"[0 0 0 0]", appearance=None, field_name=b"OpenSSL",
             sig_extra=b"", certify=False):
    """base plus an update adding a signature field (a widget on page 1,
    with an appearance stream when given) and a signature placeholder;
    returns the bytes and the positions of the /Contents hex string."""
    pdf, page = base.pdf, base.page
    field, sig, ap = base.size, base.size + 1, base.size + 2
    annots = list(page.Annots) if "/Annots" in page else []
    fields = list(pdf.Root.AcroForm.Fields) if "/AcroForm" in pdf.Root else []
    farr = b"[" + b" ".join(unparse(f) for f in fields) + b" %d 0 R]" % field
    apkey = b" /AP << /N %d 0 R >>" % ap if appearance else b""
    root_extra = {"Perms": b"<< /DocMDP %d 0 R >>" % sig} if certify else {}
    objs = {
        base.root_num: dict_with(pdf.Root, AcroForm=b"<< /Fields " + farr + b" /SigFlags 3 >>", **root_extra),
        base.page_num: dict_with(page, Annots=b"[" + b" ".join(unparse(a) for a in annots) + b" %d 0 R]" % field),
        field: b"<< /FT /Sig /T (" + field_name + b") /Type /Annot /Subtype /Widget /F 4 /Rect " + rect +
               b" /P %d 0 R /V %d 0 R" % (base.page_num, sig) + apkey + b" >>",
        sig: b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /" + subfilter.encode() +
             b" /M (D:20261201090000+08'00')" + sig_extra +
             b" /ByteRange [0 ########## ########## ##########] /Contents <" +
             b"0" * (2 * PLACEHOLDER) + b"> >>",
    }
    if appearance:
        objs[ap] = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 %s] /Resources << /Font << /Helv << /Type /Font"
                    b" /Subtype /Type1 /BaseFont /Helvetica >> >> >> /Length %d >>\nstream\n"
                    % (appearance[0], len(appearance[1])) + appearance[1] + b"\nendstream")
    out = bytearray(base.bytes)
    if not out.endswith(b"\n"):
        out += b"\n"
    offs = {}
    for num in sorted(objs):
        offs[num] = len(out)
        out += b"%d 0 obj\n" % num + objs[num] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(objs):
        out += b"%d 1\n%010d 00000 n \n" % (num, offs[num])
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        max(objs) + 1, base.root_num, base.startxref, xref)
    cs = out.index(b"/Contents <", offs[sig]) + len(b"/Contents ")
    ce = out.index(b">", cs) + 1
    br = b"%-10d %-10d %-10d" % (cs, ce, len(out) - ce)
    i = out.index(b"########## ########## ##########")
    out[i:i + len(br)] = br
    return out, cs, ce


def finish(out, cs, ce, cms, name):
    h = cms.hex().encode()
    assert len(h) <= ce - cs - 2, "placeholder too small"
    out[cs + 1:cs + 1 + len(h)] = h
    write(name, out)
    return out


def signed_bytes(out, cs, ce):
    return bytes(out[:cs]) + bytes(out[ce:])


# --- OpenSSL cms -sign -------------------------------------------------------

def ossl(name, key, md, *extra, subfilter="adbe.pkcs7.detached", **kw):
    out, cs, ce = prepared(subfilter, **kw)
    open(path("data"), "wb").write(signed_bytes(out, cs, ce))
    cms = sh("openssl", "cms", "-sign", "-binary", "-in", path("data"), "-signer", path(key + ".pem"),
             "-inkey", path(key + ".key"), "-md", md, "-outform", "DER", "-nosmimecap", *extra)
    return finish(out, cs, ce, cms, name)


ossl("ossl-rsa-pss.pdf", "rsa", "sha256", "-keyopt", "rsa_padding_mode:pss", subfilter="ETSI.CAdES.detached")
ec = ossl("ossl-ecdsa-p256.pdf", "p256", "sha256")
ossl("ossl-ecdsa-p384.pdf", "p384", "sha384")
ossl("ossl-rsa-sha512-ski.pdf", "rsa", "sha512", "-keyid")
ossl("ossl-rsa-noattr.pdf", "rsa", "sha256", "-noattr")
ossl("ossl-rsa-sha1.pdf", "rsa", "sha1")
ossl("ossl-odd-cert.pdf", "odd", "sha256")
# A second signature on signed.pdf (pdfsig's) by any certificate, whose
# visible appearance writes over the guaranteed amount: the overlay attack.
# And the same signature placed on blank paper, which is a plain signing.
signed = Base("signed.pdf")
ossl("ossl-overlay-amount.pdf", "p256", "sha256", base=signed, rect=b"[180 700 320 718]", field_name=b"Overlay",
     appearance=(b"140 18", b"q 1 g 0 0 140 18 re f Q BT /Helv 12 Tf 0 g 2 4 Td (CNY 20000000.00) Tj ET"))
ossl("ossl-overlay-whiteout.pdf", "p256", "sha256", base=signed, rect=b"[180 700 320 718]", field_name=b"Whiteout",
     appearance=(b"140 18", b"q 1 1 1 rg 0 0 140 18 re f Q"))
# The forged digits "20000000" drawn as filled outlines in black: no text
# operator, no white paper (a 2 as a polygon, each 0 an even-odd ring).
digits = b"0 g 2 3 m 10 3 l 10 5 l 5 5 l 10 11 l 10 15 l 8 17 l 4 17 l 2 15 l 2 13 l 4 13 l 4 14 l 5 15 l 7 15 l" \
         b" 8 14 l 8 12 l 2 5 l h f"
for i in range(7):
    x = 13 + 11 * i
    digits += b" %d 3 8 14 re %d 5 4 10 re f*" % (x, x + 2)
ossl("ossl-overlay-paths.pdf", "p256", "sha256", base=signed, rect=b"[180 700 320 718]", field_name=b"Paths",
     appearance=(b"140 18", digits))
# A red seal (a ring of four Bezier arcs, even-odd) at the same place.
ring = b""
for r in (9, 7):
    k = r * 0.5523
    ring += (b"%.2f 9 m %.2f %.2f %.2f %.2f 70 %.2f c %.2f %.2f %.2f %.2f %.2f 9 c "
             b"%.2f %.2f %.2f %.2f 70 %.2f c %.2f %.2f %.2f %.2f %.2f 9 c h " % (
                 70 + r, 70 + r, 9 + k, 70 + k, 9 + r, 9 + r, 70 - k, 9 + r, 70 - r, 9 + k, 70 - r,
                 70 - r, 9 - k, 70 - k, 9 - r, 9 - r, 70 + k, 9 - r, 70 + r, 9 - k, 70 + r))
ossl("ossl-seal-red-paths.pdf", "p256", "sha256", base=signed, rect=b"[180 700 320 718]", field_name=b"Seal",
     appearance=(b"140 18", b"0.85 0.1 0.1 rg " + ring + b"f*"))
ossl("ossl-second-visible.pdf", "p256", "sha256", base=signed, rect=b"[350 80 550 140]", field_name=b"Second",
     appearance=(b"200 60", b"BT /Helv 10 Tf 0 g 4 40 Td (Signed by OpenSSL p256) Tj ET"))

# Locks: a certification signature allowing no change (DocMDP P=1), then
# a second signature; a signature locking the field named Second
# (FieldMDP Include), then that field signed.
docmdp = b" /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1 /V /1.2 >> >>]"
ossl("ossl-certified-p1.pdf", "rsa", "sha256", sig_extra=docmdp, certify=True, field_name=b"Certify")
ossl("ossl-certified-p1-then-signed.pdf", "p256", "sha256", base=Base("ossl-certified-p1.pdf"), field_name=b"Second")
fieldmdp = (b" /Reference [<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams"
            b" /Action /Include /Fields [(Second)] /V /1.2 >> >>]")
ossl("ossl-fieldlock.pdf", "rsa", "sha256", sig_extra=fieldmdp, field_name=b"Locker")
ossl("ossl-fieldlock-then-signed.pdf", "p256", "sha256", base=Base("ossl-fieldlock.pdf"), field_name=b"Second")
ossl("ossl-fieldlock-other-signed.pdf", "p256", "sha256", base=Base("ossl-fieldlock.pdf"), field_name=b"Third")

t = bytearray(ec)
t[200] ^= 0x01  # inside the first signed range (the original page content)
write("ossl-ecdsa-tampered.pdf", t)

# --- SM2: CMS assembled from OpenSSL's parts --------------------------------


def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + content


def seq(*xs):
    return tlv(0x30, b"".join(xs))


def set_of(*xs):
    return tlv(0x31, b"".join(sorted(xs)))  # DER: SET OF sorted


def oid(s):
    parts = [int(p) for p in s.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7f]
        p >>= 7
        while p:
            enc.insert(0, 0x80 | (p & 0x7f))
            p >>= 7
        body += bytes(enc)
    return tlv(0x06, body)


def integer(n):
    return tlv(0x02, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big"))


OID_DATA, OID_SIGNED = "1.2.840.113549.1.7.1", "1.2.840.113549.1.7.2"
OID_SM3, OID_SM2SIGN = "1.2.156.10197.1.401", "1.2.156.10197.1.501"


def issuer_serial(cert_der):
    # TBSCertificate: [0] version, serial, signature, issuer, ...
    def read(b, i):
        tag = b[i]
        ln = b[i + 1]
        j = i + 2
        if ln & 0x80:
            k = ln & 0x7f
            ln = int.from_bytes(b[j:j + k], "big")
            j += k
        return tag, j, j + ln  # content start, end
    _, c0, _ = read(cert_der, 0)
    _, t0, _ = read(cert_der, c0)  # tbs content
    i = t0
    tag, s, e = read(cert_der, i)
    if tag == 0xA0:
        i = e
    _, s, e = read(cert_der, i)
    serial = cert_der[i:e]
    i = e
    _, s, e = read(cert_der, i)  # signature alg
    i = e
    _, s, e = read(cert_der, i)
    issuer = cert_der[i:e]
    return seq(issuer, serial)


def sm2_signed(name, subfilter, tamper=False):
    out, cs, ce = prepared(subfilter)
    data = signed_bytes(out, cs, ce)
    open(path("data"), "wb").write(data)
    digest = sh("openssl", "dgst", "-sm3", "-binary", path("data"))
    t = datetime.datetime.now(datetime.timezone.utc).strftime("%y%m%d%H%M%SZ").encode()
    attrs = [
        seq(oid("1.2.840.113549.1.9.3"), set_of(oid(OID_DATA))),
        seq(oid("1.2.840.113549.1.9.5"), set_of(tlv(0x17, t))),
        seq(oid("1.2.840.113549.1.9.4"), set_of(tlv(0x04, digest))),
    ]
    signed_attrs = set_of(*attrs)  # what is signed: the SET OF, tag 0x31
    open(path("attrs"), "wb").write(signed_attrs)
    sig = sh("openssl", "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", path("sm2.key"),
             "-pkeyopt", "distid:1234567812345678", "-in", path("attrs"))
    leaf, ca = pem_der("sm2.pem"), pem_der("sm2ca.pem")
    signer_info = seq(
        integer(1),
        issuer_serial(leaf),
        seq(oid(OID_SM3)),
        b"\xa0" + signed_attrs[1:],  # [0] IMPLICIT
        seq(oid(OID_SM2SIGN)),
        tlv(0x04, sig),
    )
    signed_data = seq(
        integer(1),
        set_of(seq(oid(OID_SM3))),
        seq(oid(OID_DATA)),
        tlv(0xA0, leaf + ca),
        set_of(signer_info),
    )
    cms = seq(oid(OID_SIGNED), tlv(0xA0, signed_data))
    out = finish(out, cs, ce, cms, name)
    if tamper:
        t = bytearray(out)
        t[200] ^= 0x01
        write(name.replace(".pdf", "-tampered.pdf"), t)


sm2_signed("ossl-sm2.pdf", "adbe.pkcs7.detached", tamper=True)
sm2_signed("ossl-sm2-cades.pdf", "ETSI.CAdES.detached")
write("sm2-ca.pem", open(path("sm2ca.pem"), "rb").read())
print("fixtures written to", here)
