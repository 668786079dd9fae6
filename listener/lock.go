package listener

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"baohan/store"
)

// Files of the single-listener lock, in the data folder.
const (
	LockFile = "listener.lock"
	// InitLockFile guards the moment between taking LockFile and writing
	// InfoFile: Lock holds it exclusively meanwhile, Running shares it,
	// so that nobody sees the lock held without the info (two `serve`
	// started at once used to print "already runs (pid 0, )").
	InitLockFile = "listener.init.lock"
	InfoFile     = "listener.json"
	LogFile      = "listener.log"
)

// Info describes the listener running for a data folder (DIR/listener.json).
type Info struct {
	PID       int       `json:"pid"`
	Addr      string    `json:"addr"`
	PublicURL string    `json:"public_url"`
	StartedAt time.Time `json:"started_at"`
}

// ErrRunning is returned (wrapped) by Lock when another listener holds the
// data folder.
var ErrRunning = errors.New("a listener is already running for this data folder")

// Lock takes the data folder's listener lock: an exclusive lock on
// DIR/listener.lock held while the returned release is not called (the
// kernel drops it when the process dies, even by SIGKILL), and info written
// to DIR/listener.json. If another listener holds it, the error wraps
// ErrRunning and names it. info.PID and StartedAt are filled when zero.
func Lock(dataDir string, info Info) (release func(), err error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("listener lock: %w", err)
	}
	initLock, err := holdInit(dataDir, true)
	if err != nil {
		return nil, err
	}
	defer initLock()
	path := filepath.Join(dataDir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("listener lock %s: %w", path, err)
	}
	held, err := store.TryLock(f, true)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("listener lock %s: %w", path, err)
	}
	if !held {
		f.Close()
		if other, ok := readInfo(dataDir); ok {
			return nil, fmt.Errorf("%w (pid %d, %s, since %s)", ErrRunning, other.PID, other.Addr, other.StartedAt.Local().Format("2006-01-02 15:04:05"))
		}
		return nil, fmt.Errorf("%w (%s)", ErrRunning, path)
	}
	if info.PID == 0 {
		info.PID = os.Getpid()
	}
	if info.StartedAt.IsZero() {
		info.StartedAt = time.Now()
	}
	if err := writeInfo(dataDir, info); err != nil {
		store.Unlock(f)
		f.Close()
		return nil, err
	}
	infoPath := filepath.Join(dataDir, InfoFile)
	release = func() {
		os.Remove(infoPath)
		store.Unlock(f)
		f.Close()
	}
	return release, nil
}

// Running tells whether a listener holds the data folder's lock, and what
// its DIR/listener.json says.
func Running(dataDir string) (info *Info, running bool) {
	if release, err := holdInit(dataDir, false); err == nil {
		defer release()
	}
	f, err := os.Open(filepath.Join(dataDir, LockFile))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	free, err := store.TryLock(f, false)
	if err != nil {
		return nil, false
	}
	if free {
		store.Unlock(f)
		return nil, false
	}
	if i, ok := readInfo(dataDir); ok {
		return &i, true
	}
	return &Info{}, true
}

// holdInit takes DIR/listener.init.lock, exclusive (Lock) or shared
// (Running), waiting for it: Lock holds it only while it takes the lock and
// writes the info, so the wait is short. The kernel drops it if the holder
// dies.
func holdInit(dataDir string, exclusive bool) (release func(), err error) {
	path := filepath.Join(dataDir, InitLockFile)
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("listener lock %s: %w", path, err)
	}
	if err := waitLockFile(f, exclusive); err != nil {
		f.Close()
		return nil, fmt.Errorf("listener lock %s: %w", path, err)
	}
	return func() {
		store.Unlock(f)
		f.Close()
	}, nil
}

func readInfo(dataDir string) (Info, bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, InfoFile))
	if err != nil {
		return Info{}, false
	}
	var i Info
	if err := json.Unmarshal(b, &i); err != nil {
		return Info{}, false
	}
	return i, true
}

// writeInfo writes DIR/listener.json atomically (temp file, rename).
func writeInfo(dataDir string, info Info) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", InfoFile, err)
	}
	tmp, err := os.CreateTemp(dataDir, InfoFile+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", InfoFile, err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", InfoFile, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dataDir, InfoFile)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", InfoFile, err)
	}
	return nil
}

// FileLogger is the desk's listener log: JSON lines appended to
// DIR/listener.log (mode 0600). Close the returned closer on exit.
func FileLogger(dataDir string, level slog.Level) (*slog.Logger, io.Closer, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("listener log: %w", err)
	}
	path := filepath.Join(dataDir, LogFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("listener log %s: %w", path, err)
	}
	return slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: level})), f, nil
}
