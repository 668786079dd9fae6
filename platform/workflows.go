package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"baohan/pdfsign"
	"baohan/store"
)

// Workflows are the outbound actions of the desk and the CLI: each fills its
// request from what the store holds, validates it locally, records the
// attempt before sending and the outcome after, and writes what came back.
// The TUI and the CLI both call these; neither holds a business rule.
//
// Every action is two steps: Plan* validates and builds exactly what will be
// sent (the clerk confirms it), then Execute sends it.
type Workflows struct {
	Client    *Client
	Store     *store.Store
	Guarantor string          // [guarantor] name: 保证人(出函担保公司)
	PDF       pdfsign.Options // the check before a push
	Now       func() time.Time
}

// NewWorkflows wires the workflows of a loaded config.
func NewWorkflows(cfg *Config, client *Client, st *store.Store) *Workflows {
	return &Workflows{
		Client: client, Store: st, Guarantor: cfg.Guarantor.Name,
		PDF: pdfsign.Options{Revocation: cfg.PDF.RevocationCheck, Timeout: cfg.PDF.Timeout.Duration},
		Now: time.Now,
	}
}

func (w *Workflows) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// InputError is a request refused locally, before anything was sent: a
// missing or wrong value, an unknown order. The CLI exits 2 on it.
type InputError struct {
	Msg string
	// Hint is what a command-line user types to mend it ("--amount"); the
	// CLI shows it, the desk has its own form fields.
	Hint string
}

func (e *InputError) Error() string { return e.Msg }

func inputErr(format string, a ...any) error { return &InputError{Msg: fmt.Sprintf(format, a...)} }

func inputErrHint(hint, format string, a ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, a...), Hint: hint}
}

// IsInputError tells whether err is a local refusal.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// Plan is one outbound call, ready to send: what it is, exactly what goes to
// the platform, and what the clerk should know first.
type Plan struct {
	Method   string // the manual's method name
	Title    string // what the clerk does, in Chinese
	Ref      string // the order, guarantee or claim it is about
	Request  any    // the message as it will be sent (timestamp set on sending)
	File     string // a file sent beside the request, if any
	Warnings []string
	// Report is the PDF check of a push.
	Report *pdfsign.Report
	// Overridable are a push's objections that --force overrides (unsigned,
	// another signer, a file already pushed for another guarantee). While
	// they stand the plan is held: Execute refuses it until Override.
	Overridable []string

	held bool
	run  func(ctx context.Context) (*Result, error)
}

// Field is one name and value of a Plan's request, for showing.
type Field struct {
	Name, Value string
}

// Fields lists the request's fields in the manual's names, sorted, with the
// common fields the client fills on sending left out.
func (p *Plan) Fields() []Field {
	f, err := ToFields(p.Request)
	if err != nil {
		return nil
	}
	var out []Field
	for k, v := range f {
		switch k {
		case "method", "timestamp", "btc_id", "enter_institution_type", "sign":
			continue
		}
		out = append(out, Field{k, FieldText(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Result is what an executed plan brought back.
type Result struct {
	Summary   string    // one line for the clerk, in Chinese
	SerialNum SerialNum // a push's 保函序列号
	// Reconciled: the platform already had this (2428) and the record was
	// brought in line instead of pushing again.
	Reconciled bool
	// RemoveErrors are 2.9's per-item errors, by block.
	RemoveErrors []RemoveError
	// Released, Refused and InDoubt count a release's items by outcome
	// (protocol.md 2.9: an item in doubt is never counted as refused).
	Released, Refused, InDoubt int
	Data                       any // the decoded answer, where there is one
}

// Execute sends a plan. The attempt is recorded before sending and its
// outcome after; an answer that never came is recorded as 结果未知.
func (w *Workflows) Execute(ctx context.Context, p *Plan) (*Result, error) {
	if p == nil || p.run == nil {
		return nil, errors.New("execute: empty plan")
	}
	if p.held {
		return nil, inputErr("未发送：%s（须确认后强制推送）", strings.Join(p.Overridable, "；"))
	}
	return p.run(ctx)
}

// call records an attempt, makes the call through fn and records the
// outcome; the event journal gets a line either way. apply, when not nil,
// writes the records a successful answer implies (a serial, pushed,
// released, a claim's state) in the same transaction as the outcome, on a
// context that does not share the caller's cancellation (protocol.md,
// "Outcomes are recorded"): a quit or Ctrl-C after the answer came loses
// nothing. When that write fails, the attempt stays unresolved (sending)
// for reconcile to find.
func (w *Workflows) call(ctx context.Context, method, ref string, request any, fn func(ctx context.Context) (string, error), apply func(tx *store.Tx) error) error {
	reqJSON, _ := Marshal(request)
	id, err := w.Store.StartAttempt(ctx, method, ref, string(reqJSON))
	if err != nil {
		return fmt.Errorf("record %s attempt: %w", method, err)
	}
	start := time.Now()
	var sent Sent
	summary, callErr := fn(WithSent(ctx, &sent))
	latency := time.Since(start).Milliseconds()

	state, status, msg := store.AttemptOK, StatusOK, ""
	var pe *Error
	switch {
	case callErr == nil:
	case errors.As(callErr, &pe):
		state, status, msg = store.AttemptRefused, pe.Status, pe.Error()
	case OutcomeUnknown(callErr):
		state, status, msg = store.AttemptUnknown, 0, callErr.Error()
	default:
		state, status, msg = store.AttemptFailed, 0, callErr.Error()
	}
	if callErr != nil {
		summary = fmt.Sprintf("%s %s：%s", methodTitle(method), ref, msg)
	}
	// The outcome is recorded even when the caller's context is done.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	detail := string(reqJSON)
	if len(sent.Plaintext) > 0 {
		// The journal shows exactly what was sent and what came back.
		answer := json.RawMessage("null")
		if json.Valid(sent.Answer) {
			answer = sent.Answer
		} else if len(sent.Answer) > 0 {
			answer, _ = json.Marshal(string(sent.Answer))
		}
		if b, err := Marshal(map[string]json.RawMessage{"request": sent.Plaintext, "answer": answer}); err == nil {
			detail = string(b)
		}
	}
	recErr := w.Store.Update(rctx, func(tx *store.Tx) error {
		if err := tx.FinishAttemptSent(id, state, status, msg, string(sent.Answer), string(sent.Plaintext)); err != nil {
			return err
		}
		if callErr == nil && apply != nil {
			if err := apply(tx); err != nil {
				return err
			}
		}
		_, err := tx.AddEvent(store.Event{Kind: store.KindCall, Direction: store.DirOut, Method: method, Ref: ref,
			Status: status, LatencyMS: latency, Summary: summary, Detail: detail})
		return err
	})
	if callErr != nil {
		return callErr
	}
	if recErr != nil {
		return fmt.Errorf("%s %s：平台已受理，但本地记录失败（结果待对账核对）：%w", methodTitle(method), ref, recErr)
	}
	return nil
}

// methodTitle names a method for the clerk.
func methodTitle(method string) string {
	switch method {
	case MethodGetAccessToken:
		return "获取access_token"
	case MethodGetGuaranteeInfo:
		return "获取订单信息"
	case MethodNotifyOrderStatus:
		return "订单状态通知"
	case MethodPushGuarantee:
		return "推送电子保函"
	case MethodRemoveGuarantee:
		return "保函解保"
	case MethodCancelOrder:
		return "订单取消"
	case MethodUpdateClaimResult:
		return "理赔结果更新"
	case MethodGetClaimInfo:
		return "获取理赔信息"
	case MethodGetFileURL:
		return "获取文件URL"
	}
	return method
}

// MethodTitle is the Chinese name of a call or callback method.
func MethodTitle(method string) string { return methodTitle(method) }

// fieldsJSON turns the raw answer data of 2.2/3.3 into a JSON object for
// the store's fields column.
func fieldsJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	return raw
}

// required refuses an empty value of the manual's field name; hint is the
// CLI flag that gives it ("" when it is a positional argument).
func required(name, hint, value string) error {
	if strings.TrimSpace(value) == "" {
		return inputErrHint(hint, "缺少 %s", FieldNamed(name))
	}
	return nil
}
