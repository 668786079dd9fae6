package listener

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"baohan/platform/sandbox"
	"baohan/store"
)

func TestClaim(t *testing.T) {
	e := newEnv(t)
	pdf := readTestPDF(t, "signed.pdf")
	o, g := e.seedIssued("1813000601", "FZDB2026000601", "806097210890174601", sha(pdf))
	notice := sandbox.MinimalPDF("索赔通知书")
	photo := sandbox.SmallJPEG(32, 32)
	evil := []byte("evil")
	cb := claimCallback(claimMsg("LP2026000601", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber), pdf,
		sandbox.File{Field: "attach_file0", Name: "索赔通知书.pdf", Data: notice},
		sandbox.File{Field: "attach_file1", Name: "../../../../etc/passwd", Data: photo},
		sandbox.File{Field: "attach_file2", Name: "..\\..\\Windows\\win.ini\u202e.pdf", Data: evil},
		sandbox.File{Field: "attach_file10", Name: strings.Repeat("很长的文件名", 40) + ".docx", Data: []byte("docx")},
	)
	status, answer := e.sendOnce(cb)
	if status != 200 || string(answer) != `{"status":200}` {
		t.Fatalf("answer %d %s", status, answer)
	}
	c, err := e.st.GetClaim(context.Background(), "LP2026000601")
	if err != nil {
		t.Fatal(err)
	}
	if c.GuaranteeNo != g.GuaranteeNo || c.Status != "APPLY_WAIT_DEAL" || c.ClaimAmount != "80000.00" || c.GuaranteePDFSHA256 != sha(pdf) {
		t.Errorf("claim %+v", c)
	}
	byField := map[string]store.ClaimAttachment{}
	for _, a := range c.Attachments {
		byField[a.Field] = a
	}
	if len(byField) != 4 {
		t.Fatalf("attachments %+v", c.Attachments)
	}
	for field, want := range map[string]struct {
		name string
		data []byte
	}{
		"attach_file0": {"索赔通知书.pdf", notice},
		"attach_file1": {"passwd", photo},
		"attach_file2": {"win.ini.pdf", evil},
	} {
		a := byField[field]
		if a.Name != want.name || a.Size != int64(len(want.data)) || a.SHA256 != sha(want.data) {
			t.Errorf("%s: %+v, want name %q", field, a, want.name)
		}
	}
	if a := byField["attach_file10"]; len(a.Name) > maxNameBytes || !strings.HasSuffix(a.Name, ".docx") {
		t.Errorf("long name kept as %q (%d bytes)", a.Name, len(a.Name))
	}
	// Every file is in the content store under its hash, nothing elsewhere.
	snap := e.snapshot()
	if len(snap.files) != 5 || len(snap.spool) != 0 {
		t.Errorf("files %v spool %v", snap.files, snap.spool)
	}
	for _, f := range snap.files {
		if !strings.Contains(f, string(filepath.Separator)) || len(filepath.Base(f)) != 64 {
			t.Errorf("stray file %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(e.dir, "passwd")); err == nil {
		t.Error("a file landed under its sent name")
	}
	ev := e.events()
	if len(ev) != 1 || ev[0].Method != "apply_claim" || ev[0].Ref != "LP2026000601" || !strings.Contains(ev[0].Summary, "附件 4 个") {
		t.Errorf("events %+v", ev)
	}

	// Repeats: one claim, one status, the attachments once.
	e.send(cb).want(t, 200, 200)
	concurrently(20, func(int) {
		if r := e.send(cb); !bytes.Equal(r.Raw, answer) {
			t.Errorf("copy answered %s", r.Raw)
		}
	})
	snap = e.snapshot()
	if snap.count("claims") != 1 || snap.count("claim_attachments") != 4 || snap.count("inbound") != 1 ||
		snap.count("events") != 1 || len(snap.files) != 5 || len(snap.spool) != 0 {
		t.Errorf("after repeats: %v files %d spool %v", snap.tables, len(snap.files), snap.spool)
	}

	// The next status of the same claim is a new callback.
	next := cb
	next.Msg = claimMsg("LP2026000601", "CLAIM_CANCEL", g.GuaranteeNo, o.BlockNumber)
	e.send(next).want(t, 200, 200)
	c, _ = e.st.GetClaim(context.Background(), "LP2026000601")
	if c.Status != "CLAIM_CANCEL" || len(c.Statuses) != 2 {
		t.Errorf("claim after CLAIM_CANCEL: %s %+v", c.Status, c.Statuses)
	}
}

// TestClaimEncodedFileName: control characters cannot stand in a MIME
// header, but they can come percent-encoded in an RFC 2231 filename*.
func TestClaimEncodedFileName(t *testing.T) {
	e := newEnv(t)
	o, g := e.seedIssued("1813000604", "FZDB2026000604", "806097210890174604", "")
	param := sealWith(t, testSecret, &e.key.PublicKey, claimMsg("LP2026000604", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber))
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("param", param)
	for _, p := range []struct{ disp, data string }{
		{`form-data; name="guarantee_pdf"; filename="g.pdf"`, "%PDF-1.4\n%%EOF\n"},
		{`form-data; name="attach_file0"; filename*=UTF-8''..%2F..%2F%E7%B4%A2%1B%07%E8%B5%94%0A.pdf`, "x"},
	} {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", p.disp)
		w, _ := mw.CreatePart(h)
		_, _ = w.Write([]byte(p.data))
	}
	_ = mw.Close()
	e.post("/callbacks/claim", mw.FormDataContentType(), b.Bytes()).want(t, 200, 200)
	c, err := e.st.GetClaim(context.Background(), "LP2026000604")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Attachments) != 1 || c.Attachments[0].Name != "索赔.pdf" {
		t.Errorf("attachments %+v", c.Attachments)
	}
}

// TestClaimOtherPDF: a claim whose guarantee_pdf is not the file we issued
// is stored and flagged.
func TestClaimOtherPDF(t *testing.T) {
	e := newEnv(t)
	o, g := e.seedIssued("1813000602", "FZDB2026000602", "806097210890174602", sha(readTestPDF(t, "signed.pdf")))
	cb := claimCallback(claimMsg("LP2026000602", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber), readTestPDF(t, "tampered.pdf"),
		sandbox.File{Field: "attach_file0", Name: "a.pdf", Data: sandbox.MinimalPDF("a")})
	e.send(cb).want(t, 200, 200)
	var flagged bool
	for _, ev := range e.events() {
		flagged = flagged || (ev.Kind == store.KindFlag && strings.Contains(ev.Summary, "不一致"))
	}
	if !flagged {
		t.Errorf("no flag event: %+v", e.events())
	}
}

// TestBodyLimit: a body over MaxBodyBytes is refused and leaves nothing.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes = 256 << 10; c.MaxFileBytes = 200 << 10 })
	o, g := e.seedIssued("1813000603", "FZDB2026000603", "806097210890174603", "")
	before := e.snapshot()
	chunk := sandbox.File{Field: "attach_file0", Data: bytes.Repeat([]byte("x"), 150<<10)}
	cb := claimCallback(claimMsg("LP2026000603", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber), sandbox.MinimalPDF("保函"),
		chunk, sandbox.File{Field: "attach_file1", Data: chunk.Data})
	r := e.send(cb)
	r.want(t, 200, 404)
	if !strings.Contains(r.Msg, "请求体超过") {
		t.Errorf("msg %q", r.Msg)
	}
	e.snapshot().sameAs(t, before)
}

func TestSanitizeName(t *testing.T) {
	gbk := string([]byte{0xb1, 0xa3, 0xba, 0xaf, '.', 'p', 'd', 'f'}) // "保函.pdf" in GBK
	for raw, want := range map[string]string{
		"保函.pdf":                    "保函.pdf",
		"../../etc/passwd":          "passwd",
		`C:\Users\x\Desktop\索赔.doc`: "索赔.doc",
		"..":                        "attach_file0",
		"...pdf":                    "pdf",
		" .hidden ":                 "hidden",
		"a\x00b\x1fc\u202ed.pdf":    "abcd.pdf",
		`a<b>c:d"e|f?g*h.pdf`:       "a_b_c_d_e_f_g_h.pdf",
		"":                          "attach_file0",
		gbk:                         "保函.pdf",
	} {
		if got := sanitizeName(raw, "attach_file0"); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", raw, got, want)
		}
	}
}
