package pdfsign

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestContentScanDeepArrays: the content scan of an appearance or a page
// (inkScan.run) lexes nested arrays to a fixed depth and skips deeper
// ones whole, so a content stream of "[" alone cannot exhaust the stack
// (a fatal error, not a panic the check could recover from). Here the
// stack is capped at 16 MiB: 4 million frames of the recursive lexer
// need far more.
func TestContentScanDeepArrays(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	const n = 4 << 20
	deep := strings.Repeat("[", n) + "(]) % ]\n" + strings.Repeat("]", n)
	cases := []struct {
		name, content string
		texts         int
		boxes         bool
	}{
		// The text after the skipped array is still read.
		{"deep then text", deep + " TJ BT /F1 12 Tf 10 10 Td (AB) Tj ET", 2, true},
		{"unclosed", strings.Repeat("[", n), 0, false},
		// Within the depth an array is lexed as before.
		{"shallow", "BT /F1 12 Tf [(AB) 3 [(C)]] TJ ET", 1, true},
	}
	for _, c := range cases {
		s := &inkScan{}
		s.run([]byte(c.content), identity, nil, 0)
		if s.texts != c.texts || (len(s.boxes) > 0) != c.boxes {
			t.Errorf("%s: %d texts, %d boxes; want %d texts, boxes %v", c.name, s.texts, len(s.boxes), c.texts, c.boxes)
		}
	}
}
