package take

import (
	"testing"

	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdTakeFlags(t *testing.T) {
	for _, c := range []struct {
		args    []string
		version int64
	}{{[]string{"1813"}, 0}, {[]string{"1813", "7"}, 7}} {
		e := cmdtest.New(t)
		var got *TakeOptions
		if err := cmdtest.Run(NewCmdTake(e.F, func(o *TakeOptions) error { got = o; return nil }), c.args...); err != nil {
			t.Fatal(err)
		}
		if got.OrderNo != "1813" || got.Version != c.version {
			t.Fatalf("%v: options %+v", c.args, got)
		}
	}
	for _, v := range []string{"0", "x"} {
		e := cmdtest.New(t)
		err := cmdtest.Run(NewCmdTake(e.F, func(*TakeOptions) error { t.Fatal("ran"); return nil }), "1813", v)
		if cli.ExitCode(err) != cli.ExitUsage {
			t.Fatalf("version %q: %v", v, err)
		}
	}
}
