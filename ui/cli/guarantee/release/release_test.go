package release

import (
	"slices"
	"testing"

	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdReleaseFlags(t *testing.T) {
	e := cmdtest.New(t)
	var got *ReleaseOptions
	cmd := NewCmdRelease(e.F, func(o *ReleaseOptions) error { got = o; return nil })
	if err := cmdtest.Run(cmd, "G1", "--date", "2026-01-02 03:04:05", "G2"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.GuaranteeNos, []string{"G1", "G2"}) || got.Date != "2026-01-02 03:04:05" {
		t.Fatalf("options %+v", got)
	}
	e = cmdtest.New(t)
	if err := cmdtest.Run(NewCmdRelease(e.F, func(*ReleaseOptions) error { return nil })); err == nil {
		t.Fatal("no guarantee accepted")
	}
}
