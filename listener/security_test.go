package listener

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"baohan/platform"
	"baohan/platform/sandbox"
)

// TestLoopbackByDefault: with no address configured the listener binds to
// loopback only; the tunnel forwards to it.
func TestLoopbackByDefault(t *testing.T) {
	e := newEnv(t)
	srv := New(Config{APISecret: testSecret, PrivateKey: e.key}, e.st)
	host, _, err := net.SplitHostPort(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Fatalf("default address %s is not loopback", srv.Addr())
	}
	if host, _, _ := net.SplitHostPort(platform.DefaultListenerAddr); !net.ParseIP(host).IsLoopback() {
		t.Fatalf("config default listener.addr %s is not loopback", platform.DefaultListenerAddr)
	}
}

// TestServerLimits: every way a slow or large request could hold the
// listener is bounded.
func TestServerLimits(t *testing.T) {
	e := newEnv(t)
	h := e.srv.httpServer()
	if h.ReadHeaderTimeout <= 0 || h.ReadTimeout <= 0 || h.WriteTimeout <= 0 || h.IdleTimeout <= 0 {
		t.Errorf("unbounded timeouts: header %s read %s write %s idle %s", h.ReadHeaderTimeout, h.ReadTimeout, h.WriteTimeout, h.IdleTimeout)
	}
	if h.MaxHeaderBytes <= 0 || h.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes %d", h.MaxHeaderBytes)
	}
	if e.srv.cfg.MaxBodyBytes <= 0 || e.srv.cfg.MaxFileBytes <= 0 || MaxParamBytes <= 0 || MaxParts <= 0 {
		t.Errorf("unbounded sizes: %+v", e.srv.cfg)
	}
	if e.srv.rsa.free <= 0 || e.srv.rsa.max <= 0 || e.srv.rsa.maxWait <= 0 || MaxParamBlocks <= 0 {
		t.Error("no bound on decryption")
	}
	if e.srv.cfg.SpoolBudgetBytes <= 0 || e.srv.cfg.FreeReserveBytes <= 0 {
		t.Errorf("unbounded spool: budget %d reserve %d", e.srv.cfg.SpoolBudgetBytes, e.srv.cfg.FreeReserveBytes)
	}
}

// TestNamesNeverPaths: file names from the network are only recorded;
// every file the listener writes is named by its SHA-256 inside the data
// folder, whatever the sender called it.
func TestNamesNeverPaths(t *testing.T) {
	e := newEnv(t)
	o, g := e.seedIssued("1813000751", "FZDB2026000751", "806097210890174751", "")
	outside := filepath.Join(filepath.Dir(e.dir), "escaped.pdf")
	evil := []string{"../escaped.pdf", "../../escaped.pdf", outside, `..\..\escaped.pdf`, "/etc/passwd", "files/tmp/../../x.pdf"}
	var files []sandbox.File
	for i, name := range evil {
		files = append(files, sandbox.File{Field: "attach_file" + string(rune('0'+i)), Name: name, Data: sandbox.MinimalPDF(name)})
	}
	cb := claimCallback(claimMsg("LP2026000751", "APPLY_WAIT_DEAL", g.GuaranteeNo, o.BlockNumber), sandbox.MinimalPDF("保函"), files...)
	e.send(cb).want(t, 200, 200)
	if _, err := os.Stat(outside); !os.IsNotExist(err) {
		t.Fatalf("a file was written outside the data folder: %v", err)
	}
	blob := regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{64}$`)
	for _, f := range listFiles(t, filepath.Join(e.dir, "files")) {
		if !blob.MatchString(filepath.ToSlash(f)) {
			t.Errorf("file store holds %s: not a content address", f)
		}
	}
	c, err := e.st.GetClaim(context.Background(), "LP2026000751")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Attachments) != len(evil) {
		t.Fatalf("%d attachments", len(c.Attachments))
	}
	for _, a := range c.Attachments {
		if strings.ContainsAny(a.Name, `/\`) || strings.HasPrefix(a.Name, ".") {
			t.Errorf("recorded name %q keeps a path", a.Name)
		}
	}
}
