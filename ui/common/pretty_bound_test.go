package common

import (
	"runtime"
	"strings"
	"testing"
)

// TestPrettyJSONBounded (issue 24, item 5): an authentic plaintext nested
// 9,990 deep renders in bounded memory and size, and a secret at depth 50
// is still masked; a wide one is cut with a note.
func TestPrettyJSONBounded(t *testing.T) {
	const depth = 9990
	deep := strings.Repeat(`{"a":`, depth) + `1` + strings.Repeat(`}`, depth)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	out := PrettyJSON(deep)
	runtime.ReadMemStats(&m1)
	alloc := m1.TotalAlloc - m0.TotalAlloc
	t.Logf("depth %d: %d bytes rendered, %d MB allocated", depth, len(out), alloc>>20)
	if alloc > 64<<20 {
		t.Errorf("rendering allocated %d MB", alloc>>20)
	}
	if len(out) > MaxPrettyBytes+200 {
		t.Errorf("rendered %d bytes", len(out))
	}
	secret := strings.Repeat(`{"a":`, 50) + `{"api_secret":"s3cr3tvalue"}` + strings.Repeat(`}`, 50)
	if got := PrettyJSON(secret); strings.Contains(got, "s3cr3tvalue") || !strings.Contains(got, Masked) {
		t.Errorf("secret at depth 50 not masked")
	}
	wide := `[` + strings.Repeat(`"保函保函保函保函",`, 100000) + `1]`
	got := PrettyJSON(wide)
	if len(got) > MaxPrettyBytes+200 || !strings.Contains(got, "内容过长") {
		t.Errorf("wide JSON: %d bytes, note %v", len(got), strings.Contains(got, "内容过长"))
	}
	if got := PrettyJSON(`{"a":[1,2]}`); got != "{\n  \"a\": [\n    1,\n    2\n  ]\n}" {
		t.Errorf("small JSON: %q", got)
	}
}
