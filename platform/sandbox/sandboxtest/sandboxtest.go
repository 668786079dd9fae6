// Package sandboxtest is the one test environment of the project: the
// simulated platform on loopback, a config for it on disk, the store, the
// client and the workflows, each closed when the test ends. The packages'
// tests build on it instead of each assembling their own.
package sandboxtest

import (
	"net"
	"path/filepath"
	"sync"
	"testing"

	"baohan/platform"
	"baohan/platform/sandbox"
	"baohan/store"
)

// Env is a running simulated platform with everything a test talks to it
// with.
type Env struct {
	Keys    *sandbox.Keys
	Sandbox *sandbox.Server
	BaseURL string // the platform's API URL

	Dir        string // the test's folder: config.toml, keys/, data/
	DataDir    string // Dir/data, the config's [store] dir
	ConfigPath string
	Config     *platform.Config

	// ListenerAddr is the loopback address the platform sends its
	// callbacks to, and the config's [listener] addr. Listener, when not
	// nil, is already bound there (serve a listener on it); with
	// WithoutListener it is free for the code under test to bind.
	ListenerAddr string
	Listener     net.Listener

	// Store, Client and Workflows are nil with WithoutStore.
	Store     *store.Store
	Client    *platform.Client
	Workflows *platform.Workflows
}

type options struct {
	sandbox    []func(*sandbox.Options)
	extra      sandbox.ConfigExtra
	noStore    bool
	noListener bool
	freshKeys  bool
}

// Option changes what New builds.
type Option func(*options)

// WithSandbox changes the simulated platform's options (retry schedule,
// mean mode, ...).
func WithSandbox(f func(*sandbox.Options)) Option {
	return func(o *options) { o.sandbox = append(o.sandbox, f) }
}

// WithConfig sets the config's extras (guarantor name, public URL); the
// store folder is always Dir/data.
func WithConfig(extra sandbox.ConfigExtra) Option { return func(o *options) { o.extra = extra } }

// WithoutStore leaves the store closed (the code under test opens it).
func WithoutStore() Option { return func(o *options) { o.noStore = true } }

// WithoutListener reserves a free listener address instead of binding it.
func WithoutListener() Option { return func(o *options) { o.noListener = true } }

// WithFreshKeys generates keys for this environment instead of the shared
// test keys.
func WithFreshKeys() Option { return func(o *options) { o.freshKeys = true } }

var (
	keysOnce sync.Once
	keys     *sandbox.Keys
	keysErr  error
)

// Keys are the process's test keys, generated once: RSA key generation is
// the slowest part of starting a sandbox, and tests only read the keys.
func Keys(t testing.TB) *sandbox.Keys {
	t.Helper()
	keysOnce.Do(func() { keys, keysErr = sandbox.NewKeys() })
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keys
}

// New starts the simulated platform and writes its config into a fresh
// test folder.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	e := &Env{Keys: Keys(t)}
	if o.freshKeys {
		k, err := sandbox.NewKeys()
		if err != nil {
			t.Fatal(err)
		}
		e.Keys = k
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.ListenerAddr = ln.Addr().String()
	if o.noListener {
		ln.Close()
	} else {
		e.Listener = ln
		t.Cleanup(func() { ln.Close() })
	}
	sopt := e.Keys.Options()
	sopt.CallbackBase = "http://" + e.ListenerAddr
	for _, f := range o.sandbox {
		f(&sopt)
	}
	e.Sandbox = sandbox.New(sopt)
	if e.BaseURL, err = e.Sandbox.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Sandbox.Close() })
	e.Dir = t.TempDir()
	e.DataDir = filepath.Join(e.Dir, "data")
	extra := o.extra
	extra.StoreDir = e.DataDir
	if e.ConfigPath, err = e.Keys.WriteConfig(e.Dir, e.BaseURL, e.ListenerAddr, extra); err != nil {
		t.Fatal(err)
	}
	if e.Config, err = platform.LoadConfig(e.ConfigPath); err != nil {
		t.Fatal(err)
	}
	if o.noStore {
		return e
	}
	if e.Store, err = store.Open(e.DataDir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Store.Close() })
	e.Client = platform.NewClient(platform.ClientConfigFrom(e.Config), e.Store, nil)
	e.Workflows = platform.NewWorkflows(e.Config, e.Client, e.Store)
	return e
}
