package platform

import (
	"context"
	"fmt"
	"time"

	"baohan/store"
)

// What 待办 reads: each section at most TodoLimit entries; the faults the
// listener recorded in the last FaultWindow, at most FaultLimit of them.
const (
	TodoLimit   = 60
	FaultLimit  = 5
	FaultWindow = 24 * time.Hour
)

// TodoList is 待办, what waits for the clerk now: the store's pending
// sections (orders not yet issued, guarantees to release, claims awaiting
// 受理 or a result, flagged orders, held callbacks), the outbound calls
// whose outcome is unknown (结果未知), and the recent faults. The desk's 待办
// pane and `baohan todo` both show it.
type TodoList struct {
	*store.Pending
	Unresolved []store.Attempt `json:"unresolved"`  // oldest first
	Faults     []store.Event   `json:"faults"`      // newest first
	MoreFaults bool            `json:"more_faults"` // more faults in the window than listed
}

// Todo reads 待办 from s as of now, in one pass.
func Todo(ctx context.Context, s *store.Store, now time.Time) (*TodoList, error) {
	p, err := s.Pending(ctx, TodoLimit)
	if err != nil {
		return nil, err
	}
	unres, err := s.Unresolved(ctx)
	if err != nil {
		return nil, err
	}
	evs, err := s.ListEvents(ctx, store.EventQuery{Kind: store.KindFault, Limit: FaultLimit + 1})
	if err != nil {
		return nil, fmt.Errorf("read faults: %w", err)
	}
	since := now.Add(-FaultWindow).UnixMilli()
	faults := []store.Event{}
	for _, e := range evs {
		if e.At >= since {
			faults = append(faults, e)
		}
	}
	t := &TodoList{Pending: p, Unresolved: unres, Faults: faults}
	if len(faults) > FaultLimit {
		t.Faults, t.MoreFaults = faults[:FaultLimit], true
	}
	if t.Unresolved == nil {
		t.Unresolved = []store.Attempt{}
	}
	return t, nil
}
