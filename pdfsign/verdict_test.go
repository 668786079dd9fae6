package pdfsign

import "testing"

// Verdict fails closed: intact only for a complete check of a valid,
// signed PDF whose signatures all hold.
func TestVerdict(t *testing.T) {
	good := func() *Report {
		return &Report{IsPDF: true, ValidRelaxed: true, Complete: true,
			Signatures: []Signature{{Supported: true, Intact: true, DigestOK: true, SignatureOK: true}}}
	}
	cases := []struct {
		name string
		edit func(r *Report)
		want string
	}{
		{"intact", func(r *Report) {}, VerdictIntact},
		{"unsigned", func(r *Report) { r.Signatures = nil }, VerdictUnsigned},
		{"not a pdf", func(r *Report) { r.IsPDF = false }, VerdictInvalid},
		{"broken structure", func(r *Report) { r.ValidRelaxed = false }, VerdictInvalid},
		{"unfinished", func(r *Report) { r.Complete = false }, VerdictUnverifiable},
		{"check error", func(r *Report) { r.CheckError = "x" }, VerdictUnverifiable},
		{"stray signature data", func(r *Report) { r.StraySignatureData = true }, VerdictModified},
		{"digest mismatch", func(r *Report) { r.Signatures[0].Intact, r.Signatures[0].DigestOK = false, false }, VerdictModified},
		{"unsupported", func(r *Report) { r.Signatures[0].Intact, r.Signatures[0].Supported = false, false }, VerdictUnverifiable},
		{"unsupported and broken", func(r *Report) {
			r.Signatures[0].Intact, r.Signatures[0].Supported = false, false
			r.Signatures = append(r.Signatures, Signature{Supported: true})
		}, VerdictModified},
	}
	for _, c := range cases {
		r := good()
		c.edit(r)
		if got := r.Verdict(); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if got := (*Report)(nil).Verdict(); got != VerdictUnverifiable {
		t.Errorf("nil report: %s", got)
	}
}
