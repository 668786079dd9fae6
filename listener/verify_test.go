package listener

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"baohan/pdfsign"
	"baohan/platform"
	"baohan/platform/sandbox"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func sandboxMinimalPDF() []byte {
	return sandbox.MinimalPDF("投标保函（无签章）", "Unsigned guarantee")
}

func TestVerify(t *testing.T) {
	e := newEnv(t)
	signed := readTestPDF(t, "signed.pdf")
	tampered := readTestPDF(t, "tampered.pdf")
	e.seedIssued("1813000201", "FZDB2026000201", "806097210890174201", sha(signed))
	// A guarantee whose issued file is the tampered one's bytes: same hash,
	// signature broken.
	e.seedIssued("1813000202", "FZDB2026000202", "806097210890174202", sha(tampered))

	decode := func(raw []byte) platform.VerifyAnswer {
		t.Helper()
		var a struct {
			Status int                   `json:"status"`
			Data   platform.VerifyAnswer `json:"data"`
		}
		if err := json.Unmarshal(raw, &a); err != nil || a.Status != 200 {
			t.Fatalf("answer %s", raw)
		}
		return a.Data
	}

	// The file we issued, intact: 2 (not modified), with its signer.
	status, raw := e.sendOnce(verifyCallback("806097210890174201", signed))
	if status != 200 {
		t.Fatalf("answer %s", raw)
	}
	a := decode(raw)
	if a.IsModified != pdfsign.NotModified || a.SerialNum != "806097210890174201" || a.SignName == "" || a.Issuer == "" || a.SignTime == "" {
		t.Errorf("intact file: %+v", a)
	}
	// timestamp is the signing time as Unix seconds, as in the manual's
	// example (issue 9, item 5), not the time of the answer.
	st, err := time.ParseInLocation(platform.DateTimeLayout, a.SignTime, platform.CST)
	if err != nil || a.Timestamp != st.Unix() {
		t.Errorf("timestamp %d, sign_time %s (%v)", a.Timestamp, a.SignTime, err)
	}

	// Another file under that serial (here: the tampered one): 1.
	if a := decode(e.send(verifyCallback("806097210890174201", tampered)).Raw); a.IsModified != pdfsign.Modified {
		t.Errorf("other file: %+v", a)
	}
	// Same bytes as issued, but the signature does not verify: 1.
	if a := decode(e.send(verifyCallback("806097210890174202", tampered)).Raw); a.IsModified != pdfsign.Modified {
		t.Errorf("broken signature: %+v", a)
	}

	// Queries leave an event each, no record and no file.
	snap := e.snapshot()
	if snap.count("inbound") != 0 || len(snap.files) != 0 || len(snap.spool) != 0 || snap.count("events") != 3 {
		t.Errorf("after verify: %v files %v spool %v", snap.tables, snap.files, snap.spool)
	}
	ev := e.events()
	if ev[0].Method != MethodVerify || ev[0].Ref != "FZDB2026000201" || !strings.Contains(ev[0].Summary, "未被修改") ||
		!strings.Contains(ev[1].Summary, "已被修改") {
		t.Errorf("events %+v", ev)
	}
}

// TestVerifyUnsigned (issue 9, item 5): an unsigned file pushed with
// --force, byte for byte the one issued, is not called modified.
func TestVerifyUnsigned(t *testing.T) {
	e := newEnv(t)
	decode := func(raw []byte) platform.VerifyAnswer {
		t.Helper()
		var a struct {
			Status int                   `json:"status"`
			Data   platform.VerifyAnswer `json:"data"`
		}
		if err := json.Unmarshal(raw, &a); err != nil || a.Status != 200 {
			t.Fatalf("answer %s", raw)
		}
		return a.Data
	}
	// An unsigned file pushed with --force, byte for byte the one issued:
	// not modified (2), timestamp the issue time.
	unsigned := sandboxMinimalPDF()
	if bytes.Contains(unsigned, []byte("/ByteRange")) {
		t.Fatal("the unsigned fixture has a signature")
	}
	e.seedIssued("1813000203", "FZDB2026000203", "806097210890174203", sha(unsigned))
	if a := decode(e.send(verifyCallback("806097210890174203", unsigned)).Raw); a.IsModified != pdfsign.NotModified || a.SignName != "" {
		t.Errorf("unsigned issued file: %+v", a)
	} else if out, _ := time.ParseInLocation(platform.DateTimeLayout, "2026-03-01 10:00:00", platform.CST); a.Timestamp != out.Unix() {
		t.Errorf("unsigned issued file: timestamp %d, want the issue time", a.Timestamp)
	}
}
