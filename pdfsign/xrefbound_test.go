package pdfsign

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// xrefStreamPDF builds a one-page file whose cross-reference stream has
// /W [1 2 0] and rows rows, all but the first five zeros (free entries):
// a few KiB of compressed bytes that decode to rows entries.
func xrefStreamPDF(rows int) []byte {
	var b bytes.Buffer
	off := map[int]int{}
	obj := func(n int, s string) {
		off[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, s)
	}
	b.WriteString("%PDF-1.7\n")
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
	x := b.Len()
	off[4] = x
	raw := make([]byte, 3*rows)
	for n := 1; n <= 4; n++ {
		raw[3*n], raw[3*n+1], raw[3*n+2] = 1, byte(off[n]>>8), byte(off[n])
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(raw)
	w.Close()
	fmt.Fprintf(&b, "4 0 obj\n<< /Type /XRef /Size %d /W [1 2 0] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n", rows, z.Len())
	b.Write(z.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", x)
	return b.Bytes()
}

// TestXRefStreamEntryBudget: a cross-reference stream of more entries
// than the limit is refused before its entries are built, not after (the
// memory is a map entry per row: 32 MiB of decoded zeros were 32 million
// entries, about 2 GB).
func TestXRefStreamEntryBudget(t *testing.T) {
	const rows = 1 << 20
	file := xrefStreamPDF(rows)
	conf := newConf(model.ValidationRelaxed, Options{})
	conf.Limits.MaxXRefEntries = 1000

	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	_, err := readLazy(context.Background(), newLazyShared(file), int64(len(file)), conf)
	runtime.ReadMemStats(&m1)
	if !errors.Is(err, errLazyFallback) {
		t.Fatalf("err %v, want errLazyFallback", err)
	}
	// The decoded stream (3 MiB) and its buffers, not a million entries
	// (about 100 MiB of map).
	if a := m1.TotalAlloc - m0.TotalAlloc; a > 32<<20 {
		t.Errorf("allocated %d MiB for a section over the limit", a>>20)
	}

	// Within the limit the same file is read.
	conf.Limits.MaxXRefEntries = rows
	if _, err := readLazy(context.Background(), newLazyShared(file), int64(len(file)), conf); err != nil {
		t.Errorf("within the limit: %v", err)
	}
}

// TestXRefTableEntryBudget: a table's subsections count against the
// budget together.
func TestXRefTableEntryBudget(t *testing.T) {
	table := func(sub ...int) []byte {
		var b strings.Builder
		first := 0
		for _, n := range sub {
			fmt.Fprintf(&b, "%d %d\n", first, n)
			for range n {
				b.WriteString("0000000000 65535 f \n")
			}
			first += n
		}
		b.WriteString("trailer\n<< /Size 1 >>\nstartxref\n0\n")
		return []byte(b.String())
	}
	if _, _, err := parseXRefTable(table(600, 600), 1000); !errors.Is(err, errLazyFallback) {
		t.Errorf("1200 entries, budget 1000: err %v", err)
	}
	sec, _, err := parseXRefTable(table(500, 500), 1000)
	if err != nil || len(sec) != 1000 {
		t.Errorf("1000 entries, budget 1000: %d entries, err %v", len(sec), err)
	}
}
