package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// Intervals of the demo stream at pace 1.
const (
	streamOrderEvery    = 20 * time.Second // a new order
	streamBusinessEvery = 45 * time.Second // a revocation, claim, 验真 or 查验 maybe
	streamPaidAfter     = 15 * time.Second // WAIT_PAY -> WAIT_OUT_GUARANTEE
	streamResubmitAfter = 25 * time.Second // 退回 -> resubmitted
)

// Run generates realistic business until ctx ends or the server closes:
// new orders (about every 20 s at pace 1; pace 10 is ten times faster),
// several bidders on one 标段, the applicant "paying" after the guarantor
// asks for payment, revocations of blocks with issued guarantees (with a
// declaration, sometimes a penalty list), claims with attachments, and
// verify (验真) and query (查验) requests on pushed guarantees.
//
// The first minute shows every kind: five orders at once, one of them
// moved to WAIT_OUT_GUARANTEE; after the clerk's first push, a 验真 and a
// 查验 of it, a claim and a revocation within about 30 s.
func (s *Server) Run(ctx context.Context, pace float64) {
	if pace <= 0 {
		pace = 1
	}
	if ctx.Err() != nil || s.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()

	st := &stream{s: s, ctx: ctx, pace: pace, events: make(chan Event, 512),
		timers: map[*time.Timer]struct{}{}, fastTrack: map[string]bool{},
		claimed: map[string]bool{}, blocks: map[string]*streamBlock{}}
	s.Observe(func(e Event) {
		if ctx.Err() != nil {
			return
		}
		select {
		case st.events <- e:
		default: // the stream is behind; drop rather than block a handler
		}
	})
	defer st.stop()

	s.log.Info("模拟业务流开始", "pace", pace)
	st.seed()
	orders := time.NewTicker(st.scale(streamOrderEvery))
	defer orders.Stop()
	business := time.NewTicker(st.scale(streamBusinessEvery))
	defer business.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-st.events:
			st.react(e)
		case <-orders.C:
			st.newOrder(rand.IntN(10) < 3)
		case <-business.C:
			st.after(0, st.business) // 验真 and 查验 wait for the listener's answer
		}
	}
}

type streamBlock struct {
	spec    OrderSpec
	bidders int
}

type stream struct {
	s      *Server
	ctx    context.Context
	pace   float64
	events chan Event

	mu        sync.Mutex
	wg        sync.WaitGroup
	timers    map[*time.Timer]struct{}
	stopped   bool
	fastTrack map[string]bool // orders the applicant pays at once (DIRECT_DEBIT)
	claimed   map[string]bool // guarantees with a claim
	blocks    map[string]*streamBlock
	pushes    int
}

func (st *stream) scale(d time.Duration) time.Duration {
	return max(time.Duration(float64(d)/st.pace), time.Millisecond)
}

// after runs fn after d (scaled by pace) unless the stream has stopped.
func (st *stream) after(d time.Duration, fn func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.stopped {
		return
	}
	st.wg.Add(1)
	var t *time.Timer
	t = time.AfterFunc(st.scale(d), func() {
		defer st.wg.Done()
		st.mu.Lock()
		delete(st.timers, t)
		st.mu.Unlock()
		if st.ctx.Err() == nil {
			fn()
		}
	})
	st.timers[t] = struct{}{}
}

func (st *stream) stop() {
	st.mu.Lock()
	st.stopped = true
	for t := range st.timers {
		if t.Stop() {
			st.wg.Done()
		}
	}
	st.timers = nil
	st.mu.Unlock()
	st.wg.Wait()
}

// seed sends five orders at once on two blocks, one of them fast-tracked
// to WAIT_OUT_GUARANTEE so the clerk can push at once.
func (st *stream) seed() {
	for i := range 5 {
		st.newOrderOn(i < 3, i == 0)
	}
}

// newOrder sends an order on an open block or a new one.
func (st *stream) newOrder(fastTrack bool) {
	st.mu.Lock()
	n := len(st.blocks)
	st.mu.Unlock()
	st.newOrderOn(n < 2 || rand.IntN(100) < 45, fastTrack)
}

func (st *stream) newOrderOn(newBlock bool, fastTrack bool) {
	var spec OrderSpec
	st.mu.Lock()
	if !newBlock {
		for _, b := range st.blocks {
			spec = b.spec
			b.bidders++
			if b.bidders >= 5 {
				delete(st.blocks, b.spec.BlockNumber)
			}
			break
		}
	}
	st.mu.Unlock()
	o := st.s.GenerateOrder(spec)
	st.mu.Lock()
	if spec.BlockNumber == "" {
		dl, _ := parseDeadline(string(o.BidDeadline))
		vd, _ := strconv.Atoi(string(o.ValidDay))
		st.blocks[string(o.BlockNumber)] = &streamBlock{bidders: 1, spec: OrderSpec{
			BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName), ProjectName: string(o.ProjectName),
			ProjectType: string(o.ProjectType), Creditor: string(o.Creditor), GuaranteeAmount: string(o.GuaranteeAmount),
			BidDeadline: dl, ValidDay: vd,
		}}
	}
	if fastTrack {
		st.fastTrack[string(o.OrderNo)] = true
	}
	st.mu.Unlock()
	st.s.PutOrder(o)
	st.s.SendOrder(st.ctx, string(o.OrderNo))
}

// react answers what the guarantor did.
func (st *stream) react(e Event) {
	switch e.Kind {
	case EventOrderApplied:
		st.mu.Lock()
		fast := st.fastTrack[e.OrderNo]
		delete(st.fastTrack, e.OrderNo)
		st.mu.Unlock()
		switch {
		case fast:
			// Paid by direct debit right after applying.
			st.after(2*time.Second, func() { st.moveIf(e.OrderNo, "", stateWaitOutGuarantee) })
		case e.OrderStatus == "WAIT_PAY":
			st.after(streamPaidAfter, func() { st.moveIf(e.OrderNo, "WAIT_PAY", stateWaitOutGuarantee) })
		}
	case EventOrderStatus:
		switch e.OrderStatus {
		case "WAIT_PAY": // the applicant pays a while later
			st.after(streamPaidAfter, func() { st.moveIf(e.OrderNo, "WAIT_PAY", stateWaitOutGuarantee) })
		case "WAIT_SUBMIT_FIRST_TRAIL": // sent back; the applicant resubmits
			st.after(streamResubmitAfter, func() { st.moveIf(e.OrderNo, "WAIT_SUBMIT_FIRST_TRAIL", "WAIT_FIRST_TRAIL") })
		case "WAIT_SUBMIT_TUNE_UP":
			st.after(streamResubmitAfter, func() { st.moveIf(e.OrderNo, "WAIT_SUBMIT_TUNE_UP", "WAIT_TUNE_UP") })
		}
	case EventPushed:
		st.mu.Lock()
		st.pushes++
		n := st.pushes
		st.mu.Unlock()
		if n == 1 || rand.IntN(100) < 40 {
			st.after(5*time.Second, func() { st.verify(e.GuaranteeNo, false) })
		}
		if n == 1 || rand.IntN(100) < 30 {
			st.after(9*time.Second, func() { st.query(e.GuaranteeNo) })
		}
		if n == 1 {
			st.after(14*time.Second, func() { st.claim(e.GuaranteeNo) })
			st.after(30*time.Second, st.revokeSome)
		}
	case EventReleased:
		if rand.IntN(100) < 50 {
			st.after(10*time.Second, func() { st.releaseQuery(e.GuaranteeNo) })
		}
	}
}

// moveIf moves an order to state if it is still in from ("" any state
// before an issued guarantee).
func (st *stream) moveIf(orderNo, from, to string) {
	o, ok := st.s.Order(orderNo)
	if !ok || stateClosed(o.Status()) || o.Status() == to || (from != "" && o.Status() != from) {
		return
	}
	_, _ = st.s.ChangeOrderStatus(st.ctx, orderNo, to)
}

// business does one of: revoke a block, open a claim, ask 验真 or 查验.
func (st *stream) business() {
	if st.s.opt.Mean && rand.IntN(100) < 10 {
		st.unknownClaim()
		return
	}
	switch r := rand.IntN(100); {
	case r < 35:
		st.revokeSome()
	case r < 55:
		if g, ok := st.pickGuarantee(true); ok {
			st.claim(g.GuaranteeNo)
		}
	case r < 80:
		if g, ok := st.pickGuarantee(false); ok {
			st.verify(g.GuaranteeNo, rand.IntN(100) < 20)
		}
	default:
		if g, ok := st.pickGuarantee(false); ok {
			st.query(g.GuaranteeNo)
		}
	}
}

// pickGuarantee picks an issued guarantee; unclaimed ones not revoked when
// forClaim.
func (st *stream) pickGuarantee(forClaim bool) (Guarantee, bool) {
	var list []Guarantee
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, g := range st.s.Guarantees() {
		if forClaim && (st.claimed[g.GuaranteeNo] || g.RevokeNo != "") {
			continue
		}
		list = append(list, g)
	}
	if len(list) == 0 {
		return Guarantee{}, false
	}
	return pick(list), true
}

// revokeSome revokes a block that has issued guarantees not yet revoked,
// preferring guarantees without a claim; a claimed guarantee goes on the
// penalty list.
func (st *stream) revokeSome() {
	byBlock := map[string][]Guarantee{}
	for _, g := range st.s.Guarantees() {
		if g.RevokeNo == "" {
			byBlock[g.BlockNumber] = append(byBlock[g.BlockNumber], g)
		}
	}
	if len(byBlock) == 0 {
		return
	}
	var block string
	st.mu.Lock()
	for b, gs := range byBlock {
		block = b
		if !st.claimed[gs[0].GuaranteeNo] {
			break
		}
	}
	var penalty []string
	for _, g := range byBlock[block] {
		if st.claimed[g.GuaranteeNo] || (len(byBlock[block]) > 1 && rand.IntN(100) < 15) {
			penalty = append(penalty, g.GuaranteeNo)
		}
	}
	delete(st.blocks, block) // the tender is decided: no more bidders
	st.mu.Unlock()
	g := byBlock[block][0]
	_, _, err := st.s.Revoke(st.ctx, RevokeSpec{BlockNumber: block, Penalty: penalty,
		Declaration: DeclarationPDF(block, g.Creditor)})
	if err != nil {
		st.s.log.Warn("模拟撤销失败", "block", block, "err", err)
	}
}

func (st *stream) claim(guaranteeNo string) {
	st.mu.Lock()
	if st.claimed[guaranteeNo] {
		st.mu.Unlock()
		return
	}
	st.claimed[guaranteeNo] = true
	st.mu.Unlock()
	if _, _, err := st.s.ApplyClaim(st.ctx, guaranteeNo); err != nil {
		st.s.log.Warn("模拟理赔失败", "guarantee_no", guaranteeNo, "err", err)
	}
}

// verify asks 验真 of a pushed guarantee's PDF, or of a tampered copy.
func (st *stream) verify(guaranteeNo string, tamper bool) {
	g, ok := st.s.Guarantee(guaranteeNo)
	if !ok {
		return
	}
	f, ok := st.s.File(g.PDFFileID)
	if !ok {
		return
	}
	pdf := bytes.Clone(f.Data)
	if tamper && len(pdf) > 64 {
		i := 16 + rand.IntN(len(pdf)-32)
		pdf[i] ^= 0x01
	}
	ans, err := st.s.VerifyRequest(st.ctx, g.SerialNum, pdf)
	if err != nil {
		st.s.log.Warn("验真未成功", "guarantee_no", guaranteeNo, "err", err)
		return
	}
	st.s.log.Info("验真结果", "guarantee_no", guaranteeNo, "tampered", tamper, "is_modified", ans.IsModified, "sign_name", ans.SignName)
}

func (st *stream) query(guaranteeNo string) {
	g, ok := st.s.Guarantee(guaranteeNo)
	if !ok {
		return
	}
	ans, err := st.s.QueryRequest(st.ctx, g.GuaranteeNo, g.SerialNum)
	if err != nil {
		st.s.log.Warn("查验未成功", "guarantee_no", guaranteeNo, "err", err)
		return
	}
	st.s.log.Info("查验结果", "guarantee_no", guaranteeNo, "amount", string(ans.Amount), "warrantee", ans.Warrantee)
}

func (st *stream) releaseQuery(guaranteeNo string) {
	g, ok := st.s.Guarantee(guaranteeNo)
	if !ok {
		return
	}
	ans, err := st.s.ReleaseQuery(st.ctx, g.BlockNumber, g.GuaranteeNo, g.SerialNum)
	if err != nil {
		st.s.log.Warn("解保查询未成功", "guarantee_no", guaranteeNo, "err", err)
		return
	}
	st.s.log.Info("解保查询结果", "guarantee_no", guaranteeNo, "status", releaseText(int(ans.Status)))
}

// unknownClaim (mean mode): a claim for a guarantee the platform has on
// record but the guarantor never issued (another firm's, misfiled).
func (st *stream) unknownClaim() {
	s := st.s
	s.mu.Lock()
	s.serial += 11
	no := fmt.Sprintf("WB%d", s.serial%1000000)
	serial := strconv.FormatUint(s.serial, 10)
	s.mu.Unlock()
	s.PutGuarantee(Guarantee{GuaranteeNo: no, SerialNum: serial, BlockNumber: "E3501000000" + serial[len(serial)-4:],
		BlockName: "外地某某工程（标段一）", Principal: "外地某某建设工程有限公司", Creditor: "外地某某局", Guarantor: "外地某某担保有限公司"})
	if _, _, err := s.ApplyClaim(st.ctx, no); err != nil {
		s.log.Warn("模拟理赔失败", "guarantee_no", no, "err", err)
	}
}
