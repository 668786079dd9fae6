// Package pdfsign knows what a guarantee PDF is before it is pushed (manual
// 2.5) or vouched for (验真, manual 2.6): whether pdfcpu validates it, its
// pages, version, encryption and SHA-256, and for every signature who signed
// it, who issued the certificate, when it was signed, and whether the signed
// bytes are intact.
//
// # Integrity is proved, never assumed
//
// A signature is Intact only when all of these were established here:
//   - its /ByteRange starts at byte 0, lies inside the file, and the gap it
//     leaves is exactly one hex string that is this signature's /Contents;
//   - the format and algorithms are supported (adbe.pkcs7.detached,
//     ETSI.CAdES.detached, ETSI.RFC3161; SHA-224/256/384/512; RSA PKCS#1 v1.5,
//     RSA-PSS, ECDSA). SM2/SM3 and SHA-1 are reported as unsupported, never
//     as intact;
//   - the digest of the signed ranges equals the CMS messageDigest (or the
//     document timestamp's imprint), and the CMS signature over the signed
//     attributes verifies with the signer certificate's key (computed here,
//     then confirmed by github.com/smallstep/pkcs7's Verify);
//   - it covers the file to its end, or everything appended after it only
//     adds signatures: the signed revision is parsed on its own and compared
//     with the whole file object by object (see laterUpdatesOnlySignatures);
//   - pdfcpu's own signature validation does not say the document was
//     modified or the signature forged.
//
// pdfcpu (v0.15.0) parses and validates the structure (relaxed and strict,
// both reported) and gives its own signature verdict as a second opinion
// (Signature.PdfcpuVerdict). Its "document not modified" needs the chain and
// revocation resolved, so integrity is established here and trust is a
// separate verdict (Signature.Trust: the chain reaches a root in the trusted
// folder, see Setup).
//
// # Verdicts
//
//   - Report.Intact: a valid PDF (relaxed), check complete, every signature
//     intact, the last signature covering the file to its end, no signature
//     data detached from its field. An unsigned valid PDF is intact: nothing
//     signed was broken. `baohan verify` exits 0 exactly when Intact is true;
//     Report.Signed tells the two cases apart.
//   - Report.PushVerdict: the gate before a push; it refuses what is not
//     Intact and lets an unsigned PDF through with a warning.
//   - Report.VerifyAnswer: the 2.6 answer. is_modified is 2 only for a signed
//     and Intact file; unsigned, broken, unverifiable or appended-to files
//     give 1 (integrity not positively established). The listener also sets 1
//     when the file's SHA-256 is not the one of the guarantee it issued.
//
// # No side effects
//
// Checks write nothing to disk: pdfcpu's config folder (~/.config/pdfcpu) is
// never used (api.DisableConfigDir plus an app-owned model.TrustedCertDir),
// and without Setup the default trust folder is only read, never created.
// There is no network access unless Options.Revocation is set. Every check
// uses a fresh pdfcpu configuration and is safe for concurrent use; it is
// bounded by Options.Timeout and then returns a report marked incomplete.
//
// # Fixtures, fuzzing, benchmarks
//
// testdata/pdf holds PDFs signed by poppler's pdfsig (made by
// testdata/pdf/make-fixtures.sh); gen_test.go makes the rest in Go, including
// the 10 MB PDF at test time. FuzzCheck has its seed corpus in
// testdata/fuzz/FuzzCheck:
//
//	go test -fuzz FuzzCheck -fuzztime 30s ./pdfsign/
//	go test -run '^$' -bench . -benchtime 10x ./pdfsign/
package pdfsign
