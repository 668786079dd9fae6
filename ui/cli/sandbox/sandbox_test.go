package sandbox

import (
	"os"
	"path/filepath"
	"strings"
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

// A --data folder holding a real setup (config.toml, keys/ from init) is
// refused, and left as it was; an empty one and the sandbox's own are not.
func TestRefuseRealSetup(t *testing.T) {
	real := t.TempDir()
	cfg := filepath.Join(real, "config.toml")
	if err := os.WriteFile(cfg, []byte("# init's\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := refuseRealSetup(real)
	if cli.ExitCode(err) != cli.ExitUsage || !strings.Contains(err.Error(), "config.toml") {
		t.Fatalf("real setup: %v", err)
	}
	if b, _ := os.ReadFile(cfg); string(b) != "# init's\n" {
		t.Fatalf("config changed: %q", b)
	}
	if err := refuseRealSetup(t.TempDir()); err != nil {
		t.Fatalf("empty folder: %v", err)
	}
	own := t.TempDir()
	if err := os.WriteFile(filepath.Join(own, "config.toml"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := MarkData(filepath.Join(own, "data")); err != nil {
		t.Fatal(err)
	}
	if err := refuseRealSetup(own); err != nil {
		t.Fatalf("the sandbox's own folder: %v", err)
	}
}

// The sandbox's config has a public URL: where its platform sends the
// callbacks (the listener, or --callbacks), so that doctor's 公网地址 check
// has something to prove.
func TestStartWritesPublicURL(t *testing.T) {
	for _, callbacks := range []string{"", "http://127.0.0.1:8721"} {
		env, err := Start(t.TempDir(), callbacks, false)
		if err != nil {
			t.Fatal(err)
		}
		want := callbacks
		if want == "" {
			want = "http://" + env.Config.Listener.Addr
		}
		if got := env.Config.Listener.PublicURL; got != want {
			t.Errorf("--callbacks %q: public_url %q, want %q", callbacks, got, want)
		}
		env.Close()
	}
}
