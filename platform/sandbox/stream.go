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

	sm := &stream{s: s, ctx: ctx, pace: pace, events: make(chan Event, 512),
		timers: map[*time.Timer]struct{}{}, fastTrack: map[string]bool{},
		claimed: map[string]bool{}, blocks: map[string]*streamBlock{}}
	s.Observe(func(e Event) {
		if ctx.Err() != nil {
			return
		}
		select {
		case sm.events <- e:
		default: // the stream is behind; drop rather than block a handler
		}
	})
	defer sm.stop()

	s.log.Info("模拟业务流开始", "pace", pace)
	sm.seed()
	orders := time.NewTicker(sm.scale(streamOrderEvery))
	defer orders.Stop()
	business := time.NewTicker(sm.scale(streamBusinessEvery))
	defer business.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-sm.events:
			sm.react(e)
		case <-orders.C:
			sm.newOrder(rand.IntN(10) < 3)
		case <-business.C:
			sm.after(0, sm.business) // 验真 and 查验 wait for the listener's answer
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

func (sm *stream) scale(d time.Duration) time.Duration {
	return max(time.Duration(float64(d)/sm.pace), time.Millisecond)
}

// after runs fn after d (scaled by pace) unless the stream has stopped.
func (sm *stream) after(d time.Duration, fn func()) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if sm.stopped {
		return
	}
	sm.wg.Add(1)
	var t *time.Timer
	t = time.AfterFunc(sm.scale(d), func() {
		defer sm.wg.Done()
		sm.mu.Lock()
		delete(sm.timers, t)
		sm.mu.Unlock()
		if sm.ctx.Err() == nil {
			fn()
		}
	})
	sm.timers[t] = struct{}{}
}

func (sm *stream) stop() {
	sm.mu.Lock()
	sm.stopped = true
	for t := range sm.timers {
		if t.Stop() {
			sm.wg.Done()
		}
	}
	sm.timers = nil
	sm.mu.Unlock()
	sm.wg.Wait()
}

// seed sends five orders at once on two blocks, one of them fast-tracked
// to WAIT_OUT_GUARANTEE so the clerk can push at once.
func (sm *stream) seed() {
	for i := range 5 {
		sm.newOrderOn(i < 3, i == 0)
	}
}

// newOrder sends an order on an open block or a new one.
func (sm *stream) newOrder(fastTrack bool) {
	sm.mu.Lock()
	n := len(sm.blocks)
	sm.mu.Unlock()
	sm.newOrderOn(n < 2 || rand.IntN(100) < 45, fastTrack)
}

func (sm *stream) newOrderOn(newBlock bool, fastTrack bool) {
	var spec OrderSpec
	sm.mu.Lock()
	if !newBlock {
		for _, b := range sm.blocks {
			spec = b.spec
			b.bidders++
			if b.bidders >= 5 {
				delete(sm.blocks, b.spec.BlockNumber)
			}
			break
		}
	}
	sm.mu.Unlock()
	o := sm.s.GenerateOrder(spec)
	sm.mu.Lock()
	if spec.BlockNumber == "" {
		dl, _ := parseDeadline(string(o.BidDeadline))
		vd, _ := strconv.Atoi(string(o.ValidDay))
		sm.blocks[string(o.BlockNumber)] = &streamBlock{bidders: 1, spec: OrderSpec{
			BlockNumber: string(o.BlockNumber), BlockName: string(o.BlockName), ProjectName: string(o.ProjectName),
			ProjectType: string(o.ProjectType), Creditor: string(o.Creditor), GuaranteeAmount: string(o.GuaranteeAmount),
			BidDeadline: dl, ValidDay: vd,
		}}
	}
	if fastTrack {
		sm.fastTrack[string(o.OrderNo)] = true
	}
	sm.mu.Unlock()
	sm.s.PutOrder(o)
	sm.s.SendOrder(sm.ctx, string(o.OrderNo))
}

// react answers what the guarantor did.
func (sm *stream) react(e Event) {
	switch e.Kind {
	case EventOrderApplied:
		sm.mu.Lock()
		fast := sm.fastTrack[e.OrderNo]
		delete(sm.fastTrack, e.OrderNo)
		sm.mu.Unlock()
		switch {
		case fast:
			// Paid by direct debit right after applying.
			sm.after(2*time.Second, func() { sm.moveIf(e.OrderNo, "", stateWaitOutGuarantee) })
		case e.OrderStatus == "WAIT_PAY":
			sm.after(streamPaidAfter, func() { sm.moveIf(e.OrderNo, "WAIT_PAY", stateWaitOutGuarantee) })
		}
	case EventOrderStatus:
		switch e.OrderStatus {
		case "WAIT_PAY": // the applicant pays a while later
			sm.after(streamPaidAfter, func() { sm.moveIf(e.OrderNo, "WAIT_PAY", stateWaitOutGuarantee) })
		case "WAIT_SUBMIT_FIRST_TRAIL": // sent back; the applicant resubmits
			sm.after(streamResubmitAfter, func() { sm.moveIf(e.OrderNo, "WAIT_SUBMIT_FIRST_TRAIL", "WAIT_FIRST_TRAIL") })
		case "WAIT_SUBMIT_TUNE_UP":
			sm.after(streamResubmitAfter, func() { sm.moveIf(e.OrderNo, "WAIT_SUBMIT_TUNE_UP", "WAIT_TUNE_UP") })
		}
	case EventPushed:
		sm.mu.Lock()
		sm.pushes++
		n := sm.pushes
		sm.mu.Unlock()
		if n == 1 || rand.IntN(100) < 40 {
			sm.after(5*time.Second, func() { sm.verify(e.GuaranteeNo, false) })
		}
		if n == 1 || rand.IntN(100) < 30 {
			sm.after(9*time.Second, func() { sm.query(e.GuaranteeNo) })
		}
		if n == 1 {
			sm.after(14*time.Second, func() { sm.claim(e.GuaranteeNo) })
			sm.after(30*time.Second, sm.revokeSome)
		}
	case EventReleased:
		if rand.IntN(100) < 50 {
			sm.after(10*time.Second, func() { sm.releaseQuery(e.GuaranteeNo) })
		}
	}
}

// moveIf moves an order to state if it is still in from ("" any state
// before an issued guarantee).
func (sm *stream) moveIf(orderNo, from, to string) {
	o, ok := sm.s.Order(orderNo)
	if !ok || stateClosed(o.Status()) || o.Status() == to || (from != "" && o.Status() != from) {
		return
	}
	_, _ = sm.s.ChangeOrderStatus(sm.ctx, orderNo, to)
}

// business does one of: revoke a block, open a claim, ask 验真 or 查验.
func (sm *stream) business() {
	if sm.s.opt.Mean && rand.IntN(100) < 10 {
		sm.unknownClaim()
		return
	}
	switch r := rand.IntN(100); {
	case r < 35:
		sm.revokeSome()
	case r < 55:
		if g, ok := sm.pickGuarantee(true); ok {
			sm.claim(g.GuaranteeNo)
		}
	case r < 80:
		if g, ok := sm.pickGuarantee(false); ok {
			sm.verify(g.GuaranteeNo, rand.IntN(100) < 20)
		}
	default:
		if g, ok := sm.pickGuarantee(false); ok {
			sm.query(g.GuaranteeNo)
		}
	}
}

// pickGuarantee picks an issued guarantee; unclaimed ones not revoked when
// forClaim.
func (sm *stream) pickGuarantee(forClaim bool) (Guarantee, bool) {
	var list []Guarantee
	sm.mu.Lock()
	defer sm.mu.Unlock()
	for _, g := range sm.s.Guarantees() {
		if forClaim && (sm.claimed[g.GuaranteeNo] || g.RevokeNo != "") {
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
func (sm *stream) revokeSome() {
	byBlock := map[string][]Guarantee{}
	for _, g := range sm.s.Guarantees() {
		if g.RevokeNo == "" {
			byBlock[g.BlockNumber] = append(byBlock[g.BlockNumber], g)
		}
	}
	if len(byBlock) == 0 {
		return
	}
	var block string
	sm.mu.Lock()
	for b, gs := range byBlock {
		block = b
		if !sm.claimed[gs[0].GuaranteeNo] {
			break
		}
	}
	var penalty []string
	for _, g := range byBlock[block] {
		if sm.claimed[g.GuaranteeNo] || (len(byBlock[block]) > 1 && rand.IntN(100) < 15) {
			penalty = append(penalty, g.GuaranteeNo)
		}
	}
	delete(sm.blocks, block) // the tender is decided: no more bidders
	sm.mu.Unlock()
	g := byBlock[block][0]
	_, _, err := sm.s.Revoke(sm.ctx, RevokeSpec{BlockNumber: block, Penalty: penalty,
		Declaration: DeclarationPDF(block, g.Creditor)})
	if err != nil {
		sm.s.log.Warn("模拟撤销失败", "block", block, "err", err)
	}
}

func (sm *stream) claim(guaranteeNo string) {
	sm.mu.Lock()
	if sm.claimed[guaranteeNo] {
		sm.mu.Unlock()
		return
	}
	sm.claimed[guaranteeNo] = true
	sm.mu.Unlock()
	if _, _, err := sm.s.ApplyClaim(sm.ctx, guaranteeNo); err != nil {
		sm.s.log.Warn("模拟理赔失败", "guarantee_no", guaranteeNo, "err", err)
	}
}

// verify asks 验真 of a pushed guarantee's PDF, or of a tampered copy.
func (sm *stream) verify(guaranteeNo string, tamper bool) {
	g, ok := sm.s.Guarantee(guaranteeNo)
	if !ok {
		return
	}
	f, ok := sm.s.File(g.PDFFileID)
	if !ok {
		return
	}
	pdf := bytes.Clone(f.Data)
	if tamper && len(pdf) > 64 {
		i := 16 + rand.IntN(len(pdf)-32)
		pdf[i] ^= 0x01
	}
	ans, err := sm.s.VerifyRequest(sm.ctx, g.SerialNum, pdf)
	if err != nil {
		sm.s.log.Warn("验真未成功", "guarantee_no", guaranteeNo, "err", err)
		return
	}
	sm.s.log.Info("验真结果", "guarantee_no", guaranteeNo, "tampered", tamper, "is_modified", ans.IsModified, "sign_name", ans.SignName)
}

func (sm *stream) query(guaranteeNo string) {
	g, ok := sm.s.Guarantee(guaranteeNo)
	if !ok {
		return
	}
	ans, err := sm.s.QueryRequest(sm.ctx, g.GuaranteeNo, g.SerialNum)
	if err != nil {
		sm.s.log.Warn("查验未成功", "guarantee_no", guaranteeNo, "err", err)
		return
	}
	sm.s.log.Info("查验结果", "guarantee_no", guaranteeNo, "amount", string(ans.Amount), "warrantee", ans.Warrantee)
}

func (sm *stream) releaseQuery(guaranteeNo string) {
	g, ok := sm.s.Guarantee(guaranteeNo)
	if !ok {
		return
	}
	ans, err := sm.s.ReleaseQuery(sm.ctx, g.BlockNumber, g.GuaranteeNo, g.SerialNum)
	if err != nil {
		sm.s.log.Warn("解保查询未成功", "guarantee_no", guaranteeNo, "err", err)
		return
	}
	sm.s.log.Info("解保查询结果", "guarantee_no", guaranteeNo, "status", releaseText(int(ans.Status)))
}

// unknownClaim (mean mode): a claim for a guarantee the platform has on
// record but the guarantor never issued (another firm's, misfiled).
func (sm *stream) unknownClaim() {
	s := sm.s
	s.mu.Lock()
	s.serial += 11
	no := fmt.Sprintf("WB%d", s.serial%1000000)
	serial := strconv.FormatUint(s.serial, 10)
	s.mu.Unlock()
	s.PutGuarantee(Guarantee{GuaranteeNo: no, SerialNum: serial, BlockNumber: "E3501000000" + serial[len(serial)-4:],
		BlockName: "外地某某工程（标段一）", Principal: "外地某某建设工程有限公司", Creditor: "外地某某局", Guarantor: "外地某某担保有限公司"})
	if _, _, err := s.ApplyClaim(sm.ctx, no); err != nil {
		s.log.Warn("模拟理赔失败", "guarantee_no", no, "err", err)
	}
}
