package decide

import (
	"testing"

	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdDecide(t *testing.T) {
	for _, accept := range []bool{true, false} {
		e := cmdtest.New(t)
		var got *DecideOptions
		cmd := NewCmdDecide(e.F, accept, func(o *DecideOptions) error { got = o; return nil })
		if err := cmdtest.Run(cmd, "--note", "核对无误", "12"); err != nil {
			t.Fatal(err)
		}
		if got.ID != 12 || got.Accept != accept || got.Note != "核对无误" {
			t.Fatalf("options %+v", got)
		}
	}
	// Not a positive number: a usage error before any store is opened.
	for _, id := range []string{"0", "-3", "x"} {
		e := cmdtest.New(t)
		err := cmdtest.Run(NewCmdDecide(e.F, true, func(*DecideOptions) error { t.Fatal("ran"); return nil }), "--", id)
		if cli.ExitCode(err) != cli.ExitUsage {
			t.Fatalf("id %q: %v", id, err)
		}
	}
}
