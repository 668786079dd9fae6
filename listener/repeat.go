package listener

import (
	"errors"
	"io"
	"os"
	"sort"
	"sync"

	"baohan/platform"
	"baohan/store"
)

// Repeats of an authentic upload (a captured 3.1 param can be sent again
// with any files: the sign does not cover them). When param comes before
// the files, the callback's key is looked up before any file is read; for a
// known key each file part is compared, as it streams, with the file of the
// same field the first delivery brought (in the file store). While the
// bytes match nothing is written: a true repeat costs no disk and is
// answered as the first time. A file that differs is spooled from the
// point of difference (with the matching prefix copied from the stored
// file) within repeatBudget, and the callback is held with it (protocol.md,
// 3.1 same claim_no: "one whose files differ from the first delivery's");
// past the budget only its name, size and SHA-256 are kept.
const (
	// RepeatSpoolBudget bounds the spool held at once by all repeats whose
	// files differ.
	RepeatSpoolBudget = 64 << 20
	// RepeatSpoolPerKey bounds the bytes one callback key may spool as
	// differing repeats over the process's life; later differing repeats
	// of that key keep name, size and SHA-256 only.
	RepeatSpoolPerKey = 32 << 20
)

var errRepeatBudget = errors.New("spool budget for repeated uploads used up")

// repeatBudget is the spool space of authenticated repeats.
type repeatBudget struct {
	mu     sync.Mutex
	used   int64            // held now
	perKey map[string]int64 // spooled so far, per callback key
	peak   int64
}

func (b *repeatBudget) take(key string, n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > RepeatSpoolBudget || b.perKey[key]+n > RepeatSpoolPerKey {
		return false
	}
	if b.perKey == nil {
		b.perKey = map[string]int64{}
	}
	b.used += n
	b.perKey[key] += n
	b.peak = max(b.peak, b.used)
	return true
}

func (b *repeatBudget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

// claimKey is 3.1's idempotency key: claim_no, status and the content (a
// 3.1 in the same state with another guarantee or amount is no repeat).
func claimKey(m *platform.ApplyClaim, f platform.Fields) string {
	return string(m.ClaimNo) + "/" + string(m.Status) + "/" + contentKey(f)
}

// recogniseRepeat runs once param is open and before any file is read:
// when the callback's key is known with the files of its first delivery,
// c.first is set and the file parts are compared rather than spooled.
func (s *Server) recogniseRepeat(c *call) {
	if c.ep.method != platform.CallbackApplyClaim {
		return
	}
	var m platform.ApplyClaim
	if platform.Decode(c.plain, &m) != nil {
		return // refused or held by the handler
	}
	key := claimKey(&m, c.fields)
	files, found, err := s.st.CallbackFiles(c.ctx, c.ep.method, key)
	if err != nil {
		s.log.Error("cannot look up a repeat before its files", "callback", c.ep.method, "err", err.Error())
		return // the files are spooled as for a first delivery
	}
	if found && files != nil {
		c.first, c.repeatKey = files, key
	}
}

// firstFile is the first delivery's file of field, if any.
func (c *call) firstFile(field string) *store.HeldFile {
	for i := range c.first {
		if c.first[i].Field == field && !c.first[i].Omitted {
			return &c.first[i]
		}
	}
	return nil
}

// callFiles are the files that came with c (spooled, matched or omitted),
// in field order: what the inbound record keeps and repeats are compared by.
func callFiles(c *call) []store.HeldFile {
	out := []store.HeldFile{}
	for _, u := range sortedUploads(c.files) {
		out = append(out, store.HeldFile{Field: u.field, Name: u.name, Size: u.size, SHA256: u.sha256})
	}
	out = append(out, c.omitted...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// sameFiles tells whether c brought exactly the files of its first
// delivery: the same fields, names, sizes and SHA-256.
func sameFiles(c *call) bool {
	got, want := callFiles(c), append([]store.HeldFile(nil), c.first...)
	sort.SliceStable(want, func(i, j int) bool { return want[i].Field < want[j].Field })
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Omitted || w.Omitted || g.Field != w.Field || g.Name != w.Name || g.Size != w.Size || g.SHA256 != w.SHA256 {
			return false
		}
	}
	return true
}

// repeatWriter takes a repeat's file part: compared with ref (the first
// delivery's file) while it matches, spooled from the first difference
// within the repeat budget, only hashed past it.
type repeatWriter struct {
	s       *Server
	c       *call
	first   *store.HeldFile
	ref     *os.File // the stored first file; nil when there is none
	buf     []byte
	matched int64
	sw      *spoolWriter // set once the part differs
	over    bool         // the repeat budget ran out: hashed only
}

func (w *repeatWriter) Write(p []byte) (int, error) {
	if w.over {
		return len(p), nil
	}
	rest := p
	if w.sw == nil && w.ref != nil {
		if cap(w.buf) < len(p) {
			w.buf = make([]byte, len(p))
		}
		n, _ := io.ReadFull(w.ref, w.buf[:len(p)])
		i := 0
		for i < n && w.buf[i] == p[i] {
			i++
		}
		w.matched += int64(i)
		if i == len(p) {
			return len(p), nil
		}
		rest = p[i:]
	}
	if w.sw == nil {
		if err := w.diverge(); err != nil {
			return 0, err
		}
		if w.over {
			return len(p), nil
		}
	}
	if _, err := w.sw.Write(rest); err != nil {
		if errors.Is(err, errRepeatBudget) {
			w.drop()
			return len(p), nil
		}
		return 0, err
	}
	return len(p), nil
}

// diverge starts the spool file with the matched prefix, copied from the
// stored first file.
func (w *repeatWriter) diverge() error {
	f, err := store.CreateOwned(w.s.spool, "in-*")
	if err != nil {
		return &spoolError{err}
	}
	w.sw = &spoolWriter{f: f, s: w.s, c: w.c}
	if w.matched == 0 {
		return nil
	}
	src, err := w.s.st.OpenFile(w.first.SHA256)
	if err != nil {
		// The prefix cannot be had again: the hash only is kept.
		w.drop()
		return nil
	}
	defer src.Close()
	if _, err := io.CopyN(w.sw, src, w.matched); err != nil {
		var se *spoolError
		switch {
		case errors.Is(err, errRepeatBudget):
			w.drop()
			return nil
		case errors.Is(err, errDiskLow), errors.As(err, &se):
			return err
		}
		return &spoolError{err} // our file store could not be read
	}
	return nil
}

// drop gives up the spool file: only the hash is kept.
func (w *repeatWriter) drop() {
	if w.sw != nil {
		os.Remove(w.sw.f.Name())
		w.sw.f.Close()
		w.sw = nil
	}
	w.over = true
}

// spoolRepeat reads a file part of a known repeat (c.first set). The
// upload is matched (equal to the first delivery's file, nothing
// written), spooled (it differs) or omitted (it differs, past the repeat
// budget: size and SHA-256 only); errFileTooLarge past limit, as
// spoolFile.
func (s *Server) spoolRepeat(c *call, field string, r io.Reader, limit int64) (u *upload, err error) {
	w := &repeatWriter{s: s, c: c, first: c.firstFile(field)}
	if w.first != nil {
		if f, err := s.st.OpenFile(w.first.SHA256); err == nil {
			w.ref = f
			defer f.Close()
		}
	}
	defer func() {
		if err != nil && w.sw != nil {
			w.drop()
		}
	}()
	u, err = hashPart(w, r, limit)
	if err != nil {
		return u, err
	}
	if w.sw == nil && !w.over {
		if w.first != nil && w.ref != nil && w.matched == u.size && u.size == w.first.Size && u.sha256 == w.first.SHA256 {
			u.stored = true
			return u, nil
		}
		// Shorter than the first file (all of it matched): it differs.
		if err := w.diverge(); err != nil {
			return nil, err
		}
	}
	if w.over {
		u.omitted = true
		return u, nil
	}
	u.path, u.f = w.sw.f.Name(), w.sw.f
	return u, nil
}
