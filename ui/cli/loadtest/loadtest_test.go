package loadtest

import (
	"testing"

	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdLoadtestFlags(t *testing.T) {
	e := cmdtest.New(t)
	var got *LoadtestOptions
	cmd := NewCmdLoadtest(e.F, func(o *LoadtestOptions) error { got = o; return nil })
	if err := cmdtest.Run(cmd, "-n", "20", "-c", "3", "--kind", "order", "--url", "http://127.0.0.1:1", "--throwaway"); err != nil {
		t.Fatal(err)
	}
	if got.N != 20 || got.C != 3 || got.Kind != "order" || got.URL != "http://127.0.0.1:1" || !got.Throwaway {
		t.Fatalf("options %+v", got)
	}
	e = cmdtest.New(t)
	cmd = NewCmdLoadtest(e.F, func(o *LoadtestOptions) error { got = o; return nil })
	if err := cmdtest.Run(cmd); err != nil {
		t.Fatal(err)
	}
	if got.N != 1000 || got.C != 8 || got.Throwaway {
		t.Fatalf("defaults %+v", got)
	}
}
