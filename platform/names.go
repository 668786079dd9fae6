package platform

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NormName is a name as protocol.md compares names (受益人, 被保证人, 保证人,
// a signer): NFKC (full-width and half-width brackets, digits and letters
// are the same), all white space removed. Nothing else is forgiven.
func NormName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, norm.NFKC.String(s))
}
