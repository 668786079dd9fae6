package sandbox

import (
	"testing"

	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil/cmdtest"
)

func TestNewCmdSandboxFlags(t *testing.T) {
	e := cmdtest.New(t)
	var got *SandboxOptions
	cmd := NewCmdSandbox(e.F, func(o *SandboxOptions) error { got = o; return nil })
	if err := cmdtest.Run(cmd, "--headless", "--pace", "2.5", "--callbacks", "http://127.0.0.1:8721/", "--mean"); err != nil {
		t.Fatal(err)
	}
	if !got.Headless || got.Pace != 2.5 || got.Callbacks != "http://127.0.0.1:8721/" || !got.Mean {
		t.Fatalf("options %+v", got)
	}
	// --callbacks needs --headless: refused before anything starts.
	e = cmdtest.New(t)
	err := cmdtest.Run(NewCmdSandbox(e.F, func(*SandboxOptions) error { t.Fatal("ran"); return nil }), "--callbacks", "http://x")
	if cli.ExitCode(err) != cli.ExitUsage {
		t.Fatalf("--callbacks alone: %v", err)
	}
}

func TestMarkData(t *testing.T) {
	dir := t.TempDir()
	if IsData(dir) {
		t.Fatal("an empty folder is sandbox data")
	}
	if err := MarkData(dir); err != nil {
		t.Fatal(err)
	}
	if !IsData(dir) {
		t.Fatal("a marked folder is not sandbox data")
	}
}
