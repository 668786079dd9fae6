package ui

import (
	"context"
	"strings"
	"testing"

	"baohan/store"
)

// A release whose 2.9 answer left it in doubt (解保结果不明, protocol.md)
// stays in 待办's 待解保 and says so, in place of the list's name.
func TestTodoShowsReleaseInDoubt(t *testing.T) {
	db := fixtureStore(t)
	d := newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	if v := d.view(); strings.Contains(v, "结果不明") || !strings.Contains(v, "G2025002") {
		t.Fatalf("before: 待办 says 结果不明 or lacks the release:\n%s", v)
	}
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.SetReleaseDoubt("G2025002", true)
	}); err != nil {
		t.Fatal(err)
	}
	d = newDesk(t, Options{Store: db, Workflows: testWorkflows(db), Sandbox: true}, 120, 36)
	v := d.view()
	var line string
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "G2025002") && strings.Contains(l, "批次") {
			line = l
		}
	}
	if !strings.Contains(line, "结果不明") {
		t.Fatalf("the release in doubt is not said on its 待办 row %q:\n%s", line, v)
	}
}
