package store

import (
	"sync"
	"testing"
)

// TestConcurrentOpen: two processes (here two Stores) opening a new data
// folder at the same moment both get it (the desk and `baohan serve`
// started together); SQLite's SQLITE_BUSY while the first turns the new
// database to WAL is waited out.
func TestConcurrentOpen(t *testing.T) {
	for round := range 20 {
		dir := t.TempDir()
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := Open(dir)
				if err == nil {
					err = s.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
