package common

import (
	"testing"

	"baohan/platform"
	"baohan/store"
)

// A platform file's download (4.1) is the desk's own call: 发, though the
// journal records the file as coming in; a callback is 收.
func TestEventDirection(t *testing.T) {
	if got := EventDirection(store.Event{Kind: platform.EventKindFile, Direction: store.DirIn, Method: platform.MethodGetFileURL}); got != "发" {
		t.Errorf("a file download: %s", got)
	}
	if got := EventDirection(store.Event{Kind: store.KindCallback, Direction: store.DirIn}); got != "收" {
		t.Errorf("a callback: %s", got)
	}
	if got := EventDirection(store.Event{Kind: store.KindCall, Direction: store.DirOut}); got != "发" {
		t.Errorf("a call: %s", got)
	}
}
