package listener

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// childProcesses counts this process's child processes (/proc).
func childProcesses(t testing.TB) int {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skip("no /proc")
	}
	n := 0
	for _, task := range tasks {
		b, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/children")
		n += len(strings.Fields(string(b)))
	}
	return n
}

// TestChecksAtOnceCapped (issue 24, item 6): 8 authentic 2.6 at once, each
// with a PDF bomb, over loopback: never more than MaxConcurrentChecks
// checking children at once (counted in /proc while they run), and every
// one answered within the check's time (a verdict, or 2608 for one whose
// turn did not come in time). Before the cap, 8 children ran at once.
func TestChecksAtOnceCapped(t *testing.T) {
	if testing.Short() {
		t.Skip("runs checking children")
	}
	e := newEnv(t)
	bomb := nestingBomb(1 << 20)
	const n = 8
	for i := range n {
		k := strconv.Itoa(600 + i)
		e.seedIssued("1813000"+k, "FZDB2026000"+k, "806097210890174"+k, sha(bomb))
	}
	base := childProcesses(t)
	stop := make(chan struct{})
	peak := make(chan int)
	go func() {
		top := 0
		for {
			select {
			case <-stop:
				peak <- top
				return
			case <-time.After(2 * time.Millisecond):
				top = max(top, childProcesses(t)-base)
			}
		}
	}()
	var wg sync.WaitGroup
	answers := make([]reply, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = e.send(verifyCallback("806097210890174"+strconv.Itoa(600+i), bomb))
		}()
	}
	wg.Wait()
	close(stop)
	top := <-peak
	statuses := map[int]int{}
	for _, a := range answers {
		statuses[a.Status]++
		if a.HTTP != 200 || (a.Status != 200 && (a.Status < 2600 || a.Status > 2609)) {
			t.Errorf("answer HTTP %d %s", a.HTTP, a.Raw)
		}
	}
	e.srv.checks.mu.Lock()
	gateTop := e.srv.checks.top
	e.srv.checks.mu.Unlock()
	t.Logf("%d 2.6 with a bomb at once: at most %d checking children seen, %d checks at once in the gate; statuses %v", n, top, gateTop, statuses)
	if top > 2 || gateTop > 2 { // the issue asks for 2
		t.Errorf("%d children / %d checks at once, cap %d", top, gateTop, MaxConcurrentChecks)
	}
}
