// Package root is the baohan command tree: the global flags, the
// subcommands of ui/cli/<noun>/<verb>, and how an error becomes an exit
// code, a Chinese sentence on stderr and, with --json, a JSON document.
package root

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/backup"
	"baohan/ui/cli/claim"
	"baohan/ui/cli/cmdutil"
	"baohan/ui/cli/desk"
	"baohan/ui/cli/doctor"
	"baohan/ui/cli/export"
	"baohan/ui/cli/file"
	"baohan/ui/cli/guarantee"
	"baohan/ui/cli/hash"
	"baohan/ui/cli/held"
	"baohan/ui/cli/initcmd"
	"baohan/ui/cli/keygen"
	"baohan/ui/cli/list"
	"baohan/ui/cli/loadtest"
	"baohan/ui/cli/order"
	"baohan/ui/cli/reconcile"
	"baohan/ui/cli/restore"
	"baohan/ui/cli/sandbox"
	"baohan/ui/cli/serve"
	"baohan/ui/cli/service"
	"baohan/ui/cli/todo"
	"baohan/ui/cli/token"
	"baohan/ui/cli/verify"
)

// NewCmdRoot is the whole command tree on f; without a command it opens
// the desk.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "baohan",
		Short:         "福州市建设工程电子保函服务平台 担保公司工作台",
		Long:          "baohan：福州市建设工程电子保函服务平台上担保公司的工作台。\n不带命令运行时打开工作台（终端界面），回调监听在其中运行。",
		Version:       f.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// No cobra "completion" command: the interface does not name one.
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		Args:              cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return desk.RunConfigured(cmd.Context(), f)
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return dataExists(cmd, f.DataDir) },
	}
	pf := root.PersistentFlags()
	pf.StringVar(&f.ConfigPath, "config", "", "配置文件（默认 $BAOHAN_CONFIG，其次 $XDG_CONFIG_HOME/baohan/config.toml）")
	pf.StringVar(&f.DataDir, "data", "", "数据文件夹（默认配置中的 [store] dir，其次 $XDG_DATA_HOME/baohan）")
	pf.BoolVar(&f.JSON, "json", false, "在标准输出打印恰好一个 JSON 文档（失败时也是）")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cli.ExitError{Code: cli.ExitUsage, Err: errors.New(cli.FlagError(c.CommandPath(), err))}
	})

	root.AddCommand(sandbox.NewCmdSandbox(f, nil), serve.NewCmdServe(f, nil), keygen.NewCmdKeygen(f, nil),
		token.NewCmdToken(f, nil), hash.NewCmdHash(f, nil), verify.NewCmdVerify(f, nil),
		order.NewCmdOrder(f), guarantee.NewCmdGuarantee(f), claim.NewCmdClaim(f), file.NewCmdFile(f),
		list.NewCmdList(f, nil), export.NewCmdExport(f, nil), todo.NewCmdTodo(f, nil), backup.NewCmdBackup(f, nil), restore.NewCmdRestore(f, nil),
		reconcile.NewCmdReconcile(f, nil), loadtest.NewCmdLoadtest(f, nil), initcmd.NewCmdInit(f, nil),
		doctor.NewCmdDoctor(f, nil), held.NewCmdHeld(f))
	root.AddCommand(service.NewCmdService(f))
	setArgsUsage(root)
	strictHelp(root)
	chineseHelp(root)
	return root
}

// makesData are the commands that create the --data folder they are
// given (interface.md); every other command refuses one that does not
// exist instead of opening an empty store there (a typo in the name).
var makesData = map[string]bool{"baohan init": true, "baohan sandbox": true}

func dataExists(cmd *cobra.Command, dir string) error {
	if dir == "" || makesData[cmd.CommandPath()] {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return cli.UsageErr("数据文件夹 %s 不存在（请检查 --data 的拼写；新的数据文件夹由 baohan init 或 baohan sandbox 建立）", dir)
	case err != nil:
		return cli.UsageErr("无法读取数据文件夹 %s（%s）", dir, platform.FileProblem(err))
	case !fi.IsDir():
		return cli.UsageErr("--data %s 不是文件夹", dir)
	}
	return nil
}

// usageTemplate is cobra's usage template in Chinese.
const usageTemplate = `用法：{{if .Runnable}}
  {{.UseLine}}{{if .HasAvailableFlags}} [选项]{{end}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} 命令 [选项]{{end}}{{if gt (len .Aliases) 0}}

别名：
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

示例：
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

命令：{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

选项：
{{flagUsages .LocalFlags}}{{end}}{{if .HasAvailableInheritedFlags}}

全局选项：
{{flagUsages .InheritedFlags}}{{end}}{{if .HasAvailableSubCommands}}

运行 "{{.CommandPath}} 命令 --help" 查看某个命令的说明。{{end}}
`

// flagTypes name a flag's value in the usage ("" for a switch).
var flagTypes = map[string]string{"string": "文本", "int": "整数", "int64": "整数", "uint": "整数", "float64": "数值",
	"duration": "时长", "stringSlice": "文本,…", "stringArray": "文本", "bool": "", "count": ""}

// flagUsages is pflag's FlagUsages in Chinese: the value's kind and the
// default named in Chinese.
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		left := "      --" + fl.Name
		if fl.Shorthand != "" && fl.ShorthandDeprecated == "" {
			left = "  -" + fl.Shorthand + ", --" + fl.Name
		}
		t, known := flagTypes[fl.Value.Type()]
		if !known {
			t = "值"
		}
		if t != "" {
			left += " " + t
		}
		u := fl.Usage
		switch fl.DefValue {
		case "", "false", "0", "[]", "0s":
		default:
			u += "（默认 " + fl.DefValue + "）"
		}
		rows = append(rows, row{left, u})
		width = max(width, runewidth.StringWidth(left))
	})
	var b strings.Builder
	for i, r := range rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(r.left + strings.Repeat(" ", width-runewidth.StringWidth(r.left)+3) + r.usage)
	}
	return b.String()
}

// chineseHelp makes every --help Chinese (interface.md): the usage
// template, the -h and -v flags, the help command.
func chineseHelp(root *cobra.Command) {
	cobra.AddTemplateFunc("flagUsages", flagUsages)
	root.SetUsageTemplate(usageTemplate)
	root.Flags().BoolP("version", "v", false, "显示版本")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.DisableFlagsInUseLine = true
		if c.Flags().Lookup("help") == nil {
			c.Flags().BoolP("help", "h", false, "显示 "+c.CommandPath()+" 的说明")
		}
		if c.Name() == "help" && c.Parent() == root {
			c.Short = "显示任一命令的说明"
			c.Long = "显示任一命令的说明：baohan help 命令 [子命令]"
			c.Use = "help [命令]"
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}

// Execute runs the command line args on root (made by NewCmdRoot on f)
// and returns the exit code: an error is told on stderr, and with --json
// also as the one JSON document on stdout.
func Execute(ctx context.Context, f *cmdutil.Factory, root *cobra.Command, args []string) int {
	// After NewCmdRoot: defining the flag resets it to its default.
	f.JSON = wantsJSON(args)
	if f.JSON {
		// --version --json: one JSON document, as every --json is.
		b, _ := json.Marshal(struct {
			Version string `json:"version"`
		}{f.Version})
		root.SetVersionTemplate(strings.NewReplacer("{{", `{{"{{"}}`).Replace(string(b)) + "\n")
	}
	root.SetArgs(args)
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	err := root.ExecuteContext(ctx)
	_ = f.Close()
	if err != nil {
		code := cli.ExitCode(err)
		fmt.Fprintln(f.IOStreams.ErrOut, "baohan:", cli.Message(err))
		if f.JSON && !f.Printed() {
			b, _ := json.MarshalIndent(cli.NewErrorDocument(code, err), "", "  ")
			fmt.Fprintln(f.IOStreams.Out, string(b))
		}
		return code
	}
	return cli.ExitOK
}

// wantsJSON finds --json among the arguments before cobra parses them, so
// that a usage error (an unknown flag) is answered in JSON too.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" || a == "--json=true" || a == "--json=1" {
			return true
		}
	}
	return false
}

// strictHelp makes `baohan help TOPIC` exit 2 for a command that does not
// exist, as every unknown command does (cobra's prints a note and exits 0).
func strictHelp(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() != "help" {
			continue
		}
		c.Run = nil
		c.RunE = func(_ *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				return cli.UsageErr("没有 %s 这个命令（运行 baohan --help 查看全部命令）", strings.Join(args, " "))
			}
			target.InitDefaultHelpFlag()
			return target.Help()
		}
	}
}

// setArgsUsage makes cobra's argument errors usage errors (exit 2).
func setArgsUsage(c *cobra.Command) {
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return &cli.ExitError{Code: cli.ExitUsage, Err: errors.New(cli.ArgsError(cmd.CommandPath(), cmd.Use, cmd.HasSubCommands(), subNames(cmd), err))}
			}
			return nil
		}
	}
	if c.RunE == nil && c.HasSubCommands() {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cli.UsageErr("%s 没有子命令 %s（可用：%s）", cmd.CommandPath(), args[0], subNames(cmd))
			}
			return nil
		}
		c.RunE = func(cmd *cobra.Command, args []string) error {
			return cli.UsageErr("%s 后面要跟子命令：%s", cmd.CommandPath(), subNames(cmd))
		}
	}
	for _, s := range c.Commands() {
		setArgsUsage(s)
	}
}

func subNames(c *cobra.Command) string {
	var n []string
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			n = append(n, s.Name())
		}
	}
	return strings.Join(n, ", ")
}
