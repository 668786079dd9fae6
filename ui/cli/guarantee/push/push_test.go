package push

import (
	"testing"

	"baohan/platform"
	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdPushFlags(t *testing.T) {
	e := cmdtest.New(t)
	var got *PushOptions
	cmd := NewCmdPush(e.F, func(o *PushOptions) error { got = o; return nil })
	err := cmdtest.Run(cmd, "--no", "BH-1", "1813", "--pdf", "a.pdf", "--out-time", "2026-01-02 03:04:05", "--trans-no", "T9", "--force")
	if err != nil {
		t.Fatal(err)
	}
	want := platform.PushInput{OrderNo: "1813", GuaranteeNo: "BH-1", PDFPath: "a.pdf", OutTime: "2026-01-02 03:04:05", TransNo: "T9", Force: true}
	if got.Input != want {
		t.Fatalf("input %+v, want %+v", got.Input, want)
	}
	if got.JSON() {
		t.Fatal("--json reported without the flag")
	}
	e.F.JSON = true
	if !got.JSON() {
		t.Fatal("JSON does not follow the factory's --json")
	}
}
