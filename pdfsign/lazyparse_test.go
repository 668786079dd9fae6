package pdfsign

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
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
