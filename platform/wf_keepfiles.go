package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"baohan/store"
)

// EventKindFile marks the journal's events about a platform file of an
// order (guarantee_sign_files, attach_files): kept (status 200, Detail has
// its SHA-256) or failed (status 0, retried).
const EventKindFile = "file"

// KeptFile is one platform file of an order and what became of it.
type KeptFile struct {
	Field  string `json:"field"` // guarantee_sign_files or attach_files
	FileID string `json:"file_id"`
	Name   string `json:"file_name"`
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	Error  string `json:"error,omitempty"`
}

// KeepOrderFiles downloads every file the order lists that the store does
// not hold yet: first from the URL the order brought, and when that fails
// (the URL lives two hours) from a fresh one (4.1 get_file_url). Each file
// kept or failed is journaled (EventKindFile), so that a failure is shown
// and retried, never silently missing. progress, when set, hears each
// file's bytes.
func (w *Workflows) KeepOrderFiles(ctx context.Context, orderNo string, progress func(fileID string, done, total int64)) ([]KeptFile, error) {
	o, err := w.Store.GetOrder(ctx, orderNo)
	if err != nil {
		return nil, err
	}
	sign, attach := OrderFiles(o.Fields)
	lists := map[string][]SignFile{"guarantee_sign_files": sign, "attach_files": attach}
	var ids []string
	for _, f := range append(append([]SignFile{}, sign...), attach...) {
		ids = append(ids, string(f.FileID))
	}
	// Kept already: recorded as downloaded (store.RecordDownload, also by
	// the desk's d and file url --download) and still in the file store.
	dl, err := w.Store.Downloads(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []KeptFile
	for _, field := range []string{"guarantee_sign_files", "attach_files"} {
		for _, f := range lists[field] {
			id := string(f.FileID)
			if id == "" {
				continue
			}
			if d, ok := dl[id]; ok && w.Store.HasFile(d.SHA256) {
				out = append(out, KeptFile{Field: field, FileID: id, Name: d.Name, SHA256: d.SHA256, Size: d.Size})
				continue
			}
			k := KeptFile{Field: field, FileID: id, Name: SanitizeFileName(string(f.FileName))}
			board := Board(w.Store)
			board.Set(FileProgress{OrderNo: orderNo, FileID: id})
			p := func(done, total int64) {
				board.Set(FileProgress{OrderNo: orderNo, FileID: id, Done: done, Total: total})
				if progress != nil {
					progress(id, done, total)
				}
			}
			ref, name, err := w.fetchFile(ctx, string(f.FileURL), id, p)
			label := map[string]string{"guarantee_sign_files": "签署文件", "attach_files": "附件"}[field]
			ev := store.Event{Kind: EventKindFile, Direction: store.DirIn, Method: MethodGetFileURL, Ref: orderNo}
			if err != nil {
				k.Error = err.Error()
				ev.Summary = fmt.Sprintf("订单 %s 的%s %s 下载失败，将重试：%v", orderNo, label, id, err)
			} else {
				if string(f.FileName) == "" {
					k.Name = name
				}
				k.SHA256, k.Size = ref.SHA256, ref.Size
				if err := w.Store.RecordDownload(ctx, store.Download{FileID: id, SHA256: ref.SHA256, Name: k.Name, Size: ref.Size}); err != nil {
					board.Remove(id)
					return out, fmt.Errorf("record file %s of order %s: %w", id, orderNo, err)
				}
				ev.Status = StatusOK
				ev.Summary = fmt.Sprintf("已保存订单 %s 的%s %s（%s，SHA-256 %s）", orderNo, label, k.Name, Size(ref.Size), ref.SHA256)
			}
			detail, _ := json.Marshal(k)
			ev.Detail = string(detail)
			_, err = w.Store.AddEvent(ctx, ev)
			// Off the board once the journal says what became of it, so
			// that a screen never sees the file neither coming nor kept.
			board.Remove(id)
			if err != nil {
				return out, fmt.Errorf("record file %s of order %s: %w", id, orderNo, err)
			}
			out = append(out, k)
		}
	}
	return out, nil
}

// fetchFile downloads from the order's URL, then from a fresh 4.1 URL.
func (w *Workflows) fetchFile(ctx context.Context, url, fileID string, progress func(done, total int64)) (store.FileRef, string, error) {
	if url != "" {
		if ref, name, err := w.Download(ctx, url, progress); err == nil {
			return ref, name, nil
		}
	}
	fresh, err := w.FileURL(ctx, fileID)
	if err != nil {
		return store.FileRef{}, "", err
	}
	return w.Download(ctx, fresh, progress)
}

// FileKeeper keeps the files of new orders in the background: it tails
// the journal for 2.1 callbacks and 2.2 answers (the two messages that
// bring guarantee_sign_files and attach_files) and downloads their files
// at once (KeepOrderFiles), retrying failures with a growing pause.
type FileKeeper struct {
	W *Workflows
	// Interval is how often the journal is read; default 5 s.
	Interval time.Duration
	Logger   *slog.Logger

	after   int64                // last journal event seen
	pending map[string]time.Time // order -> next try
	tries   map[string]int
}

// Run works until ctx ends.
func (k *FileKeeper) Run(ctx context.Context) {
	iv := k.Interval
	if iv <= 0 {
		iv = 5 * time.Second
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		k.Step(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// keepFilesTries is how often the keeper tries an order's files (about two
// hours of retries) before leaving them to the clerk.
const keepFilesTries = 10

// Step reads the new journal events and downloads what is due. It returns
// the orders it tried.
func (k *FileKeeper) Step(ctx context.Context) []string {
	if k.pending == nil {
		k.pending, k.tries = map[string]time.Time{}, map[string]int{}
	}
	// Orders older than two days are left to the clerk (their files may be
	// gone from the platform); the keeper is for what is arriving.
	oldest := k.W.now().Add(-48 * time.Hour).UnixMilli()
	for {
		evs, err := k.W.Store.EventsAfter(ctx, k.after, 500)
		if err != nil && k.Logger != nil && ctx.Err() == nil {
			k.Logger.Warn("读取事件日志失败，订单文件稍后再下载", "err", err.Error())
		}
		if err != nil || len(evs) == 0 {
			break
		}
		for _, e := range evs {
			k.after = e.ID
			if e.Ref == "" || e.At < oldest {
				continue
			}
			if (e.Kind == store.KindCallback && e.Method == CallbackApplyGuarantee) || (e.Kind == store.KindCall && e.Method == MethodGetGuaranteeInfo && e.Status == StatusOK) {
				if _, ok := k.pending[e.Ref]; !ok {
					k.pending[e.Ref] = time.Time{}
				}
			}
		}
	}
	now := k.W.now()
	var tried []string
	for orderNo, due := range k.pending {
		if ctx.Err() != nil {
			break
		}
		if now.Before(due) {
			continue
		}
		tried = append(tried, orderNo)
		files, err := k.W.KeepOrderFiles(ctx, orderNo, nil)
		failed := err != nil
		for _, f := range files {
			failed = failed || f.Error != ""
		}
		if !failed {
			delete(k.pending, orderNo)
			delete(k.tries, orderNo)
			continue
		}
		k.tries[orderNo]++
		if errors.Is(err, store.ErrNotFound) || k.tries[orderNo] >= keepFilesTries {
			// Gone from the store, or the platform keeps failing: left
			// to the clerk (the order's detail shows its files and d).
			if k.Logger != nil {
				k.Logger.Warn("订单文件多次下载失败，不再自动重试", "order_no", orderNo, "tries", k.tries[orderNo])
			}
			delete(k.pending, orderNo)
			delete(k.tries, orderNo)
			continue
		}
		pause := time.Duration(1<<min(k.tries[orderNo], 5)) * 30 * time.Second // 1 min ... 16 min
		k.pending[orderNo] = now.Add(pause)
		if k.Logger != nil {
			k.Logger.Warn("订单文件下载失败，稍后重试", "order_no", orderNo, "retry_in", pause.String())
		}
	}
	return tried
}
