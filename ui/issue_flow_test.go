package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

const (
	letterTemplate = "../testdata/letter/template.pdf"
	letterCert     = "../testdata/letter/firm-rsa.p12"
	letterPassword = "baohan-test"
)

// hexRun is a SHA-256 (or any long hex run): a signed letter's hash changes
// with the CMS signing time, so goldens show it masked.
var hexRun = regexp.MustCompile(`[0-9a-f]{64}`)

// signedAt is the CMS signing time (the signer's clock, not the desk's),
// and a signed file's size varies by a byte or two with the DER of its
// signature.
var (
	signedAt  = regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间，来源：签名属性`)
	sizeBytes = regexp.MustCompile(`\d+ 字节|\d+\.\d KB`)
)

// maskSigned hides what changes from one signature to the next.
func maskSigned(s string) string {
	s = hexRun.ReplaceAllString(s, strings.Repeat("#", 64))
	s = signedAt.ReplaceAllString(s, "YYYY-MM-DD hh:mm:ss（北京时间，来源：签名属性")
	return sizeBytes.ReplaceAllStringFunc(s, func(m string) string { return regexp.MustCompile(`\d`).ReplaceAllString(m, "9") })
}

// openIssue starts 签发 on the fixture's order in 待出函 (1813037629, the
// fourth row of 订单) from the firm's template.
func openIssue(d *desk) {
	d.keys("2", "j", "j", "j", "i")
	d.waitFor("the issue flow", func(m *Model) bool { v, ok := m.top().(*issueView); return ok && v.step == isSource })
	d.keys("tab", "text:"+letterTemplate, "tab", "text:BH2025-0001", "enter")
	d.waitFor("the review", func(m *Model) bool { v, ok := m.top().(*issueView); return ok && v.step == isReview })
}

// The review step (the facts LetterFor computes, 大写 included) and the
// result step (pdfsign's report, SHA-256) at 80x24 and 120x36.
func TestGoldenIssue(t *testing.T) {
	for _, step := range []string{"review", "signed"} {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", step, sz.w, sz.h), func(t *testing.T) {
				st := fixtureStore(t)
				d := newDesk(t, Options{Store: st, Workflows: testWorkflows(st), Sandbox: true}, sz.w, sz.h)
				openIssue(d)
				if step == "signed" {
					d.keys("enter", "text:"+letterCert, "tab", "text:"+letterPassword, "enter")
					d.waitFor("the signed letter", func(m *Model) bool { v, ok := m.top().(*issueView); return ok && v.step == isSigned })
				}
				golden.RequireEqual(t, []byte(maskSigned(d.final())))
			})
		}
	}
}
