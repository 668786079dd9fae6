package pdfsign

// Verdicts of a whole file (`baohan verify --json`'s verdict).
const (
	VerdictIntact       = "intact"       // a valid PDF, signed, every signature proved intact
	VerdictModified     = "modified"     // a signature is broken, or the file was changed after signing
	VerdictUnsigned     = "unsigned"     // a valid PDF without a signature
	VerdictInvalid      = "invalid"      // not a PDF, or its structure is broken
	VerdictUnverifiable = "unverifiable" // the check could not judge it (unfinished, failed, an unsupported signature)
)

// Verdict is the file's verdict in one word. It fails closed: only a
// signed file that is Intact is VerdictIntact; what could not be judged is
// VerdictUnverifiable, never intact; a proven break wins over what could
// not be judged.
func (r *Report) Verdict() string {
	switch {
	case r == nil, !r.Complete, r.CheckError != "":
		return VerdictUnverifiable
	case !r.IsPDF, !r.ValidRelaxed:
		return VerdictInvalid
	case r.StraySignatureData:
		return VerdictModified
	}
	unsupported := false
	for i := range r.Signatures {
		s := &r.Signatures[i]
		if s.Intact {
			continue
		}
		if !s.Supported {
			unsupported = true
			continue
		}
		// Supported and not intact: a digest, a signature value, a byte
		// range or what follows it does not hold.
		return VerdictModified
	}
	switch {
	case unsupported:
		return VerdictUnverifiable
	case !r.Signed():
		return VerdictUnsigned
	case !r.Intact():
		return VerdictModified // appended after the last signature
	}
	return VerdictIntact
}
