// Package doctor is `baohan doctor`: every check of a workstation's setup
// (interface.md) with a verdict and, when it fails, the fix in one Chinese
// sentence. The desk runs the same checks on its first start with a new
// config and shows their outcome in its status bar.
package doctor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"baohan/listener"
	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli"
)

// Check is one verdict.
type Check struct {
	Name    string `json:"name"`    // 配置文件, 密钥, 访问令牌 ...
	OK      bool   `json:"ok"`      // passed
	Verdict string `json:"verdict"` // what was found
	Fix     string `json:"fix,omitempty"`
}

// Options are what the checks look at.
type Options struct {
	Config  *platform.Config // loaded; nil when ConfigErr is set
	DataDir string           // the data folder (flag or config)
	// HTTP is used for the platform, the listener and the public URL;
	// nil: a client with a 15 s timeout.
	HTTP *http.Client
	Now  func() time.Time
	// MinFree is the free space the data folder needs (default 1 GiB).
	MinFree uint64
}

// Report is doctor's outcome.
type Report struct {
	Checks       []Check  `json:"checks"`
	CallbackURLs []string `json:"callback_urls"`
	OK           bool     `json:"ok"`
}

// Failed counts the checks that did not pass.
func (r *Report) Failed() int {
	n := 0
	for _, c := range r.Checks {
		if !c.OK {
			n++
		}
	}
	return n
}

// Run runs every check in order. A check that cannot run because an
// earlier one failed says so (and counts as failed).
func Run(ctx context.Context, opt Options) *Report {
	if opt.HTTP == nil {
		opt.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MinFree == 0 {
		opt.MinFree = 1 << 30
	}
	cfg := opt.Config
	r := &Report{}
	add := func(c Check) { r.Checks = append(r.Checks, c) }

	add(configFile(cfg))
	add(keys(cfg))
	data, st := dataFolder(ctx, opt)
	add(data)
	if st != nil {
		defer st.Close()
	}
	tok, skew := platformChecks(ctx, cfg, st, opt)
	add(tok)
	add(skew)
	lst, pub := listenerChecks(ctx, cfg, opt)
	add(lst)
	add(pub)
	add(pending(ctx, st))
	r.CallbackURLs = CallbackURLs(cfg.Listener.PublicURL)
	r.OK = r.Failed() == 0
	return r
}

// CallbackURLs are the seven callback URLs under publicURL.
func CallbackURLs(publicURL string) []string {
	base := strings.TrimRight(publicURL, "/")
	var out []string
	for _, p := range listener.CallbackPaths() {
		out = append(out, base+p)
	}
	return out
}

func configFile(cfg *platform.Config) Check {
	c := Check{Name: "配置文件"}
	fi, err := os.Stat(cfg.Path)
	if err != nil {
		c.Verdict = fmt.Sprintf("%s 无法读取（%s）", cfg.Path, platform.FileProblem(err))
		c.Fix = "运行 baohan init 重新生成配置文件。"
		return c
	}
	if open, how := platform.OthersCanRead(cfg.Path); open && cfg.Platform.APISecret != "" && os.Getenv("BAOHAN_API_SECRET") == "" {
		c.Verdict = fmt.Sprintf("%s 含 api_secret，但其他用户也能读取（%s）", cfg.Path, how)
		c.Fix = fmt.Sprintf("运行 %s。", platform.PrivateFix(cfg.Path))
		return c
	}
	c.OK = true
	c.Verdict = fmt.Sprintf("%s 可读，各项齐全，权限 %o", cfg.Path, fi.Mode().Perm())
	return c
}

func keys(cfg *platform.Config) Check {
	c := Check{Name: "密钥"}
	if !cfg.PrivateKey.PublicKey.Equal(cfg.PublicKey) {
		c.Verdict = "rsa_pk（platform.public_key）与 rsa_sk（platform.private_key）不是一对：平台用 rsa_pk 加密的回调将无法解密"
		c.Fix = "核对账号邮件，把 rsa_pk 与 rsa_sk 原样填入（可重新运行 baohan init --force）。"
		return c
	}
	if cfg.PlatformPublicKey.Equal(cfg.PublicKey) {
		c.Verdict = "api_rsa_pk（platform.platform_public_key）与 rsa_pk 相同：账号邮件中这是两把不同的公钥"
		c.Fix = "把账号邮件中的 api_rsa_pk 填入 platform.platform_public_key。"
		return c
	}
	if p := keyPath(cfg, cfg.Platform.PrivateKey); p != "" {
		if open, how := platform.OthersCanRead(p); open {
			c.Verdict = fmt.Sprintf("私钥文件 %s 其他用户也能读取（%s）", p, how)
			c.Fix = fmt.Sprintf("运行 %s。", platform.PrivateFix(p))
			return c
		}
	}
	c.OK = true
	c.Verdict = fmt.Sprintf("三把密钥可读；rsa_pk 与 rsa_sk 是一对（RSA %d 位）", cfg.PrivateKey.N.BitLen())
	return c
}

// keyPath is the file a key value names, or "" for pasted key text.
func keyPath(cfg *platform.Config, value string) string {
	_, path, err := platform.KeyText(value, filepath.Dir(cfg.Path))
	if err != nil {
		return ""
	}
	return path
}

func dataFolder(ctx context.Context, opt Options) (Check, *store.Store) {
	c := Check{Name: "数据文件夹"}
	dir := opt.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		c.Verdict = fmt.Sprintf("无法创建 %s（%s）", dir, platform.FileProblem(err))
		c.Fix = "换一个可写的文件夹（配置中的 [store] dir 或 --data）。"
		return c, nil
	}
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		c.Verdict = fmt.Sprintf("%s 不可写（%s）", dir, platform.FileProblem(err))
		c.Fix = "检查该文件夹的所有者和权限，或换一个可写的文件夹。"
		return c, nil
	}
	f.Close()
	os.Remove(f.Name())
	st, err := store.Open(dir)
	if err != nil {
		c.Verdict = fmt.Sprintf("%s 中的数据库无法打开（%s）", dir, cli.Message(err))
		c.Fix = "检查磁盘和权限；数据库损坏时按 baohan restore 的步骤恢复备份。"
		return c, nil
	}
	if err := st.Writable(ctx); err != nil {
		c.Verdict = fmt.Sprintf("%s 中的数据库不可写（%s）", dir, cli.Message(err))
		c.Fix = "检查磁盘是否已满、文件夹是否只读。"
		return c, st
	}
	free, ok := freeSpace(dir)
	if ok && free < opt.MinFree {
		c.Verdict = fmt.Sprintf("%s 可写，但磁盘只剩 %s", dir, platform.Size(int64(free)))
		c.Fix = fmt.Sprintf("清理磁盘，至少留出 %s。", platform.Size(int64(opt.MinFree)))
		return c, st
	}
	c.OK = true
	c.Verdict = fmt.Sprintf("%s 可写", dir)
	if ok {
		c.Verdict += "，剩余空间 " + platform.Size(int64(free))
	}
	return c, st
}

func platformChecks(ctx context.Context, cfg *platform.Config, st *store.Store, opt Options) (tok, clock Check) {
	tok, clock = Check{Name: "访问令牌"}, Check{Name: "时钟"}
	var ts platform.TokenStore
	if st != nil {
		ts = st
	}
	client := platform.NewClient(platform.ClientConfigFrom(cfg), ts, opt.HTTP)
	client.SetClock(opt.Now)
	exp, err := tokenAccepted(ctx, client)
	var pe *platform.Error
	switch {
	case err == nil:
		tok.OK = true
		tok.Verdict = fmt.Sprintf("平台已接受（查询一次订单作证），有效至 %s（剩 %s）", exp.In(platform.CST).Format(platform.DateTimeLayout), platform.Span(exp.Sub(opt.Now())))
	case errors.As(err, &pe):
		tok.Verdict = "平台拒绝了访问令牌：" + cli.Message(err)
		tok.Fix = "核对账号邮件中的 api_key、api_secret、btc_id、rsa_pk 和 api_rsa_pk，以及环境（测试或正式）是否对应。"
	default:
		tok.Verdict = "连不上平台，令牌无法验证：" + cli.Message(err)
		tok.Fix = fmt.Sprintf("检查网络能否访问 %s（代理、防火墙），以及配置中的 base_url。", cfg.Platform.BaseURL)
	}
	skew, known := client.ClockSkew()
	if !known {
		skew, known = dateSkew(ctx, opt, cfg.Platform.BaseURL)
	}
	switch {
	case !known:
		clock.Verdict = "平台没有回答，无法比较时钟"
		clock.Fix = "先解决访问令牌一项的网络问题。"
	case skew >= platform.ClockSkewWarn || -skew >= platform.ClockSkewWarn:
		dir := "快"
		if skew < 0 {
			dir = "慢"
		}
		clock.Verdict = fmt.Sprintf("本机时钟比平台%s %s", dir, platform.Span(skew))
		clock.Fix = "开启系统的网络时间同步（NTP），或手动校准本机时间。"
	default:
		clock.OK = true
		if skew == 0 {
			clock.Verdict = "与平台的时间一致（误差不到 1 秒）"
		} else {
			clock.Verdict = fmt.Sprintf("与平台相差 %s，在允许范围内", platform.Span(skew))
		}
	}
	return tok, clock
}

// probeOrderNo is the order number doctor asks 2.2 about: no such order
// exists, so the platform's 1101 (订单不存在) is the expected answer.
const probeOrderNo = "BAOHAN-DOCTOR-PROBE"

// tokenAccepted proves the access token works by a real, read-only
// business call (2.2 get_guarantee_info): a cached token says nothing
// about whether the platform is reachable or still accepts it. The call
// renews the token once on 1006, as every business call does. An answer
// of 200 or 1101 means the platform decrypted and accepted the request
// under the token; any other status is a refusal (*platform.Error); a
// call that got no answer is a transport error.
func tokenAccepted(ctx context.Context, client *platform.Client) (time.Time, error) {
	_, _, err := client.GetGuaranteeInfo(ctx, probeOrderNo)
	if err != nil && !platform.IsStatus(err, platform.StatusOrderNotFound) {
		return time.Time{}, err
	}
	_, exp, err := client.Token(ctx)
	return exp, err
}

// dateSkew reads the platform's Date header from any answer of base.
func dateSkew(ctx context.Context, opt Options, base string) (time.Duration, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base, nil)
	if err != nil {
		return 0, false
	}
	resp, err := opt.HTTP.Do(req)
	if err != nil {
		return 0, false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return 0, false
	}
	return opt.Now().Sub(d).Truncate(time.Second), true
}

func listenerChecks(ctx context.Context, cfg *platform.Config, opt Options) (lst, pub Check) {
	lst, pub = Check{Name: "回调监听"}, Check{Name: "公网地址"}
	info, running := listener.Running(opt.DataDir)
	var pid int
	var local string
	if running {
		pid, local = info.PID, info.Addr
		if err := getJSON(ctx, opt.HTTP, "http://"+local+"/healthz", nil); err != nil {
			lst.Verdict = fmt.Sprintf("进程 %d 在 %s 监听，但健康检查失败（%s）", pid, local, err)
			lst.Fix = "查看 baohan serve 的日志；存储不可写时检查磁盘。"
			running = false
		} else {
			lst.OK = true
			lst.Verdict = fmt.Sprintf("正在运行（进程 %d，监听 %s）", pid, local)
		}
	} else {
		// No listener for this data folder: stand one in on listener.addr
		// for the length of the check, answering only the probe.
		ln, err := net.Listen("tcp", cfg.Listener.Addr)
		if err != nil {
			lst.Verdict = fmt.Sprintf("回调监听没有运行，且 listener.addr %s 无法监听（%s）", cfg.Listener.Addr, cli.NetProblem(err))
			lst.Fix = "该端口被别的程序占用时，换一个端口写入配置的 listener.addr，并同步修改隧道的本地端口。"
		} else {
			pid, local = os.Getpid(), ln.Addr().String()
			srv := &http.Server{Handler: standIn(cfg.Platform.APISecret), ReadHeaderTimeout: 5 * time.Second}
			go func() { _ = srv.Serve(ln) }()
			defer srv.Close()
			lst.OK = true
			lst.Verdict = fmt.Sprintf("尚未运行；listener.addr %s 可以监听（检查期间临时代答）。之后运行 baohan serve 或 baohan 接收回调", cfg.Listener.Addr)
		}
	}
	if local == "" {
		pub.Verdict = "没有可以验证的监听"
		pub.Fix = "先解决回调监听一项。"
		return lst, pub
	}
	pub = publicURL(ctx, cfg, opt, pid)
	return lst, pub
}

// standIn answers the probe as the listener would, and asks anything else
// to be repeated later (the platform repeats a callback that got no 200).
func standIn(apiSecret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		nonce := r.URL.Query().Get("probe")
		if r.URL.Path != "/healthz" || nonce == "" || len(nonce) > 64 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":500,"msg":"回调监听未运行"}`))
			return
		}
		b, _ := json.Marshal(map[string]any{"status": 200, "data": map[string]string{"probe": listener.ProbeAnswer(apiSecret, nonce, os.Getpid())}})
		_, _ = w.Write(b)
	})
}

func publicURL(ctx context.Context, cfg *platform.Config, opt Options, pid int) Check {
	c := Check{Name: "公网地址"}
	raw := strings.TrimRight(cfg.Listener.PublicURL, "/")
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.Verdict = fmt.Sprintf("listener.public_url %q 不是 http(s) 网址", raw)
		c.Fix = "把隧道分配的公网地址（如 https://bh.example.com）写入配置的 listener.public_url。"
		return c
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	n := hex.EncodeToString(nonce)
	var got struct {
		Status int `json:"status"`
		Data   struct {
			Probe string `json:"probe"`
		} `json:"data"`
	}
	if err := getJSON(ctx, opt.HTTP, raw+"/healthz?probe="+n, &got); err != nil {
		c.Verdict = fmt.Sprintf("经 %s 到不了本机的回调监听（%s）", raw, err)
		c.Fix = fmt.Sprintf("检查隧道是否在运行、是否把 %s 转发到本机 %s。", raw, cfg.Listener.Addr)
		return c
	}
	if got.Data.Probe != listener.ProbeAnswer(cfg.Platform.APISecret, n, pid) {
		c.Verdict = fmt.Sprintf("%s 有服务在回答，但不是本机的这个回调监听（一次性校验值不符）", raw)
		c.Fix = fmt.Sprintf("把隧道的本地目标改成 %s（配置的 listener.addr），并确认隧道指向这台电脑。", cfg.Listener.Addr)
		return c
	}
	c.OK = true
	c.Verdict = fmt.Sprintf("经 %s 送出的一次性校验值由本机的回调监听（进程 %d）正确回答", raw, pid)
	if u.Scheme != "https" {
		c.Verdict += "；注意：不是 https，正式环境请用 https"
	}
	return c
}

// getJSON GETs u and decodes a 200 JSON answer into v (when not nil); the
// error is in Chinese.
func getJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return errors.New("网址无效")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return errors.New(cli.NetProblem(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return errors.New("回答没有读完")
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("回答 HTTP %d", resp.StatusCode)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			return errors.New("回答不是回调监听的 JSON")
		}
	}
	return nil
}

func pending(ctx context.Context, st *store.Store) Check {
	c := Check{Name: "待处理"}
	if st == nil {
		c.Verdict = "数据库未打开，无法查看"
		c.Fix = "先解决数据文件夹一项。"
		return c
	}
	atts, err := st.Unresolved(ctx)
	if err != nil {
		c.Verdict = "无法读取结果未知的调用（" + cli.Message(err) + "）"
		c.Fix = "检查数据库文件夹的权限和磁盘。"
		return c
	}
	if len(atts) > 0 {
		c.Verdict = fmt.Sprintf("有 %d 个调用结果未知（如 %s %s）", len(atts), platform.MethodTitle(atts[0].Method), atts[0].Ref)
		c.Fix = "运行 baohan reconcile 向平台核对。"
		return c
	}
	held, err := st.ListHeld(ctx, store.HeldQuery{State: store.HeldHeld, Limit: 100})
	if err != nil {
		c.Verdict = "无法读取暂存的回调（" + cli.Message(err) + "）"
		c.Fix = "检查数据库文件夹的权限和磁盘。"
		return c
	}
	if len(held) > 0 {
		c.Verdict = fmt.Sprintf("有 %d 个暂存的回调待决定（如编号 %d，%s %s）", len(held), held[0].ID, held[0].Method, held[0].Ref)
		c.Fix = "用 baohan list held 查看原因，再用 baohan held accept 或 dismiss 决定。"
		return c
	}
	c.OK = true
	c.Verdict = "没有结果未知的调用，也没有暂存的回调"
	return c
}

// WriteText prints each verdict, the fix under a failed one, and the
// callback URLs.
func (r *Report) WriteText(w io.Writer) {
	for _, c := range r.Checks {
		mark := "✓"
		if !c.OK {
			mark = "✗"
		}
		fmt.Fprintf(w, "%s %s：%s\n", mark, c.Name, c.Verdict)
		if !c.OK && c.Fix != "" {
			fmt.Fprintf(w, "    修复：%s\n", c.Fix)
		}
	}
	fmt.Fprintln(w, "\n回调地址（提供给平台）：")
	for _, u := range r.CallbackURLs {
		fmt.Fprintln(w, "  "+u)
	}
	if r.OK {
		fmt.Fprintln(w, "\n全部通过。")
	} else {
		fmt.Fprintf(w, "\n%d 项未通过，请按“修复”一行处理后再运行 baohan doctor。\n", r.Failed())
	}
}
