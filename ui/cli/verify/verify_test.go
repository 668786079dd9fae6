package verify

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"

	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil/cmdtest"
)

// verify --json prints one document with its verdict; a file that fails
// carries the "error" member too (exit 1), and every time is
// YYYY-MM-DD HH:MM:SS.
func TestVerifyJSON(t *testing.T) {
	cstLayout := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
	for _, c := range []struct {
		file, verdict string
		exit          int
	}{
		{"../../../testdata/pdf/signed.pdf", "intact", cli.ExitOK},
		{"../../../testdata/pdf/unsigned.pdf", "unsigned", cli.ExitOK},
		{"../../../testdata/pdf/tampered.pdf", "modified", cli.ExitNo},
		{"../../../testdata/pdf/not-a-pdf.pdf", "invalid", cli.ExitNo},
		{"../../../testdata/pdf/truncated.pdf", "invalid", cli.ExitNo},
	} {
		e := cmdtest.New(t)
		e.F.JSON = true
		err := cmdtest.Run(NewCmdVerify(e.F, nil), c.file)
		if got := cli.ExitCode(err); got != c.exit {
			t.Fatalf("%s: exit %d (%v), want %d", c.file, got, err, c.exit)
		}
		var doc struct {
			Verdict    string `json:"verdict"`
			SHA256     string `json:"sha256"`
			CheckedAt  string `json:"checked_at"`
			Signatures []struct {
				SigningTime string `json:"signing_time"`
			} `json:"signatures"`
			Error *struct {
				Exit    int    `json:"exit"`
				Message string `json:"message"`
			} `json:"error"`
		}
		dec := json.NewDecoder(bytes.NewReader(e.Out.Bytes()))
		if err := dec.Decode(&doc); err != nil || dec.More() {
			t.Fatalf("%s: not one JSON document: %v\n%s", c.file, err, e.Out.String())
		}
		if doc.Verdict != c.verdict || doc.SHA256 == "" || !cstLayout.MatchString(doc.CheckedAt) {
			t.Fatalf("%s: verdict %q sha %q checked_at %q, want %s", c.file, doc.Verdict, doc.SHA256, doc.CheckedAt, c.verdict)
		}
		for _, s := range doc.Signatures {
			if s.SigningTime != "" && !cstLayout.MatchString(s.SigningTime) {
				t.Fatalf("%s: signing_time %q", c.file, s.SigningTime)
			}
		}
		if (c.exit != cli.ExitOK) != (doc.Error != nil) || (doc.Error != nil && (doc.Error.Exit != c.exit || doc.Error.Message == "")) {
			t.Fatalf("%s: error member %+v for exit %d", c.file, doc.Error, c.exit)
		}
	}
}
