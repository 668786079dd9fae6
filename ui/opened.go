package ui

import (
	"os"
	"sync"
)

// opened are the copies this desk made in the baohan-open folder for the
// system's viewer (viewCopy); they are removed when the desk quits. Copies
// another desk of the same user made are left alone.
var opened struct {
	sync.Mutex
	paths map[string]bool
}

func rememberOpened(path string) {
	opened.Lock()
	defer opened.Unlock()
	if opened.paths == nil {
		opened.paths = map[string]bool{}
	}
	opened.paths[path] = true
}

// removeOpened removes the copies made for the viewer and tells how many
// it removed.
func removeOpened() int {
	opened.Lock()
	defer opened.Unlock()
	n := 0
	for p := range opened.paths {
		if os.Remove(p) == nil {
			n++
		}
		delete(opened.paths, p)
	}
	return n
}
