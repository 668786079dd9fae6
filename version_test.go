package main

import (
	"bytes"
	"context"
	"testing"
)

// TestVersionLine: --version names the version and the commit; the
// stamped commit wins over the toolchain's revision.
func TestVersionLine(t *testing.T) {
	for _, c := range []struct{ version, commit, rev, want string }{
		{"1.2.0", "0123456789ab", "fedcba987654", "1.2.0 (commit 0123456789ab)"},
		{"1.2.0", "", "fedcba987654-dirty", "1.2.0 (commit fedcba987654-dirty)"},
		{"0.1.0-dev", "", "", "0.1.0-dev"},
	} {
		if got := versionLine(c.version, c.commit, c.rev); got != c.want {
			t.Errorf("versionLine(%q, %q, %q) = %q, want %q", c.version, c.commit, c.rev, got, c.want)
		}
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--version"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if want := "baohan version " + versionLine(version, commit, buildRevision()) + "\n"; out.String() != want {
		t.Errorf("--version printed %q, want %q", out.String(), want)
	}
}
