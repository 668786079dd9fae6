package service

import (
	"encoding/xml"
	"fmt"
	"path/filepath"
	"strings"
)

// Name is the service's name on every system (Windows service, systemd
// unit baohan.service); Label is its launchd label.
const (
	Name        = "baohan"
	Label       = "baohan.serve"
	DisplayName = "baohan 保函回调监听"
	Description = "福州市建设工程电子保函服务平台的回调监听（baohan serve）"
)

// Spec is what a service definition runs: `Exe serve --config Config
// --data Data`, with its log in Log (data folder's serve.log). Every path
// is absolute: a service does not start in the clerk's folder or with the
// clerk's environment.
type Spec struct {
	Exe, Config, Data, Log string
}

// LogName is the log file in the data folder.
const LogName = "serve.log"

// NewSpec checks the paths and fills Log.
func NewSpec(exe, config, data string) (Spec, error) {
	for _, p := range []string{exe, config, data} {
		if !filepath.IsAbs(p) {
			return Spec{}, fmt.Errorf("路径 %s 不是绝对路径", p)
		}
		if strings.ContainsAny(p, "\n\r\x00") {
			return Spec{}, fmt.Errorf("路径 %q 含有换行或空字符", p)
		}
	}
	return Spec{Exe: exe, Config: config, Data: data, Log: filepath.Join(data, LogName)}, nil
}

// ServeArgs are the arguments after the program.
func (s Spec) ServeArgs() []string {
	return []string{"serve", "--config", s.Config, "--data", s.Data}
}

// systemdQuote quotes one word of an ExecStart line (systemd.service:
// "Command lines"): in double quotes, with \ and " escaped, % as %% (a
// specifier otherwise) and $ as $$ (a variable otherwise).
func systemdQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `%`, `%%`, `$`, `$$`)
	return `"` + r.Replace(s) + `"`
}

// SystemdUnit is the systemd user unit that runs serve.
func SystemdUnit(s Spec) string {
	words := []string{systemdQuote(s.Exe)}
	for _, a := range s.ServeArgs() {
		words = append(words, systemdQuote(a))
	}
	return fmt.Sprintf(`# baohan serve as a systemd user service (baohan service install).
# Logs: journalctl --user -u %[1]s
[Unit]
Description=%[2]s
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=%[3]s
Restart=on-failure
RestartSec=5
# serve drains in-flight callbacks on SIGTERM, then exits 0.
KillSignal=SIGTERM
TimeoutStopSec=60

[Install]
WantedBy=default.target
`, Name, strings.ReplaceAll(Description, "%", "%%"), strings.Join(words, " "))
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// LaunchdPlist is the launchd agent (~/Library/LaunchAgents) that runs
// serve, kept alive, its output to the log file.
func LaunchdPlist(s Spec) string {
	var args strings.Builder
	for _, a := range append([]string{s.Exe}, s.ServeArgs()...) {
		args.WriteString("\t\t<string>" + xmlText(a) + "</string>\n")
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + Label + `</string>
	<key>ProgramArguments</key>
	<array>
` + args.String() + `	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<dict>
		<key>SuccessfulExit</key>
		<false/>
	</dict>
	<key>ExitTimeOut</key>
	<integer>60</integer>
	<key>StandardOutPath</key>
	<string>` + xmlText(s.Log) + `</string>
	<key>StandardErrorPath</key>
	<string>` + xmlText(s.Log) + `</string>
</dict>
</plist>
`
}
