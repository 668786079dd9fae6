package result

import (
	"strings"
	"testing"

	"baohan/platform"
	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdResultFlags(t *testing.T) {
	e := cmdtest.New(t)
	var got *ResultOptions
	cmd := NewCmdResult(e.F, func(o *ResultOptions) error { got = o; return nil })
	if err := cmdtest.Run(cmd, "--do-type", "1", "C7", "--status", "2", "--note", "已受理"); err != nil {
		t.Fatal(err)
	}
	want := platform.ClaimResultInput{ClaimNo: "C7", DoType: "1", Status: "2", Note: "已受理"}
	if got.Input != want {
		t.Fatalf("input %+v, want %+v", got.Input, want)
	}
	for _, d := range platform.ClaimResultChoices {
		if !strings.Contains(help(), "--do-type "+d.Code+"（"+d.Meaning+"）") {
			t.Fatalf("help lacks do_type %s: %s", d.Code, help())
		}
	}
}
