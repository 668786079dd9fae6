package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"baohan/store"
	"baohan/ui/components/detail"
)

// TestOpenUnsafeAttachment: o on a stored attachment of a type the manual
// does not list, or whose bytes are not its extension's, opens nothing:
// the clerk reads "不安全的文件类型，未打开" with the name and SHA-256, and
// no copy is left where a click would run it. (Refused before any viewer
// is asked, so no viewer runs in this test.)
func TestOpenUnsafeAttachment(t *testing.T) {
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := newModel(Options{Store: db, Now: clockNow})
	for _, c := range []struct{ name, body string }{
		{"理赔材料.hta", "<script>new ActiveXObject('WScript.Shell').Run('calc')</script>"},
		{"invoice.exe", "MZ\x90\x00\x03"},
		{"保函.pdf", "MZ\x90\x00 an executable named .pdf"},
	} {
		ref, err := db.PutFile(strings.NewReader(c.body), 0)
		if err != nil {
			t.Fatal(err)
		}
		cmd := m.Open(detail.File{Name: c.name, SHA: ref.SHA256, Stored: true})
		if cmd == nil {
			t.Fatalf("%s: no command", c.name)
		}
		msg, ok := cmd().(fileMsg)
		if !ok || msg.err == nil {
			t.Fatalf("%s: %#v", c.name, msg)
		}
		e := msg.err.Error()
		if !strings.HasPrefix(e, "不安全的文件类型，未打开：") || !strings.Contains(e, c.name) || !strings.Contains(e, ref.SHA256) {
			t.Errorf("%s: %s", c.name, e)
		}
		copies, _ := filepath.Glob(filepath.Join(os.TempDir(), "baohan-open-*", ref.SHA256[:8]+"-*"))
		if len(copies) != 0 {
			t.Errorf("%s: viewer copy left: %q", c.name, copies)
		}
	}
}
