package listener

import (
	"context"
	"os"
	"testing"

	"baohan/platform/filetype"
	"baohan/platform/sandbox"
)

// TestClaimUnsafeAttachment: claim attachments are kept whatever they are
// (evidence), and the listener flags at intake, with the rule the desk's
// opener refuses with, every one that is not a listed type with matching
// content: a page named a.hta.pdf, an executable, a shortcut.
func TestClaimUnsafeAttachment(t *testing.T) {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	o, g := e.seedIssued("1813000611", "FZDB2026000611", "806097210890174611", sha(pdf))
	notice := sandbox.MinimalPDF("索赔通知书")
	page := []byte("<html><script>new ActiveXObject('WScript.Shell').Run('calc')</script></html>")
	cb := claimCallback(claimMsg("LP2026000611", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber), pdf,
		sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: notice},
		sandbox.File{Field: "attach_file1", Name: "a.hta.pdf", Data: page},
		sandbox.File{Field: "attach_file2", Name: "invoice.exe", Data: []byte("MZ\x90\x00 this program")},
		sandbox.File{Field: "attach_file3", Name: "证明.lnk", Data: []byte("L\x00\x00\x00\x01\x14\x02\x00")},
		sandbox.File{Field: "attach_file4", Name: "照片.jpg", Data: sandbox.SmallJPEG(8, 8)},
	)
	e.send(cb).want(t, 200, 200)
	c, err := e.st.GetClaim(context.Background(), "LP2026000611")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"attach_file0": false, "attach_file1": true, "attach_file2": true, "attach_file3": true, "attach_file4": false}
	if len(c.Attachments) != len(want) {
		t.Fatalf("attachments %+v", c.Attachments)
	}
	for _, a := range c.Attachments {
		unsafe, ok := want[a.Field]
		if !ok || a.Unsafe != unsafe {
			t.Errorf("%s (%s): unsafe %v, want %v", a.Field, a.Name, a.Unsafe, unsafe)
		}
		// Stored, byte for byte, and the opener's rule on the stored
		// name and bytes agrees with the flag: a flagged file is never
		// opened.
		b, err := os.ReadFile(e.st.FilePath(a.SHA256))
		if err != nil || sha(b) != a.SHA256 {
			t.Errorf("%s not stored: %v", a.Field, err)
			continue
		}
		if _, safe := filetype.Safe(a.Name, b); safe == a.Unsafe {
			t.Errorf("%s (%s): opener rule says safe=%v, flag unsafe=%v", a.Field, a.Name, safe, a.Unsafe)
		}
	}
}
