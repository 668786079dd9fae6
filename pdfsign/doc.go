// Package pdfsign knows what a guarantee PDF is before it is pushed (manual
// 2.5) or vouched for (验真, manual 2.6): whether pdfcpu reads and validates
// it, its pages, version, encryption and SHA-256, and for every signature
// who signed it, who issued the certificate, when it was signed, and whether
// the signed document is intact.
//
// # Integrity is proved, never assumed
//
// A signature is Intact only when all of these were established here:
//   - its /ByteRange starts at byte 0, lies inside the file, and the gap it
//     leaves is exactly one hex string that is this signature's /Contents;
//   - the CMS SignedData, read from the exact bytes (BER or DER, cmsparse.go),
//     verifies: the digest of the signed ranges (or of a document
//     timestamp's TSTInfo) is the messageDigest, and the signature over the
//     signed attributes as found in the file (which must be DER: a sorted
//     SET OF) verifies with the key of the certificate the SignerInfo names
//     (issuer and serial, or subject key id; from the CMS or the DSS).
//     Without signed attributes the signature is over the content digest.
//     Every SignerInfo must verify. Supported: SHA-224/256/384/512, SHA3,
//     SHAKE256, SM3; RSA PKCS#1 v1.5 and PSS (also keys Go refuses: 512-1023
//     bits, exponents above 2^31-1), ECDSA on P-256/384/521 and brainpool
//     (DER or plain r||s), Ed25519, Ed448, SM2 (GM/T 0010 OIDs,
//     github.com/emmansun/gmsm). SHA-1 only is refused as weak; unknown
//     formats (fxit.sm.detached, ...) are reported as unverifiable;
//   - the byte range ends at the end of its revision (its %%EOF and at
//     most one end of line); a detached SubFilter carries no content in
//     the CMS other than exactly the byte ranges (never an empty one); a
//     signature algorithm that names a hash (RSA or ECDSA with SHA-2 or
//     SHA3, RSA-PSS parameters, SM2-with-SM3) is used with that digest
//     algorithm; Ed448 only with SHAKE256, Ed25519 only with SHA-512
//     (RFC 8419). A signature timestamp whose imprint is not the hash of
//     this signature's value is reported (Notes) and never the signing
//     time;
//   - it covers the file to its end, or what follows it is explained,
//     difference by difference, by the allowance list of allow.go. The
//     signed revision is compared with the whole file by object number
//     and by cross-reference entry (new, changed, freed, a new
//     generation, redefined in a later section or object stream); every
//     difference must be claimed by one named allowance (pyHanko's
//     diff_analysis whitelist rules are the model): a new signature
//     widget whose value is a signature verified here, an empty
//     signature field signed later, DSS/VRI, document timestamps, the
//     catalog's XMP /Metadata, /Extensions and /Version, the document
//     information, objects no reader reaches. Anything unclaimed is a
//     modification; fields filled and annotations added are claimed as
//     form filling and refused with their own reason (ReasonFormFilled);
//   - every signature widget shown after signing is judged by where it
//     is, not by what it paints (overlay.go): if a reader shows or prints
//     it, it may not overlap anything the signed page paints (text by the
//     fonts' widths, paths, images, shadings, earlier visible
//     annotations), unless its signer has the key of the signature
//     judged (the rectangle as readers resolve it, the whole page when
//     it cannot be read; a NoZoom widget reaches right and down without
//     bound; NoView with ToggleNoView shows); where the painted area
//     cannot be worked out (budget,
//     nesting, an undecodable stream, an XObject of unknown type), any
//     visible later widget on the page refuses the file;
//   - what follows the signed revision reads the same for every reader
//     (strict.go): no row listed twice in a cross-reference section, no
//     hybrid table and /XRefStm stream that disagree, no cross-reference
//     stream row of a reserved type, no appended object that no section
//     lists (readers that rebuild the cross-reference take it), no
//     object-stream header that numbers another object, no /Length that does not end at
//     endstream, no dictionary with a key twice, no appended object the
//     strict parser refuses (names' #xx escapes decoded), and never
//     pdfcpu's repairing read;
//   - the locks of the signature hold: DocMDP P=1 allows after it only
//     DSS, invisible document timestamps and what no reader shows (XMP,
//     /Extensions, /Info); FieldMDP locks
//     fields by their fully qualified names (and their descendants). A
//     lock not written as PDF writes it is read the strictest way (a /P
//     other than 1, 2 or 3 is 1; an unknown /Action locks every field).
//
// Trust (Signature.Trust: the chain, built and checked here for RSA, ECDSA,
// brainpool and SM2, reaches a root of the trusted folder at the signing
// time) is a separate verdict. Certificate details Go's x509 refuses (a
// negative serial, a critical Authority Info Access) do not stop the check;
// they are CertificateProblems under trust.
//
// # Verdicts
//
//   - Report.Intact: a valid PDF (relaxed), check complete, every signature
//     intact, no signature data detached from its field, nothing but white
//     space after the last %%EOF when the last signature does not cover the
//     file. An unsigned valid PDF is intact: nothing signed was broken.
//     `baohan verify` exits 0 exactly when Intact is true; Report.Signed
//     tells the two cases apart.
//   - Report.PushVerdict: the gate before a push; it refuses what is not
//     Intact, naming the decisive problem first, and lets an unsigned PDF
//     through with a warning. Remarks that do not change the verdict are
//     Signature.Notes.
//   - Report.VerifyAnswer: the 2.6 answer. is_modified is 2 only for a signed
//     and Intact file.
//
// # Bounded
//
// The file is parsed once by pdfcpu (relaxed mode; the strict mode is not
// run), with decoded-size limits; each signed revision is parsed once more
// for the difference analysis. CheckFileIsolated and CheckBytesIsolated run
// the check in a child process of the running executable (isolate.go),
// capped in address space and killed at the time limit: the 2.6 endpoint
// uses it, so `serve` never holds what a hostile file makes the parse
// allocate, and a timeout ends the work.
//
// # No side effects
//
// Checks write nothing to disk (CheckBytesIsolated's temporary file
// excepted): pdfcpu's config folder (~/.config/pdfcpu) is never used
// (api.DisableConfigDir plus an app-owned model.TrustedCertDir), and
// without Setup the default trust folder is only read, never created.
// There is no network access unless Options.Revocation is set.
//
// # Fixtures, fuzzing, benchmarks
//
// testdata/pdf holds PDFs made by tools other than ours: signed by poppler's
// pdfsig (make-fixtures.sh, make-objstm.sh with qpdf's object streams),
// updated after signing with pikepdf (make-incremental.py), signed by
// OpenSSL in RSA-PSS, ECDSA, SHA-512 with subject key id, without signed
// attributes, SHA-1 and SM2/SM3 (make-openssl-signed.py). gen_test.go makes
// the rest in Go. mutate_test.go writes incremental updates from a
// catalogue of forbidden and allowed edits (from the PDF specification,
// reading the bases with pdfcpu) to every intact file of testdata and of
// the corpus. Tests that read ../shared/pdfcorpus or ../shared/pdfattacks
// skip when they are absent.
//
//	go test -fuzz FuzzCheck -fuzztime 30s ./pdfsign/
//	go test -run '^$' -bench CorpusVsPdfsig -benchtime 1x -v ./pdfsign/
package pdfsign
