package pdfsign

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkCorpusVsPdfsig checks every file of ../shared/pdfcorpus with
// our check and with poppler's pdfsig, side by side in one run, each as a
// process of its own (ours: this test binary in the child mode
// CheckFileIsolated uses, so the figure includes starting a Go process):
//
//	go test -run '^$' -bench CorpusVsPdfsig -benchtime 1x ./pdfsign/
//
// It reports the CPU (user+system) of both over the corpus, the largest
// per-file ratio, and our largest peak resident memory (ru_maxrss). The
// per-file table goes to the log with -v.
func BenchmarkCorpusVsPdfsig(b *testing.B) {
	dir := filepath.Join("..", "..", "shared", "pdfcorpus")
	files := corpusFiles(b, dir)
	if _, err := exec.LookPath("pdfsig"); err != nil {
		b.Skip("pdfsig not installed (apt-get install -y poppler-utils)")
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	opts, _ := json.Marshal(childOptions{Timeout: DefaultTimeout})
	type row struct {
		name             string
		ours, theirs     time.Duration
		oursRSS, theirMB float64
	}
	var rows []row
	for b.Loop() {
		rows = rows[:0]
		for _, f := range files {
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), envChild+"=1", envFile+"="+f, envOpts+"="+string(opts), envTrust+"=")
			_, _ = runConfined(cmd) // exit status is the verdict's business, not the benchmark's
			ours, oursRSS := usage(cmd.ProcessState)
			ref := exec.Command("pdfsig", "-nocert", "-no-ocsp", f)
			_ = ref.Run()
			theirs, theirRSS := usage(ref.ProcessState)
			rows = append(rows, row{filepath.Base(f), ours, theirs, oursRSS, theirRSS})
		}
	}
	var sumOurs, sumTheirs time.Duration
	maxRatio, maxRSS := 0.0, 0.0
	worst := ""
	for _, r := range rows {
		sumOurs += r.ours
		sumTheirs += r.theirs
		ratio := float64(r.ours) / float64(max(r.theirs, time.Millisecond))
		if ratio > maxRatio {
			maxRatio, worst = ratio, r.name
		}
		maxRSS = max(maxRSS, r.oursRSS)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ours > rows[j].ours })
	for _, r := range rows[:min(10, len(rows))] {
		b.Logf("%-70s ours %6.0f ms %5.1f MB   pdfsig %6.0f ms %5.1f MB", r.name,
			float64(r.ours.Microseconds())/1000, r.oursRSS, float64(r.theirs.Microseconds())/1000, r.theirMB)
	}
	b.Logf("files %d: CPU ours %v, pdfsig %v (ratio %.2f); worst file ratio %.2f (%s); our peak RSS %.1f MB",
		len(rows), sumOurs, sumTheirs, float64(sumOurs)/float64(sumTheirs), maxRatio, worst, maxRSS)
	b.ReportMetric(float64(sumOurs)/float64(sumTheirs), "cpu-ratio")
	b.ReportMetric(maxRatio, "worst-file-ratio")
	b.ReportMetric(maxRSS, "peak-MB")
	b.ReportMetric(sumOurs.Seconds(), "ours-cpu-s")
	b.ReportMetric(sumTheirs.Seconds(), "pdfsig-cpu-s")
}

func usage(ps *os.ProcessState) (time.Duration, float64) {
	if ps == nil {
		return 0, 0
	}
	cpu := ps.UserTime() + ps.SystemTime()
	return cpu, maxRSSMB(ps)
}

func corpusFiles(b *testing.B, dir string) []string {
	f, err := os.Open(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		b.Skip("corpus ../shared/pdfcorpus absent:", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) > 0 && col[0] != "" {
			out = append(out, filepath.Join(dir, "files", col[0]))
		}
	}
	if len(out) == 0 {
		b.Skipf("no files in %s", dir)
	}
	return out
}
