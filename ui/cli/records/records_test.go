package records

import (
	"encoding/json"
	"strings"
	"testing"

	"baohan/store"
)

// TestClaimOfUnsafe: `list claims --json` carries "unsafe": true on a
// flagged attachment, and leaves it out on the others.
func TestClaimOfUnsafe(t *testing.T) {
	sha := strings.Repeat("a", 64)
	b, err := json.Marshal(ClaimOf(store.Claim{ClaimNo: "C1", Attachments: []store.ClaimAttachment{
		{Field: "attach_file0", Name: "a.pdf", Size: 1, SHA256: sha},
		{Field: "attach_file1", Name: "a.hta.pdf", Size: 1, SHA256: sha, Unsafe: true}}}))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Attachments []map[string]any `json:"attachments"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 2 {
		t.Fatalf("json %s", b)
	}
	if _, ok := got.Attachments[0]["unsafe"]; ok {
		t.Errorf("safe attachment carries unsafe: %s", b)
	}
	if got.Attachments[1]["unsafe"] != true {
		t.Errorf("unsafe attachment not flagged: %s", b)
	}
}
