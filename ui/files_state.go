package ui

import (
	"baohan/ui/common"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"baohan/platform"
	"baohan/store"
)

// The state of an order's platform files (签署文件/附件) in its detail:
// kept (store.RecordDownload, by the FileKeeper, d or file url --download)
// with its SHA-256; being downloaded, with a bar fed by the store's
// platform.FileBoard; or failed and to be retried (the keeper's journal
// event, kind "file").

// fileStates fills in what the store and the journal say of each file.
func fileStates(ctx context.Context, db *store.Store, orderNo string, pf []fileRef) ([]fileRef, error) {
	var ids []string
	for _, f := range pf {
		if f.fileID != "" {
			ids = append(ids, f.fileID)
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
	out := make([]fileRef, len(pf))
	for i, f := range pf {
		if d, ok := dl[f.fileID]; ok && f.sha == "" {
			f.sha, f.size, f.stored = d.SHA256, d.Size, db.HasFile(d.SHA256)
			if f.name == noFileName && d.Name != "" {
				f.name = d.Name
			}
		}
		if !f.stored {
			f.failed = failed[f.fileID]
		}
		out[i] = f
	}
	return out, nil
}

// boardMsg says the downloads in progress changed.
type boardMsg struct {
	files map[string]platform.FileProgress
}

// watchBoard waits for the next change of the store's downloads.
func (m *Model) watchBoard() tea.Cmd {
	b, ctx := platform.Board(m.pc.Store), m.pc.Ctx
	ch := b.Changed()
	return func() tea.Msg {
		select {
		case <-ch:
		case <-ctx.Done():
			return nil
		}
		return boardMsg{files: b.Snapshot()}
	}
}

// boardChanged shows the new progress in the open details, reads again a
// detail whose file has just come (or failed), and waits for the next change.
func (m *Model) boardChanged(msg boardMsg) tea.Cmd {
	cmds := []tea.Cmd{m.watchBoard()}
	for _, o := range m.pc.Stack {
		d, ok := o.(*detailView)
		if !ok {
			continue
		}
		ended := false
		for _, l := range d.lines {
			if l.file != nil && l.file.fileID != "" {
				_, was := d.inflight[l.file.fileID]
				_, is := msg.files[l.file.fileID]
				ended = ended || (was && !is)
			}
		}
		d.inflight = msg.files
		if d.w > 0 {
			d.measure()
		}
		if ended {
			cmds = append(cmds, d.reload(m))
		}
	}
	return tea.Batch(cmds...)
}

// progressText is a file's download in progress: a bar and the bytes.
func progressText(p platform.FileProgress) string {
	g := common.Glyphs()
	const w = 20
	if p.Total <= 0 {
		return fmt.Sprintf("[下载中 %s]", common.Size(p.Done))
	}
	n := int(min(p.Done, p.Total) * w / p.Total)
	return fmt.Sprintf("[下载中 %s%s %d%% %s/%s]", strings.Repeat(string(g.BarFull), n), strings.Repeat(string(g.BarEmpty), w-n),
		min(p.Done, p.Total)*100/p.Total, common.Size(p.Done), common.Size(p.Total))
}
