package sandboxtest

import (
	"context"
	"testing"
)

// The environment's client talks to its platform: a token comes back, and
// the keys are shared between environments unless asked otherwise.
func TestNew(t *testing.T) {
	e := New(t)
	if _, _, err := e.Client.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.Listener == nil || e.Listener.Addr().String() != e.ListenerAddr || e.Config.Listener.Addr != e.ListenerAddr {
		t.Fatalf("listener %v, config %s, want %s", e.Listener, e.Config.Listener.Addr, e.ListenerAddr)
	}
	if e.Config.DataDir("") != e.DataDir {
		t.Fatalf("data dir %s, want %s", e.Config.DataDir(""), e.DataDir)
	}
	if f := New(t, WithoutStore(), WithoutListener()); f.Keys != e.Keys || f.Store != nil || f.Listener != nil {
		t.Fatal("options not applied")
	}
	if g := New(t, WithFreshKeys()); g.Keys == e.Keys {
		t.Fatal("fresh keys are the shared ones")
	}
}
