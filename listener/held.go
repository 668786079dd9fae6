package listener

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"baohan/platform"
	"baohan/store"
)

// Held callbacks (protocol.md, "Repeats, conflicts and held callbacks"): an
// authentic callback (it decrypted and its sign verified) that fails a 假通知
// check is stored apart from the records with the reason, its exact
// plaintext and its files, and refused with a msg so that the platform
// repeats it. The clerk accepts it (it is applied, the next repeat is
// answered 200) or dismisses it (it keeps being refused).

// holdReason, returned by a handler's write, holds the callback instead of
// refusing it bare.
type holdReason struct{ reason string }

func (h *holdReason) Error() string { return "held: " + h.reason }

// hold returns a holdReason with a formatted reason.
func holdf(format string, a ...any) *holdReason {
	return &holdReason{reason: fmt.Sprintf(format, a...)}
}

// contentKey identifies a callback by its content: every field but
// timestamp and sign, sorted by name, as the sign reads them. A repeat
// re-signed with a new timestamp has the same key.
func contentKey(f platform.Fields) string {
	names := make([]string, 0, len(f))
	for k := range f {
		if k != "timestamp" && k != "sign" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	h := sha256.New()
	for _, k := range names {
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(platform.FieldText(f[k])), platform.FieldText(f[k]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// heldKey identifies a held callback: its content key and, when files
// came with it, each file's field, name and SHA-256 (the same fields with other
// files are another callback to decide on).
func (c *call) heldKey() string {
	k := contentKey(c.fields)
	if len(c.files) == 0 && len(c.omitted) == 0 {
		return k
	}
	h := sha256.New()
	h.Write([]byte(k))
	for _, u := range sortedUploads(c.files) {
		fmt.Fprintf(h, "|%d:%s%d:%s=%s", len(u.field), u.field, len(u.name), u.name, u.sha256)
	}
	for _, f := range c.omitted {
		fmt.Fprintf(h, "|%d:%s%d:%s=%s", len(f.Field), f.Field, len(f.Name), f.Name, f.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// normName is a name as protocol.md compares them: NFKC (full-width and
// half-width brackets, digits and letters are the same), no white space.
func normName(s string) string { return platform.NormName(s) }

// sameName compares two names where both are known.
func sameName(have, got string) bool {
	h, g := normName(have), normName(got)
	return h == "" || g == "" || h == g
}

// accepted tells whether the clerk accepted this callback's content.
func (c *call) acceptedIn(tx *store.Tx) (bool, error) {
	if c.accepting {
		return true, nil
	}
	h, err := tx.HeldByKey(c.ep.method, c.heldKey())
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return h.State == store.HeldAccepted, nil
}

// msgHeld ends the msg of a held callback's refusal.
const msgHeld = "（回调已暂存，待担保公司人工核对；请稍后重发）"

// hold stores the callback as held (or counts a repeat) in its own
// transaction, files included, and returns the refusal to answer.
func (s *Server) hold(c *call, ref, reason string) error {
	if c.accepting {
		// The clerk accepted it: the check must not stop it now.
		return fmt.Errorf("accepted callback failed again: %s", reason)
	}
	var files []store.HeldFile
	for _, u := range sortedUploads(c.files) {
		ref, err := u.put(s.st, s.cfg.MaxFileBytes)
		if err != nil {
			return err
		}
		files = append(files, store.HeldFile{Field: u.field, Name: u.name, Size: ref.Size, SHA256: ref.SHA256})
	}
	files = append(files, c.omitted...)
	var h store.Held
	err := s.st.Update(c.ctx, func(tx *store.Tx) error {
		var err error
		h, err = tx.Hold(store.Held{Method: c.ep.method, Key: c.heldKey(), Ref: ref, Reason: reason,
			Plaintext: string(c.plain), Files: files})
		if err != nil {
			return err
		}
		if h.Repeats == 0 {
			_, err = tx.AddEvent(store.Event{Kind: store.KindFlag, Direction: store.DirIn, Method: c.ep.method, Ref: ref,
				Status: platform.StatusFailed, LatencyMS: c.elapsed(),
				Summary: fmt.Sprintf("回调 %s（%s）已暂存待核对（编号 %d）：%s", c.ep.method, c.ep.section, h.ID, reason),
				Detail:  string(c.plain)})
		}
		return err
	})
	if err != nil {
		return err
	}
	if h.State == store.HeldDismissed {
		return refuse(platform.StatusFailed, reason+"（担保公司已驳回该回调）")
	}
	return refuse(platform.StatusFailed, reason+msgHeld)
}

// holdShape holds an authentic callback that failed a check of its shape
// (protocol.md: a required field missing or empty, a wrong JSON type, a
// JSON-valued field that does not parse, a file part missing or wrong, a
// state outside 5.4 or 5.7). When the clerk has accepted this content, it
// is a repeat of a callback applied: it is handled as accepted (the
// platform's repeat gets 200).
func (s *Server) holdShape(c *call, rf *refusal) (*result, error) {
	accepted := false
	err := s.st.Update(c.ctx, func(tx *store.Tx) error {
		var err error
		accepted, err = c.acceptedIn(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	if accepted {
		c.accepting = true // acceptID 0: decided already, not again
		return c.ep.handle(s, c)
	}
	return nil, s.hold(c, c.ref(), rf.msg)
}

func sortedUploads(files map[string]*upload) []*upload {
	out := make([]*upload, 0, len(files))
	for _, u := range files {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].field < out[j].field })
	return out
}

// DecideHeld is the clerk's decision on held callback id: accept applies it
// as if its checks had passed (the platform's next repeat is answered 200),
// dismiss keeps refusing it. The Server need not be serving.
func (s *Server) DecideHeld(ctx context.Context, id int64, accept bool, note string) (store.Held, error) {
	h, err := s.st.GetHeld(ctx, id)
	if err != nil {
		return store.Held{}, err
	}
	if h.State != store.HeldHeld {
		return h, clerkRefusal("暂存回调 %d 已处理（%s），不能再次处理", id, platform.HeldStateName(h.State))
	}
	if !accept {
		err := s.st.Update(ctx, func(tx *store.Tx) error {
			if err := tx.DecideHeld(id, store.HeldDismissed, note); err != nil {
				return err
			}
			_, err := tx.AddEvent(store.Event{Kind: store.KindFlag, Method: h.Method, Ref: h.Ref,
				Summary: fmt.Sprintf("暂存回调 %d 已驳回：%s", id, note)})
			return err
		})
		if err != nil {
			return h, decidedErr(id, err)
		}
		return s.st.GetHeld(ctx, id)
	}
	var ep *endpoint
	for _, e := range endpoints {
		if e.method == h.Method {
			ep = e
		}
	}
	if ep == nil {
		return h, clerkRefusal("暂存回调 %d 的接口 %s 未知", id, h.Method)
	}
	fields, err := platform.ParseFields([]byte(h.Plaintext))
	if err != nil {
		return h, fmt.Errorf("暂存回调 %d 的明文无法读取：%w", id, err)
	}
	c := &call{s: s, ep: ep, ctx: ctx, fields: fields, plain: []byte(h.Plaintext), accepting: true, acceptID: id,
		acceptNote: note, files: map[string]*upload{}}
	for _, f := range h.Files {
		if f.Omitted {
			continue // not kept: applied without it (the held entry names it)
		}
		path := s.st.FilePath(f.SHA256)
		c.files[f.Field] = &upload{field: f.Field, name: f.Name, path: path, size: f.Size, sha256: f.SHA256, head: fileHead(path)}
	}
	if _, err := ep.handle(s, c); err != nil {
		var rf *refusal
		if errors.As(err, &rf) {
			return h, clerkRefusal("暂存回调 %d 无法应用：%s", id, rf.msg)
		}
		return h, decidedErr(id, err)
	}
	got, err := s.st.GetHeld(ctx, id)
	if err != nil || got.State != store.HeldHeld {
		return got, err
	}
	// The handler found nothing to apply (its content had arrived
	// meanwhile, or a later state was already known): accepted all the
	// same, so that it leaves 待办.
	err = s.st.Update(ctx, func(tx *store.Tx) error { return c.decideAccepted(tx) })
	if err != nil {
		return got, decidedErr(id, err)
	}
	return s.st.GetHeld(ctx, id)
}

// clerkRefusal is a decision of the clerk's that cannot be carried out,
// in a sentence for the clerk (the CLI's exit 2).
func clerkRefusal(format string, a ...any) error {
	return &platform.InputError{Msg: fmt.Sprintf(format, a...)}
}

// decidedErr words a decision that came second (the desk and the CLI at
// once) for the clerk.
func decidedErr(id int64, err error) error {
	if errors.Is(err, store.ErrDecided) {
		return clerkRefusal("暂存回调 %d 已由他人处理，不能再次处理", id)
	}
	return err
}

// decideAccepted, run inside the write that applies an accepted callback,
// marks it accepted.
func (c *call) decideAccepted(tx *store.Tx) error {
	if !c.accepting || c.acceptID == 0 {
		return nil
	}
	if err := tx.DecideHeld(c.acceptID, store.HeldAccepted, c.acceptNote); err != nil {
		return err
	}
	_, err := tx.AddEvent(store.Event{Kind: store.KindFlag, Method: c.ep.method, Ref: c.ref(),
		Summary: fmt.Sprintf("暂存回调 %d 已由担保公司接受并应用：%s", c.acceptID, c.acceptNote)})
	return err
}

// identifyingNames are the fields that name a record (protocol.md, "JSON"):
// JSON strings (serial_num may be a number) without surrounding white space.
var identifyingNames = []string{"order_no", "guarantee_no", "serial_num", "claim_no", "revoke_no"}

// checkIdentifying refuses an identifying field that is not a string (or,
// for serial_num, a number) or that carries surrounding white space: " A1005 "
// would otherwise be a second order, and an object an order number.
func (c *call) checkIdentifying() error {
	for _, n := range identifyingNames {
		raw, ok := c.fields[n]
		if !ok {
			continue
		}
		if err := identifyingValue(n, raw); err != nil {
			if m, ok := c.ep.codes.malformed[n]; ok {
				err.status = m
			}
			return err
		}
	}
	return nil
}

func identifyingValue(name string, raw []byte) *refusal {
	t := strings.TrimSpace(string(raw))
	isString := strings.HasPrefix(t, `"`)
	isNumber := t != "" && t[0] >= '0' && t[0] <= '9'
	if !isString && !(name == "serial_num" && isNumber) && t != "null" {
		return shapef("参数格式错误：%s 应为字符串", name)
	}
	v := platform.FieldText(raw)
	if strings.TrimSpace(v) != v {
		return shapef("参数格式错误：%s 含首尾空白", name)
	}
	return nil
}

// fileHead is the first sniffLen bytes of a stored file ("" if unreadable).
func fileHead(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, sniffLen)
	n, _ := io.ReadFull(f, b)
	return b[:n]
}
