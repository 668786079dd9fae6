package pane

import (
	"context"
	"strings"

	"baohan/platform"
	"baohan/ui/program"
)

// Exporter is a pane that can export what it shows.
type Exporter interface {
	// Ledger reads the pane's Ledger (in a command) and says in words
	// which filter it applied ("" none).
	Ledger(pc *program.Context) (read func(ctx context.Context) (*platform.Ledger, error), filter string)
}

// filterWords says a pane's range and search in words.
func filterWords(views []string, q Query) string {
	var parts []string
	if q.View > 0 && q.View < len(views) {
		parts = append(parts, "范围 "+views[q.View])
	}
	if q.Filter != "" {
		parts = append(parts, "搜索「"+q.Filter+"」")
	}
	return strings.Join(parts, "，")
}

// Ledger reads the ledger through the pane's query (nil: no export).
func (t *Table[T]) Ledger(pc *program.Context) (func(ctx context.Context) (*platform.Ledger, error), string) {
	if t.LedgerOf == nil {
		return nil, ""
	}
	db, q, of := pc.Store, t.q, t.LedgerOf
	return func(ctx context.Context) (*platform.Ledger, error) { return of(ctx, db, q) }, filterWords(t.Views, q)
}
