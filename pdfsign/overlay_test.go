package pdfsign

import (
	"bytes"
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
)

// TestContentScanDeepArrays: the content scan of an appearance or a page
// (inkScan.run) lexes nested arrays to a fixed depth and skips deeper
// ones whole, so a content stream of "[" alone cannot exhaust the stack
// (a fatal error, not a panic the check could recover from). Here the
// stack is capped at 16 MiB: 4 million frames of the recursive lexer
// need far more.
func TestContentScanDeepArrays(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	const n = 4 << 20
	deep := strings.Repeat("[", n) + "(]) % ]\n" + strings.Repeat("]", n)
	cases := []struct {
		name, content string
		texts         int
		boxes         bool
	}{
		// The text after the skipped array is still read.
		{"deep then text", deep + " TJ BT /F1 12 Tf 10 10 Td (AB) Tj ET", 2, true},
		{"unclosed", strings.Repeat("[", n), 0, false},
		// Within the depth an array is lexed as before.
		{"shallow", "BT /F1 12 Tf [(AB) 3 [(C)]] TJ ET", 1, true},
	}
	for _, c := range cases {
		s := &inkScan{}
		s.run([]byte(c.content), identity, nil, 0)
		if s.texts != c.texts || (len(s.boxes) > 0) != c.boxes {
			t.Errorf("%s: %d texts, %d boxes; want %d texts, boxes %v", c.name, s.texts, len(s.boxes), c.texts, c.boxes)
		}
	}
}

// TestPaintedArea: where a content stream paints, whatever it paints
// with, and when that cannot be told.
func TestPaintedArea(t *testing.T) {
	cases := []struct {
		name, content string
		at            rect // a point area that must be painted (zero: none)
		clear         rect // an area that must not be
		undecidable   bool
	}{
		{"text", "BT /F1 10 Tf 100 100 Td (ABCDEFGHIJ) Tj ET", rect{150, 103, 151, 104}, rect{300, 100, 301, 101}, false},
		{"text with rise", "BT /F1 10 Tf 100 100 Td 50 Ts (A) Tj ET", rect{101, 155, 102, 156}, rect{300, 100, 301, 101}, false},
		{"filled path in any colour", "0.2 0.3 0.4 0.011 k 10 10 m 50 10 l 50 50 l f", rect{30, 30, 31, 31}, rect{60, 60, 61, 61}, false},
		{"stroke", "1 1 0 RG 5 w 10 10 m 100 10 l S", rect{50, 11, 51, 12}, rect{50, 40, 51, 41}, false},
		{"shading clipped", "q 10 10 40 40 re W n /Sh1 sh Q", rect{20, 20, 21, 21}, rect{60, 60, 61, 61}, false},
		{"shading unclipped", "/Sh1 sh", rect{500, 500, 501, 501}, rect{}, false},
		{"inline image", "q 20 0 0 20 100 100 cm BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q", rect{110, 110, 111, 111}, rect{200, 200, 201, 201}, false},
		{"xobject not found", "/Im9 Do", rect{}, rect{}, true},
		{"inline image never ended", "BI /W 1 /H 1 ID \x00\x00", rect{}, rect{}, true},
		{"unterminated string", "BT (abc Tj ET", rect{}, rect{}, true},
	}
	for _, c := range cases {
		s := &inkScan{}
		s.run([]byte(c.content), identity, nil, 0)
		if s.undecidable != c.undecidable {
			t.Errorf("%s: undecidable %v", c.name, s.undecidable)
			continue
		}
		hit := func(r rect) bool {
			for _, b := range s.boxes {
				if b.intersects(r) {
					return true
				}
			}
			return false
		}
		if c.at != (rect{}) && !hit(c.at) {
			t.Errorf("%s: %v not painted (boxes %v)", c.name, c.at, s.boxes)
		}
		if c.clear != (rect{}) && hit(c.clear) {
			t.Errorf("%s: %v painted (boxes %v)", c.name, c.clear, s.boxes)
		}
	}
	// Names are decoded as the resources' keys are.
	l := &lexer{b: []byte("/Im#31 Do")}
	if tk, _ := l.next(); tk.s != "Im1" {
		t.Errorf("name %q", tk.s)
	}
	// The operator budget runs out: undecidable, not "paints nothing".
	s := &inkScan{}
	s.run([]byte(strings.Repeat("q Q ", maxContentOps/2+10)), identity, nil, 0)
	if !s.undecidable {
		t.Error("budget: not undecidable")
	}
}

// TestWidgetPlaceAsReaders: a later widget is placed where readers place
// it: a /Rect whose numbers are indirect objects (resolved by readers) and
// a NoZoom widget (its appearance grows over the page when zoomed out),
// a NoView widget that ToggleNoView shows under the pointer are judged
// there; the NoZoom rectangle without NoZoom passes.
func TestWidgetPlaceAsReaders(t *testing.T) {
	data := genPDF(t, genSpec{ecdsa: true})
	b, err := readBase("gen-ecdsa", data)
	if err != nil {
		t.Fatal(err)
	}
	b.text, b.nozoom = "[70 760 400 790]", "[100 805 130 815]"
	want := map[string]bool{
		"signature-over-text-rect-indirect": false,
		"signature-nozoom-beside-text":      false,
		"signature-toggle-noview-over-text": false,
		"signature-above-text":              true,
	}
	ran := 0
	for _, m := range mutations() {
		w, ok := want[m.class]
		if !ok {
			continue
		}
		u := newUpdate(b)
		if !m.apply(t, b, u) {
			t.Fatalf("%s: not applied", m.class)
		}
		out := u.finish(t)
		rep, err := Check(context.Background(), bytes.NewReader(out), int64(len(out)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		ran++
		if rep.Intact() != w {
			t.Errorf("%s: intact %v, want %v: %s", m.class, rep.Intact(), w, shorten(problemsOf(rep), 300))
		}
	}
	if ran != len(want) {
		t.Errorf("ran %d of %d", ran, len(want))
	}
}

// TestXRefStreamReservedRow: a cross-reference stream row of a reserved
// type after the signed revision is refused (readers rebuild the
// cross-reference and take the unlisted forged object).
func TestXRefStreamReservedRow(t *testing.T) {
	testShadowClass(t, "xrefstream-reserved-row", "保留类型")
}

// TestUnlistedShadowObject: an object written after the signed range
// that no section lists is refused (readers that rebuild the
// cross-reference take it).
func TestUnlistedShadowObject(t *testing.T) {
	testShadowClass(t, "unlisted-shadow-object", "没有列出的对象")
}

func testShadowClass(t *testing.T, class, why string) {
	data := genPDF(t, genSpec{ecdsa: true})
	b, err := readBase("gen-ecdsa", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mutations() {
		if m.class != class {
			continue
		}
		u := newUpdate(b)
		if !m.apply(t, b, u) {
			t.Fatal("not applied")
		}
		var out []byte
		if strings.HasPrefix(u.trailer, " /RAW-XREFSTREAM ") {
			fmt.Fprintf(&u.buf, "startxref\n%s\n%%%%EOF\n", strings.TrimPrefix(u.trailer, " /RAW-XREFSTREAM "))
			out = u.buf.Bytes()
		} else {
			out = u.finish(t)
		}
		rep, err := Check(context.Background(), bytes.NewReader(out), int64(len(out)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Intact() {
			t.Errorf("intact: %s", problemsOf(rep))
		} else if p := problemsOf(rep); !strings.Contains(p, why) {
			t.Errorf("refused for another reason: %s", shorten(p, 300))
		}
		return
	}
	t.Fatal("class missing")
}

// TestDRFontGainedForField: the form's /DR may gain fonts (for signature
// appearances), but not one under a name that a field's default
// appearance names and /DR lacked when signing: readers building that
// field's appearance (it has no /AP) would draw the signed value with it
// ("200000.00" as 900000000 through /Differences).
func TestDRFontGainedForField(t *testing.T) {
	data := genPDF(t, genSpec{ecdsa: true, textField: true})
	if rep, err := Check(context.Background(), bytes.NewReader(data), int64(len(data)), Options{}); err != nil || !rep.Intact() {
		t.Fatalf("base not intact: %v %s", err, problemsOf(rep))
	}
	b, err := readBase("gen-ecdsa-textfield", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		intact bool
	}{{"Helv", false}, {"SigFont", true}} {
		u := newUpdate(b)
		nr := u.newNr()
		u.obj(nr, 0, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [46 /zero 50 /nine] >> >>")
		u.catalog(map[string]string{"AcroForm": fmt.Sprintf("<< /Fields [7 0 R 10 0 R] /SigFlags 3 /DR << /Font << /F1 5 0 R /%s %d 0 R >> >> >>", c.name, nr)})
		out := u.finish(t)
		rep, err := Check(context.Background(), bytes.NewReader(out), int64(len(out)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Intact() != c.intact {
			t.Errorf("/DR gains /%s: intact %v, want %v: %s", c.name, rep.Intact(), c.intact, shorten(problemsOf(rep), 300))
		}
	}
}

// TestFormDAAddedForField: the form may gain a /DA (signing tools add
// one) unless a field other than a signature takes its /DA from the
// form: its appearance, built by readers, would change.
func TestFormDAAddedForField(t *testing.T) {
	for _, c := range []struct {
		spec   genSpec
		intact bool
	}{{genSpec{ecdsa: true, textField: true}, true}, {genSpec{ecdsa: true, textField: true, fieldNoDA: true}, false}} {
		data := genPDF(t, c.spec)
		b, err := readBase("gen-ecdsa-textfield", data)
		if err != nil {
			t.Fatal(err)
		}
		u := newUpdate(b)
		u.catalog(map[string]string{"AcroForm": "<< /Fields [7 0 R 10 0 R] /SigFlags 3 /DR << /Font << /F1 5 0 R >> >> /DA (/F1 12 Tf 1 g) >>"})
		out := u.finish(t)
		rep, err := Check(context.Background(), bytes.NewReader(out), int64(len(out)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Intact() != c.intact {
			t.Errorf("field without /DA %v: intact %v, want %v: %s", c.spec.fieldNoDA, rep.Intact(), c.intact, shorten(problemsOf(rep), 300))
		}
	}
}
