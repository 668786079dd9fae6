#!/usr/bin/env bash
# make-objstm.sh - signed PDFs whose objects live in object streams, made by
# tools other than ours: qpdf writes the base with object streams and
# cross-reference streams, poppler's pdfsig (NSS) signs it twice, each
# signature an incremental update that rewrites objects of the object
# streams. A difference analysis that does not resolve objects in object
# streams sees every one of them as changed.
#
#   apt-get install -y qpdf poppler-utils libnss3-tools openssl
#   testdata/pdf/make-objstm.sh
#
# Writes objstm-signed.pdf (one signature) and objstm-two-signatures.pdf.
set -euo pipefail
for tool in openssl certutil pk12util pdfsig qpdf; do
	command -v "$tool" >/dev/null || { echo "make-objstm.sh: $tool missing" >&2; exit 2; }
done
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

openssl req -x509 -new -newkey rsa:2048 -nodes -keyout s.key -out s.pem -days 7300 -sha256 -utf8 \
	-subj "/C=CN/O=福州某某融资担保有限公司/CN=赵六" -addext keyUsage=critical,digitalSignature,nonRepudiation 2>/dev/null
openssl pkcs12 -export -in s.pem -inkey s.key -name signer -out s.p12 -passout pass:test
mkdir nss
certutil -N -d "sql:$work/nss" --empty-password
pk12util -i s.p12 -d "sql:$work/nss" -W test >/dev/null

qpdf --object-streams=generate --compress-streams=y "$out/unsigned.pdf" base.pdf
# pdfsig prints "NSS_Shutdown failed" on every run (harmless); hide only that.
quiet() {
	local err=0
	"$@" >/dev/null 2>pdfsig.err || err=$?
	grep -v NSS_Shutdown pdfsig.err >&2 || true
	return "$err"
}
quiet pdfsig -nssdir "sql:$work/nss" -add-signature -nick signer -new-signature-field-name First base.pdf one.pdf
quiet pdfsig -nssdir "sql:$work/nss" -add-signature -nick signer -new-signature-field-name Second one.pdf two.pdf
cp one.pdf "$out/objstm-signed.pdf"
cp two.pdf "$out/objstm-two-signatures.pdf"
