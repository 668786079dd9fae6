// Package loadtest sends many valid callbacks to a running listener, the way
// the platform sends them (signed with api_secret, encrypted with rsa_pk,
// url-encoded form), and measures how many it acknowledges per second and
// how long each took.
//
// Every callback is new (a 2.1 order with a unique order_no, or a 2.4
// status update for such an order), so each one is decrypted, checked and
// committed: this measures ingest, not the duplicate path. Run it against a
// throw-away data folder (`baohan sandbox --headless`, or `baohan serve
// --data /tmp/x`), never against the firm's store: the orders it sends are
// stored like real ones.
//
// The commands:
//
//	baohan loadtest --url http://127.0.0.1:8720 -n 5000 -c 64   # against a running listener (wired in main.go)
//	go test ./listener/loadtest -run TestLoadLoopback -v -args -n 5000 -c 64   # self-contained, on a temp store
//
// Messages are sealed before the clock starts (encryption is the
// platform's cost, not the listener's).
package loadtest

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"baohan/platform"
)

// Kinds of callbacks Run can send.
const (
	KindApply  = "apply_guarantee"     // 2.1, a new order each (the largest param: 7 RSA blocks)
	KindStatus = "notify_order_status" // 2.4, a status update each (2 RSA blocks); orders unknown to the store are flagged
)

// Options of a run.
type Options struct {
	// URL is the listener's base URL, e.g. "http://127.0.0.1:8720".
	URL         string
	N           int // callbacks to send (default 1000)
	Concurrency int // parallel senders (default 8)
	APISecret   string
	PublicKey   *rsa.PublicKey // rsa_pk, the half of the listener's private key
	Kind        string         // KindApply (default) or KindStatus
	// Prefix makes the order numbers of this run unique (default: from
	// the clock).
	Prefix string
	// Client sends the requests (default: one with keep-alive for
	// Concurrency connections and a 30 s timeout).
	Client *http.Client
}

// Result of a run. Latencies are per request, failed ones included.
type Result struct {
	N         int           `json:"n"`
	Errors    int           `json:"errors"`
	Duration  time.Duration `json:"duration_ns"`
	PerSecond float64       `json:"per_second"` // acknowledged callbacks per second
	P50       time.Duration `json:"p50_ns"`
	P90       time.Duration `json:"p90_ns"`
	P99       time.Duration `json:"p99_ns"`
	Max       time.Duration `json:"max_ns"`
	// FirstError describes the first failed request ("" when none).
	FirstError string `json:"first_error,omitempty"`
}

// String is a one-line summary.
func (r Result) String() string {
	return fmt.Sprintf("%d callbacks (%d errors) in %s: %.0f/s, p50 %s, p90 %s, p99 %s, max %s",
		r.N, r.Errors, r.Duration.Round(time.Millisecond), r.PerSecond, r.P50.Round(10*time.Microsecond),
		r.P90.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond))
}

// Run seals N distinct callbacks, then sends them with Concurrency senders
// and waits for every answer. An answer is acknowledged when it is HTTP 200
// with JSON status 200; anything else counts as an error. Run returns an
// error only when it cannot start (bad options, sealing failed) or ctx ends.
func Run(ctx context.Context, opt Options) (Result, error) {
	if opt.URL == "" || opt.PublicKey == nil || opt.APISecret == "" {
		return Result{}, errors.New("loadtest: URL, APISecret and PublicKey are required")
	}
	if opt.N <= 0 {
		opt.N = 1000
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 8
	}
	if opt.Kind == "" {
		opt.Kind = KindApply
	}
	if opt.Prefix == "" {
		opt.Prefix = fmt.Sprintf("9%08d", time.Now().UnixMilli()%1e8)
	}
	path, err := pathOf(opt.Kind)
	if err != nil {
		return Result{}, err
	}
	target := strings.TrimRight(opt.URL, "/") + path
	bodies, err := Seal(opt, opt.N)
	if err != nil {
		return Result{}, err
	}
	client := opt.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: opt.Concurrency, MaxIdleConnsPerHost: opt.Concurrency, IdleConnTimeout: time.Minute,
		}}
		defer client.CloseIdleConnections()
	}

	lat := make([]time.Duration, opt.N)
	var next, errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range min(opt.Concurrency, opt.N) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= opt.N || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				err := post(ctx, client, target, bodies[i])
				lat[i] = time.Since(t0)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	res := Result{N: opt.N, Errors: int(errs.Load()), Duration: time.Since(start)}
	if s, ok := firstErr.Load().(string); ok {
		res.FirstError = s
	}
	res.PerSecond = float64(res.N-res.Errors) / res.Duration.Seconds()
	slices.Sort(lat)
	res.P50, res.P90, res.P99, res.Max = Percentile(lat, 50), Percentile(lat, 90), Percentile(lat, 99), lat[len(lat)-1]
	return res, nil
}

// Percentile of sorted durations (nearest rank).
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func pathOf(kind string) (string, error) {
	switch kind {
	case KindApply:
		return "/callbacks/apply_guarantee", nil
	case KindStatus:
		return "/callbacks/order_status", nil
	}
	return "", fmt.Errorf("loadtest: unknown kind %q (want %s or %s)", kind, KindApply, KindStatus)
}

// Seal makes n distinct url-encoded callback bodies of opt.Kind, in
// parallel. Order numbers are opt.Prefix followed by the index.
func Seal(opt Options, n int) ([][]byte, error) {
	bodies := make([][]byte, n)
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	ts := platform.Timestamp(time.Now())
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				param, err := platform.Seal(opt.APISecret, opt.PublicKey, Message(opt.Kind, OrderNo(opt.Prefix, i), ts))
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				bodies[i] = []byte(url.Values{"param": {param}}.Encode())
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("loadtest: seal: %w", firstErr)
	}
	return bodies, nil
}

// OrderNo is the i-th order number of a run.
func OrderNo(prefix string, i int) string { return fmt.Sprintf("%s%06d", prefix, i) }

// Message is a realistic callback of kind for orderNo.
func Message(kind, orderNo, timestamp string) any {
	block := "E3501020030" + orderNo[len(orderNo)-4:]
	if kind == KindStatus {
		return platform.OrderStatusNotice{
			RequestMethod: platform.CallbackOrderStatus, Timestamp: platform.Str(timestamp), OrderNo: platform.Str(orderNo),
			BlockNumber: platform.Str(block), BlockName: "福州市仓山区城门镇排涝站改造工程施工（标段一）",
			Principal: "福建闽江建设工程有限公司", Creditor: "福州市仓山区水利局", Applicant: "福建闽江建设工程有限公司",
			OrderStatusOld: "WAIT_PAY", OrderStatus: "WAIT_OUT_GUARANTEE",
		}
	}
	return platform.ApplyGuarantee{
		RequestMethod: platform.CallbackApplyGuarantee, Timestamp: platform.Str(timestamp),
		BtcName: "福州市公共资源交易服务中心", OrderNo: platform.Str(orderNo), OrderStatus: "WAIT_FIRST_TRAIL", Ktype: "1",
		ProjectNumber: "E3501020030000123", ProjectName: "福州市仓山区城门镇排涝站改造工程",
		BlockNumber: platform.Str(block), BlockName: "福州市仓山区城门镇排涝站改造工程施工（标段一）",
		ProjectType: "construction", Address: "福建省福州市", BidDeadline: "2026-12-21 09:30", ValidDay: "90",
		GuaranteeAmount: "80000.00", ProjectAmount: "4000000.00", ContractReckonAmount: "4000000.00",
		ProjectCityCode: "350104", GuaranteeStartDate: "2026-12-21", GuaranteeEndDate: "2027-04-18",
		Creditor: "福州市仓山区水利局", CreditorName: "陈建国", CreditorPhone: "13905910001",
		CreditorAccountBankName: "中国建设银行福州仓山支行", CreditorAccountBankNo: "35050161004700000123",
		TenderNoticeURL: "https://ggzyjy.fuzhou.gov.cn/jyxx/zbgg/E3501020030000123.html",
		BiddingAgent:    "福建省建瓯工程咨询有限公司", BiddingAgentName: "林晓", BiddingAgentPhone: "13805910002",
		Principal: "福建闽江建设工程有限公司", PrincipalName: "王强", PrincipalPhone: "13705910003",
		PrincipalEmail: "bid@minjiang.example.cn", PrincipalIDCard: "350102198001010011",
		PrincipalLegalPerson: "黄海", PrincipalLegalIDCard: "350102197501010022", PrincipalLegalPhone: "13605910004",
		PrincipalPhoneSocialCreditCode: "91350100MA2XXXXX0B", PrincipalAddress: "福州市台江区江滨中大道 88 号 1201 室",
		PrincipalBankAccountNo: "13500001234567890", PrincipalBankAccountName: "中国工商银行福州台江支行",
		GuaranteeTemplateName: "投标保函（担保公司直开式）模板.pdf",
		GuaranteeSignFiles:    `[{"file_id":"F1813","file_url":"https://ebg.conzhu.net/files/F1813?token=x","file_name":"投标保函模板.pdf"}]`,
	}
}

func post(ctx context.Context, c *http.Client, target string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	var a struct {
		Status int    `json:"status"`
		Msg    string `json:"msg"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("HTTP %d, answer is not JSON: %.80q", resp.StatusCode, b)
	}
	if resp.StatusCode != http.StatusOK || a.Status != platform.StatusOK {
		return fmt.Errorf("HTTP %d status %d %s", resp.StatusCode, a.Status, a.Msg)
	}
	return nil
}
