package service

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"baohan/platform/sandbox"
	"baohan/ui/cli/cmdutil/cmdtest"
)

var spec = Spec{
	Exe:    "/opt/保函 app/baohan",
	Config: `/home/c/.config/baohan/my "cfg" 100%.toml`,
	Data:   "/home/c/data $HOME",
	Log:    "/home/c/data $HOME/serve.log",
}

// TestSystemdUnit: the unit runs serve with every path quoted for
// systemd (spaces, quotes, % specifiers, $ variables).
func TestSystemdUnit(t *testing.T) {
	u := SystemdUnit(spec)
	want := `ExecStart="/opt/保函 app/baohan" "serve" "--config" "/home/c/.config/baohan/my \"cfg\" 100%%.toml" "--data" "/home/c/data $$HOME"` + "\n"
	for _, line := range []string{want, "[Service]\n", "Type=simple\n", "Restart=on-failure\n", "KillSignal=SIGTERM\n",
		"WantedBy=default.target\n", "After=network-online.target\n"} {
		if !strings.Contains(u, line) {
			t.Errorf("unit lacks %q:\n%s", line, u)
		}
	}
	if strings.Count(u, "ExecStart=") != 1 {
		t.Errorf("unit:\n%s", u)
	}
}

// TestLaunchdPlist: the plist is well-formed XML whose program arguments
// are exactly serve's, and whose output goes to the log file.
func TestLaunchdPlist(t *testing.T) {
	s := spec
	s.Config = "/Users/c/a&b <x>.toml"
	p := LaunchdPlist(s)
	d := xml.NewDecoder(strings.NewReader(p))
	var strs []string
	inString := false
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("plist is not XML: %v\n%s", err, p)
			}
			break
		}
		switch v := tok.(type) {
		case xml.StartElement:
			inString = v.Name.Local == "string"
		case xml.CharData:
			if inString {
				strs = append(strs, string(v))
			}
		case xml.EndElement:
			inString = false
		}
	}
	want := []string{Label, s.Exe, "serve", "--config", s.Config, "--data", s.Data, s.Log, s.Log}
	if !reflect.DeepEqual(strs, want) {
		t.Errorf("strings %q, want %q", strs, want)
	}
	for _, k := range []string{"<key>RunAtLoad</key>\n\t<true/>", "<key>KeepAlive</key>", "<key>StandardErrorPath</key>"} {
		if !strings.Contains(p, k) {
			t.Errorf("plist lacks %q", k)
		}
	}
}

func TestNewSpec(t *testing.T) {
	s, err := NewSpec("/a/baohan", "/a/c.toml", "/a/data")
	if err != nil || s.Log != filepath.Join("/a/data", LogName) {
		t.Errorf("%+v %v", s, err)
	}
	for _, bad := range [][3]string{{"baohan", "/c", "/d"}, {"/b", "c.toml", "/d"}, {"/b", "/c", "/d\nExecStartPre=/bin/rm"}} {
		if _, err := NewSpec(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// fakeRun records the commands it is given; fail makes those starting
// with it fail.
type fakeRun struct {
	calls []string
	fail  string
}

func (f *fakeRun) run(name string, args ...string) ([]byte, error) {
	c := name + " " + strings.Join(args, " ")
	f.calls = append(f.calls, c)
	if f.fail != "" && strings.HasPrefix(c, f.fail) {
		return []byte("Failed to connect to bus"), errors.New("exit status 1")
	}
	return nil, nil
}

func TestSystemd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "systemd", "user")
	r := &fakeRun{}
	d := systemd{dir: dir, run: r.run}
	file, next, err := d.Install(spec)
	if err != nil || file != filepath.Join(dir, "baohan.service") {
		t.Fatalf("install: %q %v", file, err)
	}
	b, err := os.ReadFile(file)
	if err != nil || string(b) != SystemdUnit(spec) {
		t.Errorf("unit file %v:\n%s", err, b)
	}
	if !reflect.DeepEqual(r.calls, []string{"systemctl --user daemon-reload", "systemctl --user enable baohan.service"}) {
		t.Errorf("install ran %q", r.calls)
	}
	if !strings.Contains(strings.Join(next, "\n"), "baohan service start") {
		t.Errorf("next %q", next)
	}
	if _, _, err := d.Install(spec); err == nil || !strings.Contains(err.Error(), "服务已安装") {
		t.Errorf("second install: %v", err)
	}
	r.calls = nil
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := d.Uninstall(); err != nil {
		t.Fatal(err)
	}
	want := []string{"systemctl --user start baohan.service", "systemctl --user stop baohan.service",
		"systemctl --user disable --now baohan.service", "systemctl --user daemon-reload"}
	if !reflect.DeepEqual(r.calls, want) {
		t.Errorf("ran %q, want %q", r.calls, want)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unit file left: %v", err)
	}
	if err := d.Uninstall(); err == nil || !strings.Contains(err.Error(), "服务未安装") {
		t.Errorf("second uninstall: %v", err)
	}
	// No user manager (a bare SSH session): the unit is still written,
	// and the clerk is told what to run.
	r = &fakeRun{fail: "systemctl"}
	d.run = r.run
	if _, next, err := d.Install(spec); err != nil || !strings.Contains(strings.Join(next, "\n"), "Failed to connect to bus") {
		t.Errorf("install without systemd: %q %v", next, err)
	}
	if err := d.Start(); err == nil || !strings.Contains(err.Error(), "systemctl --user start baohan.service 失败：Failed to connect to bus") {
		t.Errorf("start without systemd: %v", err)
	}
}

func TestLaunchd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "LaunchAgents")
	r := &fakeRun{}
	l := launchd{dir: dir, uid: 501, run: r.run}
	if err := l.Start(); err == nil || len(r.calls) != 0 {
		t.Errorf("start before install: %v %q", err, r.calls)
	}
	file, _, err := l.Install(spec)
	if err != nil || file != filepath.Join(dir, "baohan.serve.plist") {
		t.Fatalf("install: %q %v", file, err)
	}
	if b, _ := os.ReadFile(file); string(b) != LaunchdPlist(spec) {
		t.Errorf("plist file:\n%s", b)
	}
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	if err := l.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := l.Uninstall(); err != nil {
		t.Fatal(err)
	}
	want := []string{"launchctl bootstrap gui/501 " + file, "launchctl bootout gui/501/baohan.serve", "launchctl bootout gui/501/baohan.serve"}
	if !reflect.DeepEqual(r.calls, want) {
		t.Errorf("ran %q, want %q", r.calls, want)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("plist left: %v", err)
	}
}

// fakeSCM is winManager over a map of services.
type fakeSCM struct {
	services map[string][]string
	sources  map[string]bool
	calls    []string
	fail     string
}

func (m *fakeSCM) step(c string) error {
	m.calls = append(m.calls, c)
	if m.fail != "" && strings.HasPrefix(c, m.fail) {
		return errors.New("Access is denied.")
	}
	return nil
}

func (m *fakeSCM) Exists(name string) (bool, error) {
	_, ok := m.services[name]
	return ok, m.step("exists " + name)
}
func (m *fakeSCM) Create(name, exe string, args []string) error {
	if err := m.step("create " + name); err != nil {
		return err
	}
	m.services[name] = append([]string{exe}, args...)
	return nil
}
func (m *fakeSCM) Delete(name string) error {
	delete(m.services, name)
	return m.step("delete " + name)
}
func (m *fakeSCM) Start(name string) error { return m.step("start " + name) }
func (m *fakeSCM) Stop(name string) error  { return m.step("stop " + name) }
func (m *fakeSCM) InstallEventSource(name string) error {
	if err := m.step("source " + name); err != nil {
		return err
	}
	m.sources[name] = true
	return nil
}
func (m *fakeSCM) RemoveEventSource(name string) error {
	delete(m.sources, name)
	return m.step("unsource " + name)
}
func (m *fakeSCM) Close() error { return m.step("close") }

// TestWindowsService drives install, start, stop and uninstall of the
// Windows service through winManager.
func TestWindowsService(t *testing.T) {
	m := &fakeSCM{services: map[string][]string{}, sources: map[string]bool{}}
	w := windowsService{open: func() (winManager, error) { return m, nil }}
	s, err := NewSpec(`C:\Program Files\baohan\baohan.exe`, `C:\Users\c\AppData\Roaming\baohan\config.toml`, `C:\Users\c\AppData\Local\baohan`)
	if err != nil && filepath.Separator == '/' {
		// Windows paths are not absolute here; the spec is built by hand.
		s = Spec{Exe: `C:\Program Files\baohan\baohan.exe`, Config: `C:\Users\c\AppData\Roaming\baohan\config.toml`,
			Data: `C:\Users\c\AppData\Local\baohan`, Log: `C:\Users\c\AppData\Local\baohan\serve.log`}
	}
	_, next, err := w.Install(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{s.Exe, "service", "run", "--config", s.Config, "--data", s.Data}
	if !reflect.DeepEqual(m.services[Name], want) || !m.sources[Name] {
		t.Errorf("installed %q, event source %v", m.services[Name], m.sources[Name])
	}
	if !strings.Contains(strings.Join(next, "\n"), s.Log) {
		t.Errorf("next %q", next)
	}
	if _, _, err := w.Install(s); err == nil || !strings.Contains(err.Error(), "已安装") {
		t.Errorf("second install: %v", err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	if err := w.Stop(); err != nil {
		t.Fatal(err)
	}
	m.calls = nil
	if err := w.Uninstall(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.calls, []string{"exists baohan", "stop baohan", "delete baohan", "unsource baohan", "close"}) || len(m.services) != 0 || m.sources[Name] {
		t.Errorf("uninstall ran %q; left %v %v", m.calls, m.services, m.sources)
	}
	if err := w.Uninstall(); err == nil || !strings.Contains(err.Error(), "未安装") {
		t.Errorf("second uninstall: %v", err)
	}

	// The Event Log source cannot be registered: no service is left.
	m = &fakeSCM{services: map[string][]string{}, sources: map[string]bool{}, fail: "source"}
	w = windowsService{open: func() (winManager, error) { return m, nil }}
	if _, _, err := w.Install(s); err == nil || !strings.Contains(err.Error(), "事件日志") || len(m.services) != 0 {
		t.Errorf("install without an event source: %v, services %v", err, m.services)
	}
	// No administrator: the clerk is told so.
	w = windowsService{open: func() (winManager, error) { return nil, errors.New("Access is denied.") }}
	if err := w.Start(); err == nil || !strings.Contains(err.Error(), "管理员") {
		t.Errorf("not administrator: %v", err)
	}
}

type fakeLog struct{ lines []string }

func (l *fakeLog) Info(m string) error  { l.lines = append(l.lines, "info: "+m); return nil }
func (l *fakeLog) Error(m string) error { l.lines = append(l.lines, "error: "+m); return nil }

// TestRunLoop: the service's states and Event Log lines for a requested
// stop, a stop whose drain fails, and serve ending by itself.
func TestRunLoop(t *testing.T) {
	var states []state
	status := func(s state) { states = append(states, s) }
	untilStopped := func(err error) func(context.Context) error {
		return func(ctx context.Context) error { <-ctx.Done(); return err }
	}
	reqs := make(chan request, 2)
	reqs <- reqInterrogate
	reqs <- reqStop
	elog := &fakeLog{}
	if code := runLoop(reqs, status, untilStopped(nil), elog); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if want := []state{stateStartPending, stateRunning, stateRunning, stateStopPending, stateStopped}; !reflect.DeepEqual(states, want) {
		t.Errorf("states %v, want %v", states, want)
	}
	if want := []string{"info: baohan 服务已启动（回调监听）", "info: baohan 服务已停止"}; !reflect.DeepEqual(elog.lines, want) {
		t.Errorf("event log %q", elog.lines)
	}

	states, elog = nil, &fakeLog{}
	reqs <- reqStop
	if code := runLoop(reqs, status, untilStopped(errors.New("drain timed out")), elog); code != 1 ||
		elog.lines[len(elog.lines)-1] != "error: baohan 服务已停止，停止时出错：drain timed out" {
		t.Errorf("failed drain: code %d, log %q", code, elog.lines)
	}

	states, elog = nil, &fakeLog{}
	ended := func(context.Context) error { return errors.New("listener.addr 127.0.0.1:8720 无法监听") }
	if code := runLoop(make(chan request), status, ended, elog); code != 1 || states[len(states)-1] != stateStopped ||
		!strings.HasPrefix(elog.lines[len(elog.lines)-1], "error: baohan 服务意外停止：listener.addr") {
		t.Errorf("serve ended: code %d, states %v, log %q", code, states, elog.lines)
	}
}

func TestEscapeArg(t *testing.T) {
	for in, want := range map[string]string{
		"": `""`, `C:\baohan\baohan.exe`: `C:\baohan\baohan.exe`, `C:\Program Files\b.exe`: `"C:\Program Files\b.exe"`,
		`a "b"`: `"a \"b\""`, `C:\my dir\`: `"C:\my dir\\"`, `a\"b c`: `"a\\\"b c"`,
	} {
		if got := escapeArg(in); got != want {
			t.Errorf("escapeArg(%q) = %q, want %q", in, got, want)
		}
	}
}

// fakeSystem records what the command asks of the system.
type fakeSystem struct {
	installed *Spec
	calls     []string
}

func (f *fakeSystem) Install(s Spec) (string, []string, error) {
	f.installed = &s
	return "/u/baohan.service", []string{"已写入"}, nil
}
func (f *fakeSystem) Uninstall() error { f.calls = append(f.calls, "uninstall"); return nil }
func (f *fakeSystem) Start() error     { f.calls = append(f.calls, "start"); return nil }
func (f *fakeSystem) Stop() error {
	f.calls = append(f.calls, "stop")
	return errors.New("Unit baohan.service not loaded.")
}

func testConfig(t *testing.T) (dir, path string) {
	k, err := sandbox.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	path, err = k.WriteConfig(dir, "http://127.0.0.1:1/api/guarantor/v1/", "127.0.0.1:0", sandbox.ConfigExtra{GuarantorName: "福州测试融资担保有限公司", StoreDir: "data"})
	if err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// TestCmdService: install resolves the program, config and data folder to
// absolute paths from a config that loads, and refuses without one.
func TestCmdService(t *testing.T) {
	dir, path := testConfig(t)
	e := cmdtest.New(t)
	sys := &fakeSystem{}
	opts := &Options{Factory: e.F, Exe: func() (string, error) { return "/opt/baohan", nil }, System: func() (system, error) { return sys, nil }}
	e.F.ConfigPath = path
	e.F.JSON = true
	cmd := newCmd(opts)
	if err := cmdtest.Run(cmd, "install"); err != nil {
		t.Fatal(err)
	}
	if sys.installed == nil || *sys.installed != (Spec{Exe: "/opt/baohan", Config: path, Data: filepath.Join(dir, "data"), Log: filepath.Join(dir, "data", LogName)}) {
		t.Errorf("installed %+v", sys.installed)
	}
	var doc ServiceJSON
	if err := json.Unmarshal(e.Out.Bytes(), &doc); err != nil || doc.Action != "install" || doc.File != "/u/baohan.service" {
		t.Errorf("json %v %s", err, e.Out)
	}
	if err := cmdtest.Run(newCmd(opts), "start"); err != nil {
		t.Fatal(err)
	}
	if err := cmdtest.Run(newCmd(opts), "stop"); err == nil || !strings.Contains(err.Error(), "not loaded") {
		t.Errorf("stop: %v", err)
	}

	e = cmdtest.New(t)
	e.F.ConfigPath = filepath.Join(t.TempDir(), "missing.toml")
	sys = &fakeSystem{}
	opts.Factory = e.F
	if err := cmdtest.Run(newCmd(opts), "install"); err == nil || sys.installed != nil {
		t.Errorf("install without a config: %v, %+v", err, sys.installed)
	}
}

// TestServeIn: the service's serve runs in process with its log in the
// data folder's serve.log, and drains and returns when stopped.
func TestServeIn(t *testing.T) {
	dir, path := testConfig(t)
	// A warning of the config reaches the log, not the service's stderr
	// (a key open to others; on Windows the access list decides, not the mode).
	warned := runtime.GOOS != "windows"
	if warned {
		if err := os.Chmod(filepath.Join(dir, sandbox.PrivateKeyFile), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := cmdtest.New(t)
	e.F.ConfigPath = path
	run, closeLog, err := serveIn(e.F)
	if err != nil {
		t.Fatal(err)
	}
	defer closeLog()
	reqs := make(chan request)
	running := make(chan struct{})
	var states []state
	status := func(s state) {
		states = append(states, s)
		if s == stateRunning {
			close(running)
		}
	}
	elog := &fakeLog{}
	done := make(chan uint32)
	go func() { done <- runLoop(reqs, status, run, elog) }()
	<-running
	// serve has bound when its "listening" line is in the log; the loop
	// is stopped only then.
	logPath := filepath.Join(dir, "data", LogName)
	for !strings.Contains(readFile(logPath), "listening") {
		select {
		case code := <-done:
			t.Fatalf("serve ended early (%d): %s %q", code, readFile(logPath), elog.lines)
		default:
		}
		waitABit()
	}
	reqs <- reqStop
	if code := <-done; code != 0 {
		t.Errorf("exit code %d; log:\n%s", code, readFile(logPath))
	}
	log := readFile(logPath)
	if !strings.Contains(log, "shutting down") || warned && !strings.Contains(log, "baohan: 注意：私钥文件") {
		t.Errorf("serve.log:\n%s", log)
	}
}

// waitABit is the pause between two looks at the log (no assertion on
// time: the test waits for what serve writes).
func waitABit() { time.Sleep(5 * time.Millisecond) }

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}
