package status

import (
	"strings"
	"testing"

	"baohan/platform"
	"baohan/ui/cli/cmdutil/cmdtest"
)

// Flags before or after the arguments give the same input; nothing opens
// the config or the network when runF stands in for the run.
func TestNewCmdStatusFlags(t *testing.T) {
	want := platform.StatusInput{OrderNo: "1813", Status: "WAIT_OUT_GUARANTEE", Amount: "300.00", Withdraw: true, Statement: "退回"}
	for _, args := range [][]string{
		{"1813", "WAIT_OUT_GUARANTEE", "--amount", "300.00", "--withdraw", "--statement", "退回"},
		{"--amount", "300.00", "--withdraw", "1813", "--statement=退回", "WAIT_OUT_GUARANTEE"},
	} {
		e := cmdtest.New(t)
		var got *StatusOptions
		cmd := NewCmdStatus(e.F, func(o *StatusOptions) error { got = o; return nil })
		if err := cmdtest.Run(cmd, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if got.Input != want {
			t.Fatalf("%v: input %+v, want %+v", args, got.Input, want)
		}
	}
	e := cmdtest.New(t)
	if err := cmdtest.Run(NewCmdStatus(e.F, func(*StatusOptions) error { return nil }), "1813"); err == nil {
		t.Fatal("one argument accepted")
	}
}

// The help lists every state 2.3 takes, with its Chinese name.
func TestStatusHelp(t *testing.T) {
	h := help()
	for _, code := range platform.NotifiableStates {
		if !strings.Contains(h, code) || !strings.Contains(h, platform.OrderStateText(code)) {
			t.Fatalf("help lacks %s: %s", code, h)
		}
	}
}
