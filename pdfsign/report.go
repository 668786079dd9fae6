package pdfsign

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is everything Check found out about one file. JSON keys are
// snake_case English; Problems and the Signature problems are simplified
// Chinese sentences for the clerk.
type Report struct {
	// File is the path CheckFile was given; empty for Check.
	File   string `json:"file,omitempty"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`

	// IsPDF is true when the file starts like a PDF (a %PDF- header near its
	// beginning); a file that is not one at all gets no further structure check.
	IsPDF bool `json:"is_pdf"`
	// ValidRelaxed is pdfcpu's validation in its relaxed mode, as PDF
	// readers read (false also for a file that does not end with %%EOF,
	// i.e. one that was cut short). The push gate and Intact use it.
	// pdfcpu's strict mode is not run: its nits do not change the verdict.
	ValidRelaxed     bool             `json:"valid_relaxed"`
	ValidationErrors ValidationErrors `json:"validation_errors"`

	Pages     int    `json:"pages"`
	Version   string `json:"version"`
	Encrypted bool   `json:"encrypted"`

	Signatures []Signature `json:"signatures"`
	// Problems are the file-level problems; each signature has its own too.
	Problems []string `json:"problems"`

	// Complete is false when the check did not finish (time limit or
	// cancellation); such a report never says intact.
	Complete bool `json:"complete"`
	// CheckedAt is when the check ran (UTC).
	CheckedAt time.Time `json:"checked_at"`

	// StraySignatureData: the file holds signature data that no signature
	// field refers to (a signature may have been stripped).
	StraySignatureData bool `json:"stray_signature_data"`
	// CheckError is set when the check itself failed (an internal error).
	CheckError string `json:"check_error,omitempty"`
}

// ValidationErrors holds pdfcpu's messages when a validation failed.
type ValidationErrors struct {
	Relaxed string `json:"relaxed,omitempty"`
}

// Signing time sources, in the order of preference.
const (
	TimeFromTimestampToken  = "timestamp_token"   // an RFC 3161 token over the signature (a third party's clock)
	TimeFromSignedAttribute = "signed_attributes" // the CMS signingTime attribute (the signer's clock)
	TimeFromMEntry          = "M_entry"           // the signature dictionary's /M (the signer's clock; inside the signed bytes)
)

// Trust verdicts, separate from integrity.
const (
	TrustTrusted   = "trusted"   // the chain reaches a root in the trusted certificate folder
	TrustUntrusted = "untrusted" // it does not, or a certificate is revoked
	TrustUnknown   = "unknown"   // no trusted roots are configured, or the chain could not be judged
)

// Signature is one signature field and what its check established.
type Signature struct {
	Field     string `json:"field"`
	Filter    string `json:"filter,omitempty"`
	SubFilter string `json:"sub_filter"`
	// Kind is "signature" or "document_timestamp" (ETSI.RFC3161).
	Kind string `json:"kind"`

	SignerCN  string `json:"signer_cn"`
	SignerOrg string `json:"signer_org"`
	IssuerCN  string `json:"issuer_cn"`
	IssuerOrg string `json:"issuer_org"`
	// Name is the signature dictionary's /Name (not signed, informative).
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason,omitempty"`

	SigningTime       time.Time `json:"signing_time"`
	SigningTimeSource string    `json:"signing_time_source"`

	DigestAlgorithm string `json:"digest_algorithm,omitempty"`
	// ByteRange is the signed byte range [start1 len1 start2 len2].
	ByteRange []int64 `json:"byte_range"`
	// CoversWholeFile: the signed ranges run from the first to the last byte
	// of the file, leaving out only the signature value itself.
	CoversWholeFile bool `json:"covers_whole_file"`
	// AppendedAfterSigning: bytes follow the signed revision.
	AppendedAfterSigning bool `json:"appended_after_signing"`
	// LaterUpdatesOnlySignatures: what was appended after this signature
	// only adds further signatures (checked object by object); meaningful
	// when AppendedAfterSigning is true.
	LaterUpdatesOnlySignatures bool `json:"later_updates_only_signatures"`

	// DigestOK: the digest of the signed byte ranges equals the digest the
	// signature carries (CMS messageDigest, or the timestamp's imprint).
	DigestOK bool `json:"digest_ok"`
	// SignatureOK: the CMS signature verifies with the signer's public key.
	SignatureOK bool `json:"signature_ok"`
	// Supported: the format and algorithms are ones this program can verify.
	// An unsupported signature (SM2/SM3, SHA-1, unknown SubFilter) is never intact.
	Supported bool `json:"supported"`
	// Intact: integrity was proved for this signature: supported, digest
	// and signature verify, and nothing but further signatures follows it.
	Intact bool `json:"intact"`

	// Chain lists the certificates from the signer upwards, as far as known.
	Chain []string `json:"chain"`
	// Trust is the certificate verdict, separate from integrity.
	Trust       string `json:"trust"`
	TrustReason string `json:"trust_reason,omitempty"`

	// PdfcpuVerdict is pdfcpu's own status and reason for this signature,
	// for information (integrity above is established independently).
	PdfcpuVerdict string `json:"pdfcpu_verdict,omitempty"`

	// Problems are what keeps this signature from being intact, the
	// decisive one first; Notes are remarks that do not change the verdict
	// (an invalid signature timestamp, a certificate oddity).
	Problems []string `json:"problems"`
	Notes    []string `json:"notes,omitempty"`

	// ByteRangeOK: the byte range is well formed and the gap it leaves is
	// exactly this signature's value (a hex string).
	ByteRangeOK bool `json:"byte_range_ok"`

	// FormFilledAfterSigning: fields were filled or annotations added
	// after this signature (PDF allows it; a guarantee does not).
	FormFilledAfterSigning bool `json:"form_filled_after_signing,omitempty"`
	// CertificateProblems are details of the certificates that do not bear
	// on integrity (a negative serial, a critical AIA extension, an
	// unusual curve); they are reported under trust.
	CertificateProblems []string `json:"certificate_problems,omitempty"`

	mdpP         int      // DocMDP or FieldMDP lock level (1: no changes) of this signature, 0 if none
	mdpWhat      string   // which lock gave mdpP
	lockedFields []string // fields locked by FieldMDP; "*" for all
	// lockExcluding: FieldMDP locks with /Action /Exclude, each the
	// fields it leaves unlocked (every other field is locked).
	lockExcluding [][]string
	signerKey     string // the verified signer's SubjectPublicKeyInfo
	// claims counts, by allowance (allow.go), the differences after this
	// signature that allowance claimed.
	claims map[string]int
}

// signedEnd is where the signed revision ends (start2 + len2), 0 if unknown.
func (s *Signature) signedEnd() int64 {
	if !s.ByteRangeOK || len(s.ByteRange) != 4 {
		return 0
	}
	return s.ByteRange[2] + s.ByteRange[3]
}

// Signed reports whether the file carries at least one signature.
func (r *Report) Signed() bool { return len(r.Signatures) > 0 }

// Intact reports whether the file is a valid PDF whose signatures are all
// intact: pdfcpu validates it (relaxed), the check completed, every signature
// is proved intact, the last signature covers the file to its end, and no
// signature data was found detached from its field.
//
// An unsigned valid PDF is intact (nothing was signed, so nothing was broken):
// `baohan verify` exits 0 for it, and callers that need a signature ask
// Signed() as well. VerifyAnswer does not count an unsigned file as intact.
func (r *Report) Intact() bool {
	if r == nil || !r.Complete || r.CheckError != "" || !r.ValidRelaxed || r.StraySignatureData {
		return false
	}
	if len(r.Signatures) == 0 {
		return true
	}
	for i := range r.Signatures {
		if !r.Signatures[i].Intact {
			return false
		}
	}
	return true
}

// PushVerdict is the gate before a guarantee is pushed (manual 2.5): ok is
// false for a file that is not a valid PDF or whose signatures are broken,
// modified after signing or cannot be verified; reason then says why. An
// unsigned PDF passes with a warning the clerk must see.
func (r *Report) PushVerdict() (ok bool, warning string, reason string) {
	switch {
	case r == nil:
		return false, "", "没有检查结果"
	case !r.Complete:
		return false, "", "文件检查没有完成（超时或被中止），无法确认文件完好"
	case r.CheckError != "":
		return false, "", "文件检查出错：" + firstOr(r.Problems, "原因不明")
	case !r.IsPDF:
		return false, "", "这不是PDF文件"
	case r.Encrypted && !r.ValidRelaxed:
		return false, "", "PDF文件已加密，需要密码才能打开，平台无法读取"
	case !r.ValidRelaxed:
		return false, "", "PDF文件结构有误：" + firstOr(r.Problems, "pdfcpu 校验未通过")
	case r.StraySignatureData:
		return false, "", "文件中有不属于任何签名域的签名数据，签名可能被剥离"
	}
	for i := range r.Signatures {
		s := &r.Signatures[i]
		if !s.Intact {
			return false, "", "签名" + strconv.Itoa(i+1) + "（" + s.Field + "）：" + firstOr(s.Problems, "签名未能验证通过")
		}
	}
	if !r.Intact() {
		return false, "", "最后一个签名之后文件又被追加了内容"
	}
	var warns []string
	if !r.Signed() {
		warns = append(warns, "文件没有电子签名（签章），平台验真时无法证明未被修改")
	}
	if r.Encrypted {
		warns = append(warns, "PDF文件已加密（设有权限限制）")
	}
	for i := range r.Signatures {
		if r.Signatures[i].Trust == TrustUntrusted {
			warns = append(warns, "签名"+strconv.Itoa(i+1)+"的证书不在受信任的根证书之下："+r.Signatures[i].TrustReason)
		}
	}
	return true, strings.Join(warns, "；"), ""
}

// VerifyAnswer is the guarantor's answer to the platform's 验真 request
// (manual 2.6), without serial_num and timestamp, which the listener adds.
type VerifyAnswer struct {
	// SignName is the signer: the organisation (出函机构) in full, else its common name.
	SignName string `json:"sign_name"`
	// Issuer is the certificate issuer (颁发机构) in full, else its common name.
	Issuer string `json:"issuer"`
	// SignTime is "YYYY-MM-DD HH:MM:SS" in UTC+8, empty when unknown.
	SignTime string `json:"sign_time"`
	// IsModified is 1 (modified, or not proved intact) or 2 (intact).
	IsModified int `json:"is_modified"`
}

// 2.6 is_modified values.
const (
	Modified    = 1
	NotModified = 2
)

// chinaTime is UTC+8, the zone of every time the platform exchanges.
var chinaTime = time.FixedZone("UTC+8", 8*3600)

// TimeLayout is the manual's time format.
const TimeLayout = "2006-01-02 15:04:05"

// VerifyAnswer builds the 2.6 answer from the report. The signer, issuer and
// time are those of the first signature (the one made when the guarantee was
// issued). is_modified is 2 only when the file is signed and Intact; an
// unsigned file, a broken or unverifiable signature, or anything appended
// after signing gives 1, because integrity is not positively established.
// The listener must also set 1 when the SHA-256 differs from the guarantee
// it issued.
func (r *Report) VerifyAnswer() VerifyAnswer {
	a := VerifyAnswer{IsModified: Modified}
	if r == nil {
		return a
	}
	if s := r.firstSignature(); s != nil {
		a.SignName = firstNonEmpty(s.SignerOrg, s.SignerCN)
		a.Issuer = firstNonEmpty(s.IssuerOrg, s.IssuerCN)
		if !s.SigningTime.IsZero() {
			a.SignTime = s.SigningTime.In(chinaTime).Format(TimeLayout)
		}
	}
	if r.Signed() && r.Intact() {
		a.IsModified = NotModified
	}
	return a
}

// firstSignature returns the signature of the earliest revision that is not
// a document timestamp, else the earliest one.
func (r *Report) firstSignature() *Signature {
	var best *Signature
	for i := range r.Signatures {
		s := &r.Signatures[i]
		if s.Kind == KindDocTimestamp {
			continue
		}
		if best == nil || (s.signedEnd() > 0 && s.signedEnd() < best.signedEnd()) {
			best = s
		}
	}
	if best == nil && len(r.Signatures) > 0 {
		best = &r.Signatures[0]
	}
	return best
}

// Signature kinds.
const (
	KindSignature    = "signature"
	KindDocTimestamp = "document_timestamp"
)

func firstOr(ss []string, def string) string {
	if len(ss) > 0 {
		return ss[0]
	}
	return def
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// locks: the field named name is locked by this signature (FieldMDP).
// A lock names fully qualified fields; a field named locks (or, by an
// Exclude lock, leaves unlocked) its descendants.
func (s *Signature) locks(name string) bool {
	under := func(l string) bool { return l == "*" || l == name || strings.HasPrefix(name, l+".") }
	if slices.ContainsFunc(s.lockedFields, under) {
		return true
	}
	for _, except := range s.lockExcluding {
		if !slices.ContainsFunc(except, func(e string) bool { return e != "*" && under(e) }) {
			return true
		}
	}
	return false
}
