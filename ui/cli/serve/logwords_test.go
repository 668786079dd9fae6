package serve

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// serve's log lines have a Chinese message; the English one stays as
// event=, and every key is kept.
func TestLogLinesChinese(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewLogHandler(slog.NewTextHandler(&b, nil))).With("pid", 7)
	log.Info("callback", "callback", "apply_guarantee", "status", 200, "ref", "1813")
	log.Warn("something new", "k", "v")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines: %q", b.String())
	}
	for _, want := range []string{"msg=收到回调", "event=callback", "callback=apply_guarantee", "status=200", "ref=1813", "pid=7"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("no %s in %q", want, lines[0])
		}
	}
	if !strings.Contains(lines[1], `msg="something new"`) || strings.Contains(lines[1], "event=") {
		t.Errorf("a message without a word: %q", lines[1])
	}
}
