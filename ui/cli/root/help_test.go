package root

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/iostreams"
)

// englishRun is a run of English words in a description: three words of
// letters in a row, not a code (snake_case, --flag, $VAR, a path).
var englishRun = regexp.MustCompile(`(?:^|[\s(（])[A-Za-z]{2,}(?:[ ,][A-Za-z]{2,}){2,}`)

// commandPath is a command line named in a description ("baohan order
// cancel"): a code, not English.
var commandPath = regexp.MustCompile(`baohan(?: [a-z]+)*`)

func english(s string) string {
	return englishRun.FindString(commandPath.ReplaceAllString(s, "baohan"))
}

// Every --help of the command tree is Chinese (interface.md): no cobra
// "Usage:", "Flags:", "help for", no "(default", and every description of
// a command and a flag is a Chinese sentence, not English.
func TestHelpIsChinese(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewCmdRoot(cmdutil.New(ios, "test"))
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, d := range []string{c.Short, c.Long} {
			if m := english(d); m != "" {
				t.Errorf("%s: English in %q (%q)", c.CommandPath(), d, m)
			}
		}
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if m := english(fl.Usage); m != "" {
				t.Errorf("%s --%s: English in %q (%q)", c.CommandPath(), fl.Name, fl.Usage, m)
			}
		})
		for _, s := range c.Commands() {
			walk(s, append(append([]string{}, path...), s.Name()))
		}
	}
	walk(root, nil)
	if len(paths) < 30 {
		t.Fatalf("only %d commands walked", len(paths))
	}
	for _, p := range paths {
		for _, h := range []string{"--help", "-h"} {
			code, out, errs := execute(append(append([]string{}, p...), h)...)
			if code != 0 || errs != "" {
				t.Fatalf("%v %s: exit %d, stderr %q", p, h, code, errs)
			}
			for _, bad := range []string{"Usage:", "Flags:", "help for", "(default", "Available Commands", "[flags]", "Use \""} {
				if strings.Contains(out, bad) {
					t.Errorf("%v %s shows %q:\n%s", p, h, bad, out)
				}
			}
			if !strings.Contains(out, "用法：") {
				t.Errorf("%v %s: no 用法：\n%s", p, h, out)
			}
		}
	}
	if code, out, _ := execute("help", "order", "status"); code != 0 || strings.Contains(out, "Usage:") || !strings.Contains(out, "用法：") {
		t.Errorf("help order status: %d\n%s", code, out)
	}
}
