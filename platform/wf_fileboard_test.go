package platform

import (
	"path/filepath"
	"testing"

	"baohan/store"
)

// The board signals a reader at the start, at steps of 2%, at the end and
// at removal, not at every chunk; one board per store.
func TestFileBoard(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := Board(st)
	if Board(st) != b {
		t.Fatal("two boards for one store")
	}
	signalled := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	ch := b.Changed()
	b.Set(FileProgress{OrderNo: "o", FileID: "f"})
	if !signalled(ch) {
		t.Fatal("start not signalled")
	}
	ch = b.Changed()
	b.Set(FileProgress{OrderNo: "o", FileID: "f", Done: 10, Total: 1000})
	if signalled(ch) {
		t.Fatal("1% signalled")
	}
	b.Set(FileProgress{OrderNo: "o", FileID: "f", Done: 20, Total: 1000})
	if !signalled(ch) {
		t.Fatal("2% not signalled")
	}
	if got := b.Snapshot()["f"]; got.Done != 20 || got.Total != 1000 {
		t.Fatalf("snapshot %+v", got)
	}
	ch = b.Changed()
	b.Set(FileProgress{OrderNo: "o", FileID: "f", Done: 1000, Total: 1000})
	if !signalled(ch) {
		t.Fatal("end not signalled")
	}
	ch = b.Changed()
	b.Remove("f")
	if !signalled(ch) || len(b.Snapshot()) != 0 {
		t.Fatal("removal")
	}
	ch = b.Changed()
	b.Remove("f")
	if signalled(ch) {
		t.Fatal("removing nothing signalled")
	}
}
