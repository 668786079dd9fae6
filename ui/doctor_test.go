package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"baohan/ui/cli/doctor"
)

func failingReport() *doctor.Report {
	return &doctor.Report{Checks: []doctor.Check{
		{Name: "配置文件", OK: true, Verdict: "可读"},
		{Name: "公网地址", Verdict: "经 https://bh.example.com 到不了本机的回调监听（回答 HTTP 502）", Fix: "检查隧道是否在运行。"},
	}, CallbackURLs: doctor.CallbackURLs("https://bh.example.com")}
}

// On its first start with a new config the desk opens with doctor's
// report; the status bar keeps the outcome afterwards.
func TestDeskFirstStartShowsDoctor(t *testing.T) {
	var runs atomic.Int32
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), FirstStart: true,
		Doctor: func(context.Context) *doctor.Report { runs.Add(1); return failingReport() }}, 120, 40)
	d.waitFor("doctor report", func(m *Model) bool { return m.bar.Doctor() != nil && m.pc.Top() != nil })
	v := d.view()
	for _, w := range []string{"首次启动：检查设置", "✗ 公网地址", "修复：检查隧道是否在运行。", "https://bh.example.com/callbacks/claim", "设置检查 1 项未通过（公网地址"} {
		if !strings.Contains(v, w) {
			t.Errorf("screen lacks %q:\n%s", w, v)
		}
	}
	d.keys("esc")
	d.waitFor("report closed", func(m *Model) bool { return m.pc.Top() == nil })
	if v := d.view(); !strings.Contains(v, "设置检查 1 项未通过") || strings.Contains(v, "首次启动") {
		t.Errorf("after esc:\n%s", v)
	}
	if runs.Load() != 1 {
		t.Errorf("doctor ran %d times", runs.Load())
	}
	// ! (the status bar says it) opens the report again, esc closes it.
	if v := d.view(); !strings.Contains(v, "按 ! 查看") {
		t.Errorf("the status bar does not name the key:\n%s", v)
	}
	d.keys("!")
	if v := d.view(); !strings.Contains(v, "✗ 公网地址") || !strings.Contains(v, "修复：检查隧道是否在运行。") {
		t.Errorf("! does not show the checks:\n%s", v)
	}
	d.keys("esc")
	d.waitFor("report closed", func(m *Model) bool { return m.pc.Top() == nil })
}

// A desk started again (not the first start) only shows the outcome in
// its status bar.
func TestDeskDoctorStatusBar(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db),
		Doctor: func(context.Context) *doctor.Report { return &doctor.Report{OK: true} }}, 120, 40)
	d.waitFor("doctor ran", func(m *Model) bool { return m.bar.Doctor() != nil })
	if v := d.view(); !strings.Contains(v, "设置检查全部通过") || strings.Contains(v, "首次启动") {
		t.Errorf("screen:\n%s", v)
	}
}
