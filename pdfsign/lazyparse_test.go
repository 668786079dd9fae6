package pdfsign

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// TestFastParserAgreesWithPdfcpu parses every object (streams aside) of
// the fixtures and of ../shared/pdfcorpus with the lazy read's parser and
// with pdfcpu's, and wants the same value.
func TestFastParserAgreesWithPdfcpu(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.pdf"))
	corpus, _ := filepath.Glob(filepath.Join("..", "..", "shared", "pdfcorpus", "files", "*.pdf"))
	if len(corpus) == 0 {
		t.Log("../shared/pdfcorpus absent: fixtures only")
	}
	files = append(files, corpus...)
	objects, fast := 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := readLazy(context.Background(), newLazyShared(b), int64(len(b)), newConf(model.ValidationRelaxed, Options{}))
		if err != nil {
			continue // read by pdfcpu's full read
		}
		for nr, s := range doc.srcs {
			var body []byte
			if s.compressed {
				if body, err = doc.compressedBytes(context.Background(), s); err != nil {
					continue
				}
			} else {
				ri, ok := doc.refsOf(context.Background(), nr)
				if !ok || ri.kw != 'e' {
					continue
				}
				body = bytes.TrimSpace(b[s.off+int64(ri.body) : s.off+int64(ri.end)])
			}
			if len(body) == 0 {
				continue
			}
			objects++
			p := fastParser{b: body, maxDepth: 100}
			got, err := p.value(0)
			if err != nil {
				continue
			}
			fast++
			str := string(body)
			want, err := model.ParseObjectContext(context.Background(), &str, 0, 100)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s object %d: fast %#v, pdfcpu %#v (%v)", filepath.Base(f), nr, got, want, err)
			}
		}
	}
	t.Logf("%d objects, %d parsed by the fast parser", objects, fast)
	if objects > 0 && fast == 0 {
		t.Error("the fast parser parsed nothing")
	}
}

func TestMarkerSearch(t *testing.T) {
	for _, s := range []string{"", "/ByteRange", "x/ByteRange/ByteRange", "ByteRange/ByteRang", "/ByteRange[0 1]ByteRange //ByteRange", "//ByteRangeByteRange/"} {
		b := []byte(s)
		if got, want := countMarker(b, markByteRange), bytes.Count(b, markByteRange); got != want {
			t.Errorf("countMarker(%q) = %d, want %d", s, got, want)
		}
		if got, want := indexMarker(b, markByteRange), bytes.Index(b, markByteRange); got != want {
			t.Errorf("indexMarker(%q) = %d, want %d", s, got, want)
		}
	}
}

// revisionPair builds a one-page file (rev1) and rev1 plus appended bytes
// and a cross-reference section for object 9.
func revisionPair(content4, appended string) (rev1, whole []byte) {
	var b bytes.Buffer
	off := map[int]int{}
	obj := func(n int, s string) {
		off[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\n", n, s)
	}
	b.WriteString("%PDF-1.7\n")
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>\nendobj")
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>\nendobj")
	obj(4, content4)
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 5\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n%010d 00000 n \n%010d 00000 n \n", off[1], off[2], off[3], off[4])
	fmt.Fprintf(&b, "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", x)
	rev1 = bytes.Clone(b.Bytes())
	b.WriteString(appended)
	o9 := b.Len()
	b.WriteString("9 0 obj\n<< /Note (later) >>\nendobj\n")
	x2 := b.Len()
	fmt.Fprintf(&b, "xref\n9 1\n%010d 00000 n \ntrailer\n<< /Size 10 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", o9, x, x2)
	return rev1, b.Bytes()
}

// TestObjectReadPastSignedEnd: an object of the signed revision whose
// stream data (by its /Length) or whose endobj lies in bytes appended
// later is not "unchanged" because its offset is: the appended bytes are
// compared, and here they change the page content.
func TestObjectReadPastSignedEnd(t *testing.T) {
	stream := "<< /Length 4 >>\nstream\nq Q\nendstream\nendobj"
	cases := []struct {
		name           string
		content4, tail string
		modified       bool
	}{
		{"plain update", stream, "", false},
		// /Length 200: in the signed file the data runs to endstream; in
		// the whole file the 200 bytes reach into the appended ones.
		{"stream length past end", "<< /Length 200 >>\nstream\nq Q\nendstream\nendobj",
			strings.Repeat(" ", 100) + "BT /F1 40 Tf (FORGED) Tj ET\n", true},
		// No endobj in the signed revision: the appended bytes finish it.
		{"endobj past end", "[1 2 3", " 4 5 ]\nendobj\n", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rev1, whole := revisionPair(c.content4, c.tail)
			sh := newLazyShared(whole)
			conf := newConf(model.ValidationRelaxed, Options{})
			cur, err := readLazy(context.Background(), sh, int64(len(whole)), conf)
			if err != nil {
				t.Fatal(err)
			}
			readOld := func(end int64) (revision, error) {
				old, err := readLazy(context.Background(), sh, end, conf)
				if err != nil {
					return revision{}, err
				}
				return revision{x: old.pc.XRefTable, doc: old}, nil
			}
			res := laterUpdatesOnlySignatures(context.Background(), int64(len(rev1)), readOld,
				revision{x: cur.pc.XRefTable, doc: cur})
			if (res.kind == diffModified) != c.modified {
				t.Errorf("kind %d (%s), modified want %v", res.kind, res.why, c.modified)
			}
		})
	}
}

// TestFastParserForms: forms the corpus may lack give pdfcpu's values too
// (by the fast parser or by falling back to pdfcpu's).
func TestFastParserForms(t *testing.T) {
	for _, in := range []string{
		"<< /A 1 % a comment\n /B 2 >>", "[1 0 R 2 0 R 3]", "[1 0 R2 0 R]", "<</A 1 0 R/B[2 0 R]>>",
		"<< /A null /B [null 1] >>", "<< /K <4142 43> /L <41a> /M <> >>", "(a(b)c\\)d)", "/A#20B", "<</N/>>",
		"[-1 +2 .5 -.5 3. 1.2.3 1,5]", "[true false True]", "<< /A 1 /A 2 >>", "[{1} 2]", "99999999999999999999",
		"<</A (x)/B<</C [1 [2 [3]]]>>>>", "[ 1 2 R ]", "[1 -2 R]",
	} {
		s := in // pdfcpu consumes its input
		want, werr := model.ParseObjectContext(context.Background(), &s, 0, 100)
		got, gerr := parseObject(context.Background(), []byte(in), 100)
		if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %#v (%v), pdfcpu %#v (%v)", in, got, gerr, want, werr)
		}
	}
}
