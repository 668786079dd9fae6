package pdfsign

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// objStmPair builds a signed revision whose page /MediaBox (object 6)
// lies in an object stream (object 5) and, after it, an update that adds
// object 9. With past set, the object stream's /Length and its offset of
// object 6 reach beyond the signed revision into the update, whose bytes
// there hold another MediaBox: the stream is at the same offset in both
// revisions but is not the same stream.
func objStmPair(past bool) (rev1, whole []byte) {
	const box, forged = "[0 0 200 200]", "[0 0 900 900]"
	build := func(objOff, length int) ([]byte, int, int) {
		var b bytes.Buffer
		off := map[int]int{}
		obj := func(n int, s string) {
			off[n] = b.Len()
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, s)
		}
		b.WriteString("%PDF-1.7\n")
		obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
		obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
		obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox 6 0 R >>")
		head := fmt.Sprintf("6 %06d\n", objOff)
		data := head + box + "\n"
		if length < 0 {
			length = len(data)
		}
		off[5] = b.Len()
		fmt.Fprintf(&b, "5 0 obj\n<< /Type /ObjStm /N 1 /First %d /Length %06d >>\nstream\n", len(head), length)
		dataAt := b.Len()
		fmt.Fprintf(&b, "%s\nendstream\nendobj\n", data)
		x := b.Len()
		var rows bytes.Buffer
		row := func(t byte, f2 int, f3 int) {
			rows.Write([]byte{t, byte(f2 >> 24), byte(f2 >> 16), byte(f2 >> 8), byte(f2), byte(f3)})
		}
		row(0, 0, 255)
		for n := 1; n <= 3; n++ {
			row(1, off[n], 0)
		}
		row(0, 0, 0) // object 4 is free
		row(1, off[5], 0)
		row(2, 5, 0)
		row(1, x, 0)
		fmt.Fprintf(&b, "7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 1] /Root 1 0 R /Length %d >>\nstream\n", rows.Len())
		b.Write(rows.Bytes())
		fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", x)
		return b.Bytes(), dataAt, x
	}
	rev1, dataAt, x := build(0, -1)
	var tail string
	if past {
		// The forged box 16 bytes into the update; the stream's data
		// runs to its end.
		objOff := len(rev1) + 16 - dataAt - len("6 000000\n")
		rev1, _, _ = build(objOff, len(rev1)+16+len(forged)-dataAt)
		tail = strings.Repeat(" ", 16) + forged + "\nendstream\nendobj\n"
	}
	var b bytes.Buffer
	b.Write(rev1)
	b.WriteString(tail)
	o9 := b.Len()
	b.WriteString("9 0 obj\n<< /Note (later) >>\nendobj\n")
	x2 := b.Len()
	fmt.Fprintf(&b, "xref\n9 1\n%010d 00000 n \ntrailer\n<< /Size 10 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", o9, x, x2)
	return rev1, b.Bytes()
}

// TestObjectStreamPerRevision: the decoded object streams the revisions
// of a file share are shared only by revisions that give the stream the
// same data. Object stream 5 reaches past the signed revision: there its
// object 6 cannot be read, in the whole file it is the forged box (as
// qpdf --show-object=6 reads both), whichever revision decodes first.
func TestObjectStreamPerRevision(t *testing.T) {
	rev1, whole := objStmPair(true)
	for _, oldFirst := range []bool{true, false} {
		sh := newLazyShared(whole)
		conf := newConf(model.ValidationRelaxed, Options{})
		cur, err := readLazy(context.Background(), sh, int64(len(whole)), conf)
		if err != nil {
			t.Fatal(err)
		}
		old, err := readLazy(context.Background(), sh, int64(len(rev1)), conf)
		if err != nil {
			t.Fatal(err)
		}
		c := newRevCompare(context.Background(), revision{x: old.pc.XRefTable, doc: old}, revision{x: cur.pc.XRefTable, doc: cur})
		var o, n types.Object
		if oldFirst {
			o, n = c.resolve(c.old, 6), c.resolve(c.cur, 6)
		} else {
			n, o = c.resolve(c.cur, 6), c.resolve(c.old, 6)
		}
		if o != nil || !reflect.DeepEqual(n, types.Array{types.Integer(0), types.Integer(0), types.Integer(900), types.Integer(900)}) {
			t.Errorf("old first %v: signed revision %v, whole file %v", oldFirst, o, n)
		}
		// The whole file's references are its own too.
		if ri, ok := cur.refsOf(context.Background(), 6); !ok || len(ri.refs) != 0 {
			t.Errorf("old first %v: refs %v %v", oldFirst, ri, ok)
		}
	}
}

// TestObjectStreamReadPastSignedEnd: an object in an object stream whose
// /Length reaches past the signed end is compared, not taken as unchanged
// because the object stream kept its offset; in the lazy read and in
// pdfcpu's.
func TestObjectStreamReadPastSignedEnd(t *testing.T) {
	for _, lazy := range []bool{true, false} {
		for _, past := range []bool{false, true} {
			rev1, whole := objStmPair(past)
			sh := newLazyShared(whole)
			conf := newConf(model.ValidationRelaxed, Options{})
			read := func(end int64) (revision, error) {
				if lazy {
					doc, err := readLazy(context.Background(), sh, end, conf)
					if err != nil {
						return revision{}, err
					}
					return revision{x: doc.pc.XRefTable, doc: doc}, nil
				}
				pc, err := readPDF(context.Background(), bytes.NewReader(whole), end, model.ValidationRelaxed, Options{})
				if err != nil {
					return revision{}, err
				}
				return revision{x: pc.XRefTable}, nil
			}
			cur, err := read(int64(len(whole)))
			if err != nil {
				t.Fatal(err)
			}
			res := laterUpdatesOnlySignatures(context.Background(), int64(len(rev1)), read, cur)
			if (res.kind == diffModified) != past {
				t.Errorf("lazy %v, past %v: kind %d (%s)", lazy, past, res.kind, res.why)
			}
		}
	}
}
