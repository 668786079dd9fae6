package detail

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"baohan/platform"
	"baohan/store"
	"baohan/ui/common"
)

// The state of an order's platform files (签署文件/附件) in its detail:
// kept (store.RecordDownload, by the FileKeeper, d or file url --download)
// with its SHA-256; being downloaded, with a bar fed by the store's
// platform.FileBoard; or failed and to be retried (the keeper's journal
// event, kind "file").

// FileStates fills in what the store and the journal say of each file.
func FileStates(ctx context.Context, db *store.Store, orderNo string, pf []File) ([]File, error) {
	var ids []string
	for _, f := range pf {
		if f.FileID != "" {
			ids = append(ids, f.FileID)
		}
	}
	if len(ids) == 0 {
		return pf, nil
	}
	dl, err := db.Downloads(ctx, ids)
	if err != nil {
		return nil, err
	}
	evs, err := db.ListEvents(ctx, store.EventQuery{Ref: orderNo, Kind: platform.EventKindFile, Limit: 200})
	if err != nil {
		return nil, err
	}
	// The latest event of each file tells whether its last try failed.
	failed := map[string]string{}
	seen := map[string]bool{}
	for _, e := range evs { // newest first
		var k platform.KeptFile
		if json.Unmarshal([]byte(e.Detail), &k) != nil || k.FileID == "" || seen[k.FileID] {
			continue
		}
		seen[k.FileID] = true
		if k.Error != "" {
			failed[k.FileID] = k.Error
		}
	}
	out := make([]File, len(pf))
	for i, f := range pf {
		if d, ok := dl[f.FileID]; ok && f.SHA == "" {
			f.SHA, f.Size, f.Stored = d.SHA256, d.Size, db.HasFile(d.SHA256)
			if f.Name == NoFileName && d.Name != "" {
				f.Name = d.Name
			}
		}
		if !f.Stored {
			f.Failed = failed[f.FileID]
		}
		out[i] = f
	}
	return out, nil
}

// ProgressText is a file's download in progress: a bar and the bytes.
func ProgressText(p platform.FileProgress) string {
	g := common.Glyphs()
	const w = 20
	if p.Total <= 0 {
		return fmt.Sprintf("[下载中 %s]", common.Size(p.Done))
	}
	n := int(min(p.Done, p.Total) * w / p.Total)
	return fmt.Sprintf("[下载中 %s%s %d%% %s/%s]", strings.Repeat(string(g.BarFull), n), strings.Repeat(string(g.BarEmpty), w-n),
		min(p.Done, p.Total)*100/p.Total, common.Size(p.Done), common.Size(p.Total))
}

// Downloaded is a platform file (by file_id) downloaded into the store while
// the desk ran.
type Downloaded struct {
	SHA  string
	Name string
	Size int64
}
