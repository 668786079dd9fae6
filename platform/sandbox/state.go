package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"baohan/platform"
)

// Order is an order (保函申请订单) as the platform holds it: the 2.1 fields
// as sent, kept current (OrderStatus), plus what the guarantor told it.
type Order struct {
	platform.ApplyGuarantee
	OrderAmount  string // 2.3 order_amount (the fee), set with WAIT_OUT_GUARANTEE
	IsWithdraw   string // 2.3 is_withdraw of the last notice
	Statement    string // 2.3 statement of the last notice
	CancelReason string // 2.11
	GuaranteeNo  string // set by the push (2.5)
	// TemplateFileID and AttachFileIDs are the files of guarantee_sign_files
	// and attach_files (downloadable through 4.1).
	TemplateFileID string
	AttachFileIDs  []string
}

// Status is the order's current 5.4 state.
func (o Order) Status() string { return string(o.OrderStatus) }

// Guarantee is a guarantee pushed by the guarantor (2.5).
type Guarantee struct {
	GuaranteeNo      string
	SerialNum        string // exact digits; exceeds 2^53
	OrderNo          string
	BlockNumber      string
	BlockName        string
	Principal        string
	Creditor         string
	Guarantor        string
	OutGuaranteeTime string
	TransNo          string
	PDFHash          string // SHA-256 hex of the file received
	PDFFileID        string // the received file, in the sandbox's files
	// As pushed (2.5): 保函事项 and the guarantee period.
	GuaranteeItem      string
	GuaranteeStartDate string
	GuaranteeEndDate   string
	RevokeNo           string // the last revocation (2.8) naming it
	Penalty            bool   // in a revocation's penalty list (罚没)
	Released           bool   // released by 2.9 (已解保)
	ReleaseDate        string // remove_guarantee_date of 2.9
}

// Revocation is a revocation batch (2.8).
type Revocation struct {
	RevokeNo        string
	BlockNumber     string
	BlockName       string
	Creditor        string
	Note            string
	Data            platform.RevokeData
	DeclareFileHash string // SHA-256 of the declaration, "" when none
	DeclareFileID   string
}

// ClaimResult is one 3.2 update of a claim.
type ClaimResult struct {
	DoType string
	Status string
	Note   string
	State  string // the 5.7 state it led to
}

// Claim is a claim (理赔申请, 3.1) with the guarantor's results (3.2).
type Claim struct {
	platform.ApplyClaim
	AttachFileIDs []string
	Results       []ClaimResult
}

// StoredFile is a file the platform holds (templates, attachments, pushed
// guarantees, declarations, claim files).
type StoredFile struct {
	ID     string
	Name   string
	Data   []byte
	SHA256 string
}

type fileToken struct {
	id  string
	exp time.Time
}

// Order returns a copy of an order.
func (s *Server) Order(no string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[no]
	if !ok {
		return Order{}, false
	}
	c := *o
	c.AttachFileIDs = slices.Clone(o.AttachFileIDs)
	return c, true
}

// Orders returns copies of every order, oldest first.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	nos := slices.Clone(s.orderSeq)
	s.mu.Unlock()
	out := make([]Order, 0, len(nos))
	for _, no := range nos {
		if o, ok := s.Order(no); ok {
			out = append(out, o)
		}
	}
	return out
}

// PutOrder stores (or replaces) an order without sending anything: an order
// the guarantor has not heard of, for a 2.2 refresh.
func (s *Server) PutOrder(o Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	no := string(o.OrderNo)
	if _, ok := s.orders[no]; !ok {
		s.orderSeq = append(s.orderSeq, no)
	}
	c := o
	c.AttachFileIDs = slices.Clone(o.AttachFileIDs)
	s.orders[no] = &c
}

// Guarantee returns a copy of a guarantee.
func (s *Server) Guarantee(no string) (Guarantee, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guarantees[no]
	if !ok {
		return Guarantee{}, false
	}
	return *g, true
}

// Guarantees returns copies of every guarantee, in push order.
func (s *Server) Guarantees() []Guarantee {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Guarantee, 0, len(s.guarSeq))
	for _, no := range s.guarSeq {
		out = append(out, *s.guarantees[no])
	}
	return out
}

// PutGuarantee stores a guarantee as if it had been pushed (and marks its
// order HAS_OUT_GUARANTEE when the order exists), without any call. Tests
// use it to set up revocations and claims.
func (s *Server) PutGuarantee(g Guarantee) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.guarantees[g.GuaranteeNo]; !ok {
		s.guarSeq = append(s.guarSeq, g.GuaranteeNo)
	}
	c := g
	s.guarantees[g.GuaranteeNo] = &c
	if o, ok := s.orders[g.OrderNo]; ok {
		o.OrderStatus = stateHasOutGuarantee
		o.GuaranteeNo = g.GuaranteeNo
	}
}

// Revocation returns a copy of a revocation batch.
func (s *Server) Revocation(no string) (Revocation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.revocations[no]
	if !ok {
		return Revocation{}, false
	}
	return *r, true
}

// Revocations returns every revocation batch, oldest first.
func (s *Server) Revocations() []Revocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Revocation, 0, len(s.revSeq))
	for _, no := range s.revSeq {
		out = append(out, *s.revocations[no])
	}
	return out
}

// Claim returns a copy of a claim.
func (s *Server) Claim(no string) (Claim, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.claims[no]
	if !ok {
		return Claim{}, false
	}
	return cloneClaim(c), true
}

// Claims returns every claim, oldest first.
func (s *Server) Claims() []Claim {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Claim, 0, len(s.claimSeq))
	for _, no := range s.claimSeq {
		out = append(out, cloneClaim(s.claims[no]))
	}
	return out
}

func cloneClaim(c *Claim) Claim {
	cc := *c
	cc.AttachFileIDs = slices.Clone(c.AttachFileIDs)
	cc.Results = slices.Clone(c.Results)
	return cc
}

// File returns a stored file.
func (s *Server) File(id string) (StoredFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return StoredFile{}, false
	}
	return *f, true
}

// AddFile stores a file and returns its file_id (downloadable through 4.1).
func (s *Server) AddFile(name string, data []byte) string {
	id := strconv.FormatUint(s.nextSeq(), 10) + "0" + strconv.Itoa(randIntN(10))
	sum := sha256.Sum256(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[id] = &StoredFile{ID: id, Name: name, Data: data, SHA256: hex.EncodeToString(sum[:])}
	return id
}

// fileURL issues a download URL for a file, valid FileURLTTL, under root
// (the sandbox's root URL).
func (s *Server) fileURL(root, id string) string {
	tok := randomHex(16)
	s.mu.Lock()
	s.fileTokens[tok] = fileToken{id: id, exp: s.now().Add(s.opt.FileURLTTL)}
	if root == "" {
		root = s.baseURL
	}
	s.mu.Unlock()
	return root + "/files/" + id + "?token=" + tok
}

// serveFile is GET /files/{id}?token=...: the URLs of 2.1 and 4.1.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	tok := r.URL.Query().Get("token")
	s.mu.Lock()
	ft, ok := s.fileTokens[tok]
	f := s.files[id]
	now := s.now()
	s.mu.Unlock()
	if !ok || ft.id != id || f == nil {
		http.Error(w, "文件不存在或链接无效", http.StatusNotFound)
		return
	}
	if now.After(ft.exp) {
		http.Error(w, "文件链接已过期，请调用 4.1 获取文件URL", http.StatusForbidden)
		return
	}
	ct := mime.TypeByExtension(filepath.Ext(f.Name))
	if ct == "" {
		ct = http.DetectContentType(f.Data)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	_, _ = w.Write(f.Data)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
