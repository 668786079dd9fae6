package root

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/iostreams"
)

func execute(args ...string) (code int, stdout, stderr string) {
	ios, _, out, errOut := iostreams.Test()
	f := cmdutil.New(ios, "test")
	code = Execute(context.Background(), f, NewCmdRoot(f), args)
	return code, out.String(), errOut.String()
}

// Usage errors exit 2 with one Chinese sentence on stderr and, with
// --json (wherever it stands), one JSON error document on stdout; none of
// them opens a config or the network.
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--no-such-flag"}, {"order"}, {"order", "nosuch"}, {"order", "status", "1"},
		{"help", "nosuch"}, {"held", "accept", "x"}, {"sandbox", "--callbacks", "http://x"},
	} {
		code, out, errs := execute(append(args, "--json")...)
		if code != cli.ExitUsage || !strings.HasPrefix(errs, "baohan: ") {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
		var doc struct {
			Error struct {
				Exit    int    `json:"exit"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Error.Exit != 2 || doc.Error.Message == "" {
			t.Fatalf("%v: not one JSON error document: %v %q", args, err, out)
		}
		if code, out, _ := execute(args...); code != cli.ExitUsage || out != "" {
			t.Fatalf("%v without --json: exit %d, stdout %q", args, code, out)
		}
	}
}

func TestWantsJSON(t *testing.T) {
	for args, want := range map[string]bool{
		"list orders --json": true, "--json=true list": true, "--json=1": true,
		"list -- --json": false, "list orders": false, "--json=false": false,
	} {
		if got := wantsJSON(strings.Fields(args)); got != want {
			t.Errorf("wantsJSON(%s) = %v", args, got)
		}
	}
}

// Every command of the tree has a runnable or a group with subcommands,
// and the version is the factory's.
func TestTree(t *testing.T) {
	code, out, _ := execute("--version")
	if code != 0 || !strings.Contains(out, "test") {
		t.Fatalf("--version: %d %q", code, out)
	}
	code, out, _ = execute("todo", "--help")
	if code != 0 || !strings.Contains(out, "待办") {
		t.Fatalf("todo --help: %d %q", code, out)
	}
}

// --version --json prints one JSON document with the version.
func TestVersionJSON(t *testing.T) {
	code, out, _ := execute("--version", "--json")
	var doc struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil || doc.Version != "test" {
		t.Fatalf("--version --json: exit %d, %v, %q", code, err, out)
	}
}

// A --data folder that does not exist is an error (exit 2) for every
// command but init and sandbox, which create it (interface.md): a typo in
// its name no longer opens an empty store.
func TestDataFolderMustExist(t *testing.T) {
	missing := t.TempDir() + "/no-such-folder"
	for _, args := range [][]string{{"list", "orders"}, {"todo"}, {"backup", t.TempDir() + "/b.db"}, {"held", "accept", "1"}, {"export", "orders", "--out", t.TempDir() + "/x.csv"}} {
		code, out, errs := execute(append(args, "--data", missing, "--json")...)
		if code != cli.ExitUsage || !strings.Contains(errs, "不存在") || !strings.Contains(out, `"exit": 2`) {
			t.Fatalf("%v --data missing: exit %d, stderr %q, stdout %q", args, code, errs, out)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("the missing folder was created: %v", err)
	}
	ios, _, _, _ := iostreams.Test()
	root := NewCmdRoot(cmdutil.New(ios, "test"))
	for _, name := range []string{"init", "sandbox"} {
		c, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		if err := dataExists(c, missing); err != nil {
			t.Errorf("%s refuses a new --data folder: %v", name, err)
		}
	}
}

// One overwrite rule (interface.md): keygen, backup and export refuse an
// existing file (exit 2, naming --force) and replace it with --force.
func TestOverwriteNeedsForce(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	keys := out + "/keys"
	for _, c := range []struct {
		args []string
		file string
	}{
		{[]string{"keygen", keys}, keys + "/private.pem"},
		{[]string{"backup", out + "/b.db", "--data", data}, out + "/b.db"},
		{[]string{"export", "orders", "--out", out + "/o.csv", "--data", data}, out + "/o.csv"},
	} {
		if code, _, errs := execute(c.args...); code != 0 {
			t.Fatalf("%v: exit %d %s", c.args, code, errs)
		}
		first, _ := os.ReadFile(c.file)
		fi, _ := os.Stat(c.file)
		if code, _, errs := execute(c.args...); code != cli.ExitUsage || !strings.Contains(errs, "--force") {
			t.Fatalf("%v again: exit %d, stderr %q; want a refusal naming --force", c.args, code, errs)
		}
		if again, _ := os.ReadFile(c.file); string(again) != string(first) {
			t.Fatalf("%v: the refusal changed %s", c.args, c.file)
		}
		if code, _, errs := execute(append(c.args, "--force")...); code != 0 {
			t.Fatalf("%v --force: exit %d %s", c.args, code, errs)
		}
		if fi2, err := os.Stat(c.file); err != nil || os.SameFile(fi, fi2) {
			t.Fatalf("%v --force did not write a new %s: %v", c.args, c.file, err)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 3 {
		t.Fatalf("left behind in %s: %v", out, entries)
	}
}

// restore names the real data folder in its steps.
func TestRestoreNamesTheFolder(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := execute("restore", "--data", dir)
	if code != 0 || !strings.Contains(out, dir+"/baohan.db") || strings.Contains(out, "数据文件夹>") {
		t.Fatalf("restore --data %s: exit %d\n%s", dir, code, out)
	}
}
