package ui

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"baohan/store"
	"baohan/ui/components/pane"
)

// Benchmarks against a store of 100 000 orders (built once per test binary
// run, in a temporary folder):
//
//	go test ./ui/ -run '^$' -bench 100k -benchtime 200x
//
// BenchmarkFirstFrame100k: New, the first reads, and the first full frame.
// BenchmarkScrollKey100k: one key (down; every 20th a page down) to the
// frame that shows its rows, reads included.
// BenchmarkFilterKey100k: one key typed into the search to its frame (the
// search itself runs in a command after typing pauses: "search-ms" is
// that read and the frame showing its result, "rare-search-ms" the same for
// a word only 100 orders hold).

const benchOrders = 100_000

var (
	bigOnce  sync.Once
	bigStore *store.Store
	bigDir   string
	bigErr   error
)

func bigFixture(b *testing.B) *store.Store {
	b.Helper()
	bigOnce.Do(func() {
		bigDir, bigErr = os.MkdirTemp("", "baohan-ui-bench-")
		if bigErr != nil {
			return
		}
		bigStore, bigErr = store.Open(bigDir)
		if bigErr != nil {
			return
		}
		bigErr = fillOrders(bigStore, benchOrders)
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigStore
}

var (
	benchBlocks = []string{"福州市第三中学教学楼改造工程（标段%d）", "闽江路排水管网工程第%d标段", "仓山区道路绿化提升工程（%d）",
		"鼓楼区老旧小区改造项目施工（标段%d）", "马尾港区仓储中心建设工程%d号地块"}
	benchFirms = []string{"福建省建工集团有限公司", "福州永安建设有限公司", "福建绿城园林工程有限公司", "福州鼓楼建工有限公司", "马尾港建设有限公司"}
	benchState = []string{"WAIT_FIRST_TRAIL", "WAIT_TUNE_UP", "WAIT_OFFER", "WAIT_PAY", "WAIT_OUT_GUARANTEE", "HAS_OUT_GUARANTEE", "FINISH", "CANCEL"}
)

func fillOrders(db *store.Store, n int) error {
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	const batch = 5000
	for i := 0; i < n; i += batch {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for j := i; j < min(i+batch, n); j++ {
				d := base.Add(time.Duration(j%500) * 24 * time.Hour / 10).Add(time.Duration(j%7) * time.Hour)
				o := store.Order{
					OrderNo:         strconv.Itoa(1900000000 + j),
					OrderStatus:     benchState[j%len(benchState)],
					BlockNumber:     fmt.Sprintf("BN-%06d", j/3),
					BlockName:       fmt.Sprintf(benchBlocks[j%len(benchBlocks)], j%97),
					Principal:       benchFirms[(j/5)%len(benchFirms)],
					Creditor:        benchFirms[(j/7)%len(benchFirms)],
					GuaranteeAmount: strconv.Itoa(10000+j%900*1000) + ".00",
					BidDeadline:     d.Format("2006-01-02 15:04"),
				}
				if err := tx.UpsertOrder(o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// runSync runs commands and the commands their messages lead to, in this
// goroutine, leaving timers (the live poll, the spinner) unarmed.
func runSync(m *Model, cmds ...tea.Cmd) {
	queue := cmds
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case spinner.TickMsg:
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

func noTimer(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// firstFrame builds the desk and draws its first full frame.
func firstFrame(db *store.Store, w, h int) (*Model, string) {
	m := newModel(Options{Store: db, Now: clockNow})
	m.pc.Tick = noTimer
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	runSync(m, m.initLoads()...)
	return m, m.View()
}

func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func BenchmarkFirstFrame100k(b *testing.B) {
	db := bigFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	var m *Model
	var v string
	for i := 0; i < b.N; i++ {
		m, v = firstFrame(db, 120, 36)
	}
	b.StopTimer()
	if !strings.Contains(v, "待办") || m.todo.Count() <= 0 {
		b.Fatalf("first frame without data:\n%s", v)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MB-heap")
	b.ReportMetric(rssMB(), "MB-rss")
	runtime.KeepAlive(m)
}

func BenchmarkScrollKey100k(b *testing.B) {
	db := bigFixture(b)
	m, _ := firstFrame(db, 120, 36)
	m.Update(keyMsg("2"))
	runSync(m, m.panes[m.active].Refresh(m.pc))
	down, pgdn := keyMsg("down"), keyMsg("pgdown")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := down
		if i%20 == 19 {
			k = pgdn
		}
		_, cmd := m.Update(k)
		runSync(m, cmd)
		_ = m.View()
	}
	b.StopTimer()
	t := m.panes[pane.IDOrders].(*pane.Table[store.Order])
	if _, ok := t.Selected(); !ok {
		b.Fatalf("selected row %d not loaded", t.Cursor())
	}
	b.ReportMetric(float64(t.Cursor()), "rows-down")
	b.ReportMetric(float64(t.Held()), "rows-held")
	// A jump to the last of the 100 000 rows, once.
	start := time.Now()
	_, cmd := m.Update(keyMsg("G"))
	runSync(m, cmd)
	_ = m.View()
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "end-jump-ms")
	if t.Cursor() != benchOrders-1 {
		b.Fatalf("G selected row %d, want %d", t.Cursor(), benchOrders-1)
	}
}

func BenchmarkFilterKey100k(b *testing.B) {
	db := bigFixture(b)
	m, _ := firstFrame(db, 120, 36)
	m.Update(keyMsg("2"))
	runSync(m, m.panes[m.active].Refresh(m.pc))
	m.Update(keyMsg("/"))
	t := m.panes[pane.IDOrders].(*pane.Table[store.Order])
	typed := []rune("福州永安")
	var search time.Duration
	searches := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Type the word, then rub it out, again and again.
		var k tea.KeyMsg
		if n := i % (2 * len(typed)); n < len(typed) {
			k = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{typed[n]}}
		} else {
			k = keyMsg("backspace")
		}
		m.Update(k)
		_ = m.View()
		if i%4 == 3 {
			// Typing pauses: the search runs (timed apart).
			b.StopTimer()
			s := time.Now()
			runSync(m, t.SearchPaused)
			_ = m.View()
			search += time.Since(s)
			searches++
			b.StartTimer()
		}
	}
	b.StopTimer()
	if searches > 0 {
		b.ReportMetric(float64(search.Microseconds())/1000/float64(searches), "search-ms")
	}
	// A search that matches few rows reads the whole table.
	t.Search.SetValue("19000999")
	s := time.Now()
	runSync(m, t.SearchPaused)
	_ = m.View()
	b.ReportMetric(float64(time.Since(s).Microseconds())/1000, "rare-search-ms")
	if t.Known() != 100 {
		b.Fatalf("rare search found %d orders, want 100", t.Known())
	}
}
