package listener

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// TestRepeatedUploadNotSpooled (issue 24, item 7): a captured 3.1 param
// replayed with its files is recognised from param before the files are
// read: 30 replays spool no byte and are answered as the first time. A
// replay whose files differ from the first delivery's is held, with the
// differing file's bytes; 30 replays with new files each spool at most
// RepeatSpoolPerKey together, the rest kept as name, size and SHA-256.
// On the base commit every replay spooled all its files and was answered
// 200 as a repeat, differing files discarded.
func TestRepeatedUploadNotSpooled(t *testing.T) {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	o, g := e.seedIssued("1813000621", "FZDB2026000621", "806097210890174621", sha(pdf))
	random := func(n int) []byte {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	notice := append([]byte("%PDF-1.7\n"), random(2<<20)...)
	photos := append([]byte("PK\x03\x04"), random(2<<20)...)
	msg := claimMsg("LP2026000621", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber)
	cb := claimCallback(msg, pdf,
		sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: notice},
		sandbox.File{Field: "attach_file1", Name: "现场照片.zip", Data: photos})
	first := e.send(cb)
	first.want(t, 200, platform.StatusOK)
	base := e.srv.spooled.Load()
	if base < int64(len(notice)+len(photos)) {
		t.Fatalf("first delivery spooled %d bytes", base)
	}

	for i := 0; i < 30; i++ {
		r := e.send(cb)
		if !bytes.Equal(r.Raw, first.Raw) {
			t.Fatalf("replay %d answered %s, first %s", i, r.Raw, first.Raw)
		}
	}
	if n := e.srv.spooled.Load() - base; n != 0 {
		t.Errorf("30 replays with the same files spooled %d bytes", n)
	}
	t.Logf("30 replays of %d MB each: %d bytes spooled", (len(pdf)+len(notice)+len(photos))>>20, e.srv.spooled.Load()-base)
	snap := e.snapshot()
	if snap.count("claims") != 1 || snap.count("claim_attachments") != 2 || snap.count("held") != 0 || len(snap.spool) != 0 {
		t.Fatalf("after same-file replays: %v spool %v", snap.tables, snap.spool)
	}

	// The same param with one file changed in its last byte: held, with
	// that file's bytes (spooled from the difference on).
	changed := bytes.Clone(photos)
	changed[len(changed)-1] ^= 0xff
	diff := claimCallback(msg, pdf,
		sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: notice},
		sandbox.File{Field: "attach_file1", Name: "现场照片.zip", Data: changed})
	e.send(diff).want(t, 200, platform.StatusFailed)
	held, err := e.st.ListHeld(context.Background(), store.HeldQuery{Filter: "LP2026000621"})
	if err != nil || len(held) != 1 {
		t.Fatalf("held %+v %v", held, err)
	}
	h := held[0]
	if h.Method != platform.CallbackApplyClaim || !strings.Contains(h.Reason, "文件与首次推送的不同") {
		t.Errorf("held %s: %s", h.Method, h.Reason)
	}
	var kept bool
	for _, f := range h.Files {
		if f.Field == "attach_file1" {
			kept = f.SHA256 == sha(changed) && f.Size == int64(len(changed)) && !f.Omitted && e.st.HasFile(f.SHA256)
		}
	}
	if !kept || len(h.Files) != 3 {
		t.Errorf("held files %+v: the changed file is not kept", h.Files)
	}
	c, err := e.st.GetClaim(context.Background(), "LP2026000621")
	if err != nil || len(c.Attachments) != 2 || c.Attachments[1].SHA256 != sha(photos) {
		t.Errorf("claim changed by the held repeat: %+v %v", c.Attachments, err)
	}

	// A replay without one of the first delivery's files, or with one
	// cut short, differs too.
	e.send(claimCallback(msg, pdf, sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: notice})).
		want(t, 200, platform.StatusFailed)
	e.send(claimCallback(msg, pdf, sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: notice},
		sandbox.File{Field: "attach_file1", Name: "现场照片.zip", Data: photos[:len(photos)-1]})).
		want(t, 200, platform.StatusFailed)
	if held, err = e.st.ListHeld(context.Background(), store.HeldQuery{Filter: "LP2026000621"}); err != nil || len(held) != 3 {
		t.Fatalf("held after missing and short files: %d %v", len(held), err)
	}

	// 30 replays with new files of 4 MB each: bounded spool, all held.
	before := e.srv.spooled.Load()
	for i := 0; i < 30; i++ {
		cb := claimCallback(msg, pdf,
			sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: append([]byte("%PDF-1.7\n"), random(2<<20)...)},
			sandbox.File{Field: "attach_file1", Name: "现场照片.zip", Data: append([]byte("PK\x03\x04"), random(2<<20)...)})
		e.send(cb).want(t, 200, platform.StatusFailed)
	}
	spooled := e.srv.spooled.Load() - before
	if spooled > RepeatSpoolPerKey {
		t.Errorf("30 replays with new files spooled %d bytes, bound %d", spooled, RepeatSpoolPerKey)
	}
	t.Logf("30 replays with 4 MB of new files each: %d bytes spooled (bound %d)", spooled, RepeatSpoolPerKey)
	held, err = e.st.ListHeld(context.Background(), store.HeldQuery{Filter: "LP2026000621"})
	if err != nil || len(held) != 33 {
		t.Fatalf("held %d %v", len(held), err)
	}
	omitted := 0
	for _, h := range held {
		for _, f := range h.Files {
			if f.Omitted {
				omitted++
			} else if !e.st.HasFile(f.SHA256) {
				t.Errorf("held file %s (%s) kept neither as bytes nor omitted", f.Field, f.SHA256)
			}
		}
	}
	if omitted == 0 {
		t.Error("no differing file was kept as name, size and SHA-256 only")
	}
	if snap := e.snapshot(); len(snap.spool) != 0 || e.srv.repeats.used != 0 {
		t.Errorf("spool left %v, repeat budget in use %d", snap.spool, e.srv.repeats.used)
	}
}
