#!/usr/bin/env bash
# make-fixtures.sh - builds the signed PDF fixtures that pdfsign's tests assert
# verdicts on. The signatures come from an independent signer (poppler's
# pdfsig with an NSS database), so the tests do not only check signatures that
# our own Go code made.
#
# Needs (installs nothing itself):
#   apt-get install -y poppler-utils libnss3-tools qpdf openssl
#   (pdfsig from poppler-utils, certutil/pk12util from libnss3-tools,
#    qpdf for the encrypted fixture, openssl for the test CA)
#
# Run from anywhere:  testdata/pdf/make-fixtures.sh
# It rewrites the fixtures in testdata/pdf/. The keys, the NSS database and
# the intermediate files live in a temporary folder that is removed on exit;
# only the results and the test CA's certificate (ca.pem) are kept.
#
# Fixtures (each small; the 10 MB PDF is generated in Go at test time):
#   unsigned.pdf        valid PDF, no signature
#   signed.pdf          one adbe.pkcs7.detached signature by 张三 (SHA-256)
#   signed-field.pdf    an empty signature field made beforehand, then signed by 张三
#   tampered.pdf        signed.pdf with one byte changed inside the signed range
#   appended.pdf        signed.pdf plus an incremental update that changes the page text
#   two-signatures.pdf  signed.pdf signed again by 李四 (incremental update)
#   appended-then-signed.pdf  appended.pdf signed by 李四: the page was changed
#                       after 张三 signed, then 李四 signed the changed file
#   encrypted.pdf       unsigned.pdf encrypted with AES-256 and a user password
#   truncated.pdf       signed.pdf cut in half
#   not-a-pdf.pdf       a text file with a .pdf name
#   ca.pem              the test CA, for the "trusted" test
# Not made here: objstm-bomb-512m.zlib.gz (the zlib data of the object-stream
# bomb, gzipped; made by the python3 line in listener/verify_bomb_test.go).
set -euo pipefail

for tool in openssl certutil pk12util pdfsig qpdf; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "make-fixtures.sh: $tool is missing; apt-get install -y poppler-utils libnss3-tools qpdf openssl" >&2
		exit 2
	fi
done

out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# ---------------------------------------------------------------- the base PDF
# A one-page guarantee with an uncompressed content stream, written object by
# object so the cross-reference offsets are exact. The AcroForm's default
# resources carry a font named "popplerfont" (Helvetica): pdfsig looks for that
# name before it embeds a whole system font (about 1 MB) for the signature
# appearance. makebase FILE [with-field] adds an empty signature field
# "Signature1" (pdfsig -sign signs an existing field).
content='BT /F1 16 Tf 72 770 Td (Letter of Guarantee BH-2024-0001) Tj ET
BT /F1 12 Tf 72 740 Td (Principal: Fuzhou Example Construction Co., Ltd.) Tj ET
BT /F1 12 Tf 72 722 Td (Beneficiary: Fuzhou Public Resource Trading Center) Tj ET
BT /F1 12 Tf 72 704 Td (Guaranteed amount: CNY 100000.00) Tj ET
BT /F1 12 Tf 72 686 Td (Valid until: 2025-12-31) Tj ET'
makebase() {
	local f=$1 field=${2:-} n=7 i xref fields='' annots=''
	local -a offs
	emit() { printf '%s' "$1" >>"$f"; }
	obj() { # obj NUM BODY
		offs[$1]=$(stat -c %s "$f")
		emit "$1 0 obj
$2
endobj
"
	}
	if [ -n "$field" ]; then
		n=8
		fields='8 0 R'
		annots=' /Annots [8 0 R]'
	fi
	: >"$f"
	emit $'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'
	obj 1 '<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>'
	obj 2 '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'
	obj 3 "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R$annots >>"
	obj 4 "<< /Length ${#content} >>
stream
$content
endstream"
	obj 5 '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'
	obj 6 '<< /Title (Letter of Guarantee BH-2024-0001) /Producer (baohan make-fixtures.sh) /CreationDate (D:20240102030405+08'"'"'00'"'"') >>'
	obj 7 "<< /Fields [$fields] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 5 0 R /popplerfont << /Type /Font /Subtype /Type1 /BaseFont /Helvetica#20 /Encoding /WinAnsiEncoding >> >> >> >>"
	if [ -n "$field" ]; then
		obj 8 '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /Rect [0 0 0 0] /F 132 /P 3 0 R >>'
	fi
	xref=$(stat -c %s "$f")
	emit "xref
0 $((n + 1))
0000000000 65535 f 
"
	for ((i = 1; i <= n; i++)); do emit "$(printf '%010d 00000 n ' "${offs[$i]}")
"; done
	emit "trailer
<< /Size $((n + 1)) /Root 1 0 R /Info 6 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>
startxref
$xref
%%EOF
"
	qpdf --check "$f" >/dev/null
}
base="$work/base.pdf"
makebase "$base"
makebase "$work/basefield.pdf" with-field

# ------------------------------------------------------- test CA and signers
cat >ca.cnf <<'EOF'
[req]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
[dn]
[ca_ext]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[signer_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
	-days 7300 -config ca.cnf -extensions ca_ext -utf8 -sha256 \
	-subj "/C=CN/O=福建测试电子认证服务有限公司/CN=福建测试CA" 2>/dev/null
signer() { # signer NAME CN
	openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" \
		-config ca.cnf -utf8 -subj "/C=CN/O=福州某某融资担保有限公司/CN=$2" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
		-out "$1.pem" -days 7000 -sha256 -extfile ca.cnf -extensions signer_ext 2>/dev/null
	openssl pkcs12 -export -in "$1.pem" -inkey "$1.key" -certfile ca.pem \
		-name "$1" -out "$1.p12" -passout pass:test
}
signer zhangsan 张三
signer lisi 李四

mkdir nss
certutil -N -d "sql:$work/nss" --empty-password
certutil -A -d "sql:$work/nss" -n testca -t "CT,C,C" -i ca.pem
pk12util -i zhangsan.p12 -d "sql:$work/nss" -W test >/dev/null
pk12util -i lisi.p12 -d "sql:$work/nss" -W test >/dev/null

# pdfsig prints "NSS_Shutdown failed" on every run (harmless); hide only that.
pdfsig_quiet() {
	local err=0
	pdfsig "$@" >/dev/null 2>"$work/pdfsig.err" || err=$?
	grep -v 'NSS_Shutdown' "$work/pdfsig.err" >&2 || true
	return "$err"
}
sig() { # sig IN OUT NICK FIELD: adds a new signature field and signs it
	pdfsig_quiet -nssdir "sql:$work/nss" -add-signature -nick "$3" \
		-new-signature-field-name "$4" -reason "出具电子保函" "$1" "$2"
}

# ------------------------------------------------------------------ fixtures
cp "$base" "$out/unsigned.pdf"
sig "$base" "$out/signed.pdf" zhangsan Signature1
pdfsig_quiet -nssdir "sql:$work/nss" -sign Signature1 -nick zhangsan \
	-reason "出具电子保函" "$work/basefield.pdf" "$out/signed-field.pdf"
sig "$out/signed.pdf" "$out/two-signatures.pdf" lisi Signature2

# tampered: same length, the amount changed inside the first signed range.
LC_ALL=C sed 's/CNY 100000.00/CNY 900000.00/' "$out/signed.pdf" >"$out/tampered.pdf"
if cmp -s "$out/signed.pdf" "$out/tampered.pdf"; then
	echo "make-fixtures.sh: tampering did not change signed.pdf" >&2
	exit 1
fi

# appended: an incremental update after signing that replaces the page's
# content stream (object 4), the classic "edit after signing" attack.
cp "$out/signed.pdf" "$out/appended.pdf"
app="$out/appended.pdf"
prev=$(LC_ALL=C grep -a -A1 '^startxref' "$app" | tail -1 | tr -d '\r\n ')
size=$(LC_ALL=C grep -a -o '/Size [0-9]*' "$app" | tail -1 | awk '{print $2}')
root=$(LC_ALL=C grep -a -o '/Root [0-9]* [0-9]* R' "$app" | tail -1)
newcontent=${content/CNY 100000.00/CNY 900000.00}
[ "$(tail -c 1 "$app" | xxd -p)" = "0a" ] || printf '\n' >>"$app"
o4=$(stat -c %s "$app")
printf '4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n' "${#newcontent}" "$newcontent" >>"$app"
x=$(stat -c %s "$app")
printf 'xref\n0 1\n0000000000 65535 f \n4 1\n%010d 00000 n \ntrailer\n<< /Size %s %s /Prev %s >>\nstartxref\n%s\n%%%%EOF\n' \
	"$o4" "$size" "$root" "$prev" "$x" >>"$app"
qpdf --check "$app" >/dev/null
# ...and then signed by someone else: the second signature is sound, but the
# first signer's revision was changed.
sig "$app" "$out/appended-then-signed.pdf" lisi Signature2

qpdf --encrypt user-pw owner-pw 256 -- "$base" "$out/encrypted.pdf"

half=$(($(stat -c %s "$out/signed.pdf") / 2))
head -c "$half" "$out/signed.pdf" >"$out/truncated.pdf"

printf 'Letter of Guarantee BH-2024-0001\nThis is a plain text file, not a PDF.\n' >"$out/not-a-pdf.pdf"

cp ca.pem "$out/ca.pem"

for f in unsigned signed signed-field tampered appended appended-then-signed two-signatures encrypted truncated not-a-pdf; do
	printf '%-26s %7d bytes\n' "$f.pdf" "$(stat -c %s "$out/$f.pdf")"
done
