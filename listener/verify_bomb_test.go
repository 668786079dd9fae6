package listener

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"baohan/pdfsign"
	"baohan/platform/sandbox"
	"baohan/store"
)

// objStmBomb is a small PDF whose object stream inflates to 512 MB:
// a 2.6 request that once took serve to 10 GB.
func objStmBomb(t testing.TB) []byte {
	t.Helper()
	// The object stream's zlib data: "3 0 " and 512 MB of zeros, compressed
	// at the best level (522 KB), kept gzipped (1 KB) because compressing
	// 512 MB under the race detector takes a minute. Made with
	//   python3 -c 'import zlib,gzip,sys; sys.stdout.buffer.write(gzip.compress(zlib.compress(b"3 0 "+bytes(512<<20),9),9))' > testdata/pdf/objstm-bomb-512m.zlib.gz
	gz, err := os.ReadFile(filepath.Join("..", "testdata", "pdf", "objstm-bomb-512m.zlib.gz"))
	if err != nil {
		t.Fatal(err)
	}
	gr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	if _, err := z.ReadFrom(gr); err != nil {
		t.Fatal(err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(z.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(zr, head); err != nil || string(head) != "3 0 " {
		t.Fatalf("bomb fixture starts %q (%v)", head, err)
	}
	// Inflating all 512 MB costs 13 s under the race detector: the first
	// 64 MB (twice the check's decoded-size limit) are checked to be there.
	if n, err := io.CopyN(io.Discard, zr, 64<<20); err != nil || n != 64<<20 {
		t.Fatalf("bomb fixture inflates to %d bytes after its header (%v), want 512 MB", n, err)
	}
	header := head

	var b bytes.Buffer
	off := map[int]int{}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj := func(nr int, body string) {
		off[nr] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", nr, body)
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>")
	obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	off[4] = b.Len()
	fmt.Fprintf(&b, "4 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n", len(header), z.Len())
	b.Write(z.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	// Cross-reference stream: objects 0-5, object 3 inside object stream 4.
	var rows bytes.Buffer
	row := func(typ byte, f2 uint32, f3 uint16) {
		rows.WriteByte(typ)
		binary.Write(&rows, binary.BigEndian, f2)
		binary.Write(&rows, binary.BigEndian, f3)
	}
	row(0, 0, 65535)
	row(1, uint32(off[1]), 0)
	row(1, uint32(off[2]), 0)
	row(2, 4, 0)
	row(1, uint32(off[4]), 0)
	xref := b.Len()
	row(1, uint32(xref), 0)
	fmt.Fprintf(&b, "5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n", rows.Len())
	b.Write(rows.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}

// nestingBomb is a PDF whose catalog holds arrays nested depth deep.
func nestingBomb(depth int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	o1 := b.Len()
	b.WriteString("1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X ")
	b.WriteString(strings.Repeat("[", depth))
	b.WriteString(strings.Repeat("]", depth))
	b.WriteString(" >>\nendobj\n")
	o2 := b.Len()
	b.WriteString("2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", o1, o2, x)
	return b.Bytes()
}

// vmHWMOf is a process's peak resident memory (bytes), from /proc.
func vmHWMOf(t testing.TB, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skip("no /proc/PID/status:", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmHWM")
	return 0
}

// TestServeVerifyBombsBounded sends an object-stream bomb and a
// deep-nesting bomb to the 2.6 endpoint of the real `baohan serve`: each
// gets an answer that does not vouch for the file, and serve's peak
// resident memory (VmHWM) stays below 256 MB: the check runs in a child
// process bounded in memory and time (pdfsign.CheckFileIsolated).
func TestServeVerifyBombsBounded(t *testing.T) {
	// Parallel: it waits on child processes or the network; the other
	// tests of this kind run meanwhile (never beside the sequential ones).
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir, bin, key, addr, data, cfg := startServeSetup(t)

	bombs := []struct {
		name string
		pdf  []byte
	}{
		{"objstm", objStmBomb(t)},
		{"nested", nestingBomb(1 << 20)},
	}
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	seed := &env{t: t, st: st}
	for i, b := range bombs {
		n := strconv.Itoa(300 + i)
		seed.seedIssued("1813000"+n, "FZDB2026000"+n, "806097210890174"+n, sha(b.pdf))
	}
	st.Close()

	var logs lockedBuffer
	p := startProc(t, serveCommand(bin, dir, cfg, data), "http://"+addr, &logs)
	cmd := p.cmd

	sb := sandbox.New(sandbox.Options{APIKey: "k", APISecret: testSecret, BtcID: 123, GuarantorKey: key,
		CallbackBase: "http://" + addr, CallbackTimeout: time.Minute})
	defer sb.Close()
	for i, b := range bombs {
		serial := "806097210890174" + strconv.Itoa(300+i)
		status, raw, err := sb.SendOnce(context.Background(), verifyCallback(serial, b.pdf))
		if err != nil && status == 0 {
			t.Fatalf("%s: %v\n%s", b.name, err, logs.String())
		}
		if status != 200 {
			t.Fatalf("%s: HTTP %d %s", b.name, status, raw)
		}
		var a struct {
			Status int `json:"status"`
			Data   struct {
				IsModified int `json:"is_modified"`
			} `json:"data"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("%s: answer %s", b.name, raw)
		}
		if a.Status == 200 && a.Data.IsModified == pdfsign.NotModified {
			t.Errorf("%s: vouched for a bomb: %s", b.name, raw)
		}
		if a.Status != 200 && (a.Status < 2600 || a.Status > 2609) {
			t.Errorf("%s: status %d: %s", b.name, a.Status, raw)
		}
		t.Logf("%s (%d bytes): answer %s", b.name, len(b.pdf), raw)
	}
	hwm := vmHWMOf(t, cmd.Process.Pid)
	t.Logf("baohan serve VmHWM after the bombs: %.1f MB", float64(hwm)/(1<<20))
	if hwm > 256<<20 {
		t.Errorf("serve peaked at %d MB (limit 256 MB)", hwm>>20)
	}
	select {
	case <-p.done:
		t.Fatalf("serve exited: %v\n%s", p.err, logs.String())
	default:
	}
}
