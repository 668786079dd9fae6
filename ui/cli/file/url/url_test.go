package url

import (
	"testing"

	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdURLFlags(t *testing.T) {
	e := cmdtest.New(t)
	var got *URLOptions
	cmd := NewCmdURL(e.F, func(o *URLOptions) error { got = o; return nil })
	if err := cmdtest.Run(cmd, "--download", "/tmp/x.pdf", "F1"); err != nil {
		t.Fatal(err)
	}
	if got.FileID != "F1" || got.Download != "/tmp/x.pdf" {
		t.Fatalf("options %+v", got)
	}
}
