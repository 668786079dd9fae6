// Package cmdutil is what the commands of ui/cli share: the Factory that
// opens config, store, client and workflows lazily, the printer of
// `--json` documents and text, and the table writer.
package cmdutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"baohan/pdfsign"
	"baohan/platform"
	"baohan/store"
	"baohan/ui/cli"
	"baohan/ui/cli/iostreams"
)

// Factory opens what commands need, once, when they first ask. The root
// command binds the global flags (--config, --data, --json) to its fields.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Version   string

	ConfigPath string // --config
	DataDir    string // --data
	JSON       bool   // --json

	cfg     *platform.Config
	store   *store.Store
	printed bool // a JSON document is already on stdout
}

// New is a Factory writing to ios.
func New(ios *iostreams.IOStreams, version string) *Factory {
	return &Factory{IOStreams: ios, Version: version}
}

// Close closes the store if a command opened it.
func (f *Factory) Close() error {
	if f.store == nil {
		return nil
	}
	err := f.store.Close()
	f.store = nil
	return err
}

// Printed tells whether a JSON document is already on stdout (an error
// then adds none).
func (f *Factory) Printed() bool { return f.printed }

// ConfigFile is the config path the commands read.
func (f *Factory) ConfigFile() string {
	if f.ConfigPath != "" {
		return f.ConfigPath
	}
	return platform.DefaultConfigPath()
}

// Config loads the config (and the trusted roots of the PDF check), and
// tells its warnings on stderr.
func (f *Factory) Config() (*platform.Config, error) {
	if f.cfg != nil {
		return f.cfg, nil
	}
	cfg, err := platform.LoadConfig(f.ConfigPath)
	if err != nil {
		return nil, err
	}
	if cfg.PDF.TrustedCertDir != "" {
		// The firm's trusted roots for the signer chains; without them a
		// check still proves integrity and reports trust as unknown.
		if err := pdfsign.Setup(cfg.PDF.TrustedCertDir); err != nil {
			return nil, &platform.ConfigError{File: cfg.Path, Key: "pdf.trusted_cert_dir", Err: err}
		}
	}
	for _, w := range cfg.Warnings {
		f.Warn("%s", w)
	}
	f.cfg = cfg
	return cfg, nil
}

// OpenStore opens the store in dir (once; later calls return it).
func (f *Factory) OpenStore(dir string) (*store.Store, error) {
	if f.store != nil {
		return f.store, nil
	}
	s, err := store.Open(dir)
	if err != nil {
		return nil, err
	}
	f.store = s
	return s, nil
}

// Store opens the store of the config's data folder (or --data).
func (f *Factory) Store() (*store.Store, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	return f.OpenStore(cfg.DataDir(f.DataDir))
}

// StoreOnly opens the store without needing a full config (list, backup):
// the folder is --data, else the config's [store] dir. Without either it
// refuses (exit 2) rather than open an empty store somewhere.
func (f *Factory) StoreOnly() (*store.Store, error) {
	dir := f.DataDir
	if dir == "" {
		cfg, err := f.Config()
		if err != nil {
			if platform.IsConfigNotFound(err) {
				return nil, cli.UsageErr("找不到配置文件 %s，也没有给出 --data：不知道读哪个数据文件夹（先运行 baohan init，或用 --config / --data 指定）", f.ConfigFile())
			}
			return nil, err
		}
		dir = cfg.DataDir("")
	}
	return f.OpenStore(dir)
}

// Workflows opens config, store and client.
func (f *Factory) Workflows() (*platform.Workflows, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	s, err := f.Store()
	if err != nil {
		return nil, err
	}
	return NewWorkflows(cfg, s), nil
}

// NewWorkflows is the client and workflows on cfg and s.
func NewWorkflows(cfg *platform.Config, s *store.Store) *platform.Workflows {
	client := platform.NewClient(platform.ClientConfigFrom(cfg), s, nil)
	return platform.NewWorkflows(cfg, client, s)
}

// PDFOptions are the PDF check's options of the config, or the defaults
// without one.
func (f *Factory) PDFOptions() pdfsign.Options {
	if cfg, err := f.Config(); err == nil {
		return pdfsign.Options{Revocation: cfg.PDF.RevocationCheck, Timeout: cfg.PDF.Timeout.Duration}
	}
	return pdfsign.Options{}
}

// PrintFunc writes v as the one JSON document of --json, else the text.
type PrintFunc func(v any, text func(w io.Writer)) error

// FailFunc prints a result that ends the command with err
// (Factory.PrintFailure).
type FailFunc func(v any, text func(w io.Writer), err error) error

// PrintFailure prints v as Print does, for a command that ends with err
// (a check that did not pass): with --json the one document on stdout is
// v's object with the "error" member every failing command gives
// (cli.NewErrorDocument), beside what was found. It returns err.
func (f *Factory) PrintFailure(v any, text func(w io.Writer), err error) error {
	if !f.JSON {
		text(f.IOStreams.Out)
		return err
	}
	b, merr := json.Marshal(v)
	if merr != nil {
		return merr
	}
	eb, merr := json.Marshal(cli.NewErrorDocument(cli.ExitCode(err), err).Error)
	if merr != nil {
		return merr
	}
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return fmt.Errorf("print failure: %T is not a JSON object", v)
	}
	doc := append([]byte{}, b[:len(b)-1]...)
	if len(b) > 2 {
		doc = append(doc, ',')
	}
	doc = append(append(append(doc, `"error":`...), eb...), '}')
	var out bytes.Buffer
	if merr := json.Indent(&out, doc, "", "  "); merr != nil {
		return merr
	}
	f.printed = true
	if _, werr := fmt.Fprintln(f.IOStreams.Out, out.String()); werr != nil {
		return werr
	}
	return err
}

// Print writes v (a typed value: its JSON is the `--json` document) as
// JSON with --json, else the text.
func (f *Factory) Print(v any, text func(w io.Writer)) error {
	if f.JSON {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		f.printed = true
		_, err = fmt.Fprintln(f.IOStreams.Out, string(b))
		return err
	}
	text(f.IOStreams.Out)
	return nil
}

// Warn tells the clerk something on stderr (so that --json stays one
// document).
func (f *Factory) Warn(format string, a ...any) {
	fmt.Fprintf(f.IOStreams.ErrOut, "baohan: 注意："+format+"\n", a...)
}

// WorkingDir is the current folder ("" when unknown).
func WorkingDir() string {
	d, _ := os.Getwd()
	return d
}
