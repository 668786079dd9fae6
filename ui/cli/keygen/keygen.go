// Package keygen is `baohan keygen DIR`: an RSA-2048 pair.
package keygen

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"baohan/platform"
	"baohan/ui/cli"
	"baohan/ui/cli/cmdutil"
)

// KeygenOptions are the arguments of `keygen`.
type KeygenOptions struct {
	Print cmdutil.PrintFunc
	Dir   string
	Force bool // --force: replace an existing pair
}

// KeygenJSON is the `--json` document.
type KeygenJSON struct {
	PrivateKey string `json:"private_key"`
	PublicKey  string `json:"public_key"`
}

// NewCmdKeygen is `baohan keygen DIR`.
func NewCmdKeygen(f *cmdutil.Factory, runF func(*KeygenOptions) error) *cobra.Command {
	opts := &KeygenOptions{Print: f.Print}
	cmd := &cobra.Command{
		Use:   "keygen DIR",
		Short: "生成 RSA-2048 密钥对 DIR/private.pem（权限 0600）和 DIR/public.pem",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if runF != nil {
				return runF(opts)
			}
			return keygenRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "覆盖已有的 private.pem 和 public.pem")
	return cmd
}

func keygenRun(opts *KeygenOptions) error {
	dir := opts.Dir
	priv, pub, _, err := platform.GenerateKeyPair(2048)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cli.UsageErr("无法创建文件夹 %s（%s）", dir, platform.FileProblem(err))
	}
	pp, pu := filepath.Join(dir, "private.pem"), filepath.Join(dir, "public.pem")
	for _, p := range []string{pp, pu} {
		if err := cli.CheckOutput(p, opts.Force); err != nil {
			return err
		}
	}
	if err := writeNew(pp, priv, 0o600, opts.Force); err != nil {
		return err
	}
	if err := writeNew(pu, pub, 0o644, opts.Force); err != nil {
		os.Remove(pp) // no half pair left to block the next run
		return err
	}
	return opts.Print(KeygenJSON{PrivateKey: pp, PublicKey: pu}, func(w io.Writer) {
		fmt.Fprintf(w, "私钥 %s（权限 0600）\n公钥 %s\n", pp, pu)
	})
}

// writeNew writes a file (cli.WriteOutput: an existing one only with
// force); a failed write leaves nothing behind.
func writeNew(path string, data []byte, mode os.FileMode, force bool) error {
	return cli.WriteOutput(path, mode, force, func(tmp string) error {
		if err := os.WriteFile(tmp, data, mode); err != nil {
			return cli.UsageErr("无法写入 %s（%s）", path, platform.FileProblem(err))
		}
		return nil
	})
}
