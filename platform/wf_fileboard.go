package platform

import (
	"sync"

	"baohan/store"
)

// FileProgress is a platform file being downloaded into the store now.
type FileProgress struct {
	OrderNo, FileID string
	Done, Total     int64 // Total is 0 when the server did not say
}

// FileBoard lists the platform files being downloaded into one store
// (KeepOrderFiles, by the FileKeeper or anyone else), for a screen to show
// their progress. Readers wait on Changed and read Snapshot; nothing is
// pushed to them.
type FileBoard struct {
	mu      sync.Mutex
	files   map[string]FileProgress
	shown   map[string]int64 // Done when last signalled
	changed chan struct{}
}

var boards sync.Map // *store.Store -> *FileBoard

// Board is the FileBoard of a store.
func Board(st *store.Store) *FileBoard {
	if b, ok := boards.Load(st); ok {
		return b.(*FileBoard)
	}
	b, _ := boards.LoadOrStore(st, &FileBoard{files: map[string]FileProgress{}, shown: map[string]int64{}, changed: make(chan struct{})})
	return b.(*FileBoard)
}

// Snapshot copies what is being downloaded, by file_id.
func (b *FileBoard) Snapshot() map[string]FileProgress {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]FileProgress, len(b.files))
	for k, v := range b.files {
		out[k] = v
	}
	return out
}

// Changed is closed at the next change.
func (b *FileBoard) Changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.changed
}

func (b *FileBoard) signal() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// Set records progress; a change of less than 2% (or 64 KiB when the size
// is unknown) is not signalled, so a fast download wakes a reader a few
// dozen times at most.
func (b *FileBoard) Set(p FileProgress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, had := b.files[p.FileID]
	b.files[p.FileID] = p
	step := int64(64 << 10)
	if p.Total > 0 {
		step = max(p.Total/50, 1)
	}
	last := b.shown[p.FileID]
	if !had || p.Done-last >= step || p.Done < last || (p.Total > 0 && p.Done >= p.Total && last < p.Total) {
		b.shown[p.FileID] = p.Done
		b.signal()
	}
}

// Remove takes a file off the board: kept, failed, or given up.
func (b *FileBoard) Remove(fileID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.files[fileID]; ok {
		delete(b.files, fileID)
		delete(b.shown, fileID)
		b.signal()
	}
}
