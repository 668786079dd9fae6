#!/bin/sh
# Test certificates of the firm for `baohan guarantee issue`, made by
# OpenSSL 3 (not by baohan): an RSA and an SM2 CA, each with a leaf for
# 福州某某融资担保有限公司, exported as PKCS#12 with the password
# "baohan-test" (AES-256/PBKDF2, SHA-256 MAC: OpenSSL 3's defaults).
# Valid 100 years. FOR TESTS ONLY: the keys are public.
#
#   cd testdata/letter && sh make_certs.sh
set -eu
firm="/CN=福州某某融资担保有限公司/O=福州某某融资担保有限公司/C=CN"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/ext.cnf" <<'CNF'
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
[leaf]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
CNF
# RSA
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -subj "/CN=baohan test RSA CA/O=baohan tests" \
  -days 36500 -sha256 -extensions ca -config "$tmp/ext.cnf" -out ca-rsa.pem
openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/leaf.key" -utf8 -subj "$firm" -out "$tmp/leaf.csr"
openssl x509 -req -in "$tmp/leaf.csr" -CA ca-rsa.pem -CAkey "$tmp/ca.key" -set_serial 1001 -days 36500 -sha256 \
  -extfile "$tmp/ext.cnf" -extensions leaf -out "$tmp/leaf.pem"
openssl pkcs12 -export -inkey "$tmp/leaf.key" -in "$tmp/leaf.pem" -certfile ca-rsa.pem -passout pass:baohan-test -out firm-rsa.p12
# SM2, with GM/T 0009's default ID
id="distid:1234567812345678"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 -out "$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -sm3 -sigopt "$id" -subj "/CN=baohan test SM2 CA/O=baohan tests" \
  -days 36500 -extensions ca -config "$tmp/ext.cnf" -out ca-sm2.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 -out "$tmp/leaf.key"
openssl req -new -key "$tmp/leaf.key" -sm3 -sigopt "$id" -utf8 -subj "$firm" -out "$tmp/leaf.csr"
openssl x509 -req -in "$tmp/leaf.csr" -CA ca-sm2.pem -CAkey "$tmp/ca.key" -set_serial 2001 -days 36500 -sm3 \
  -sigopt "$id" -vfyopt "$id" -extfile "$tmp/ext.cnf" -extensions leaf -out "$tmp/leaf.pem"
openssl pkcs12 -export -inkey "$tmp/leaf.key" -in "$tmp/leaf.pem" -certfile ca-sm2.pem -passout pass:baohan-test -out firm-sm2.p12
