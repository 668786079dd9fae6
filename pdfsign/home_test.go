package pdfsign

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// freshHomeEnv marks the child process of TestNoWritesToHome.
const freshHomeEnv = "PDFSIGN_TEST_FRESH_HOME"

// TestNoWritesToHome runs checks in a child process whose HOME and XDG
// folders are empty temporary folders, without calling Setup first (the lazy
// default), and then expects those folders to be still empty: no
// ~/.config/pdfcpu, no ~/.config/baohan, nothing.
func TestNoWritesToHome(t *testing.T) {
	if os.Getenv(freshHomeEnv) != "" {
		t.Skip("inside the child")
	}
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFreshHomeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		freshHomeEnv+"=1",
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"XDG_DATA_HOME="+filepath.Join(home, "data"),
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var found []string
	_ = filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if path != home {
			found = append(found, path)
		}
		return nil
	})
	if len(found) > 0 {
		t.Errorf("the check wrote into the home folder: %v", found)
	}
}

func TestFreshHomeChild(t *testing.T) {
	if os.Getenv(freshHomeEnv) == "" {
		t.Skip("only as the child of TestNoWritesToHome")
	}
	for _, name := range []string{"signed.pdf", "two-signatures.pdf", "appended.pdf", "unsigned.pdf"} {
		rep, err := CheckFile(context.Background(), filepath.Join(fixtureDir, name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if want := fixtures[name]; rep.Intact() != want.intact || rep.Conclusion() != want.conclusion {
			t.Fatalf("%s: intact %v %q, want %v %q; problems %v", name, rep.Intact(), rep.Conclusion(),
				want.intact, want.conclusion, rep.Problems)
		}
	}
	if _, _, err := HashFile(filepath.Join(fixtureDir, "signed.pdf")); err != nil {
		t.Fatal(err)
	}
}
