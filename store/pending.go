package store

import (
	"context"
	"fmt"
)

// Pending is what waits for the clerk (the 待办 pane). Each section holds at
// most the limit given to Pending; the Total fields count all of them.
type Pending struct {
	// Orders not yet issued (status not HAS_OUT_GUARANTEE, FINISH or CANCEL),
	// soonest bid_deadline first (unknown deadline last). Flagged orders
	// appear here too if not issued.
	Orders      []Order `json:"orders"`
	OrdersTotal int     `json:"orders_total"`
	// Releases: our guarantees named in a revocation's current (or earlier
	// success) list, not yet released and not in any penalty list; one entry
	// per guarantee (the latest batch naming it), oldest batch first.
	Releases      []PendingRelease `json:"releases"`
	ReleasesTotal int              `json:"releases_total"`
	// Claims awaiting 受理 (APPLY_WAIT_DEAL) or a result (DEAL_PASS), oldest first.
	Claims      []Claim `json:"claims"`
	ClaimsTotal int     `json:"claims_total"`
	// Flagged orders, most recently changed first.
	Flagged      []Order `json:"flagged"`
	FlaggedTotal int     `json:"flagged_total"`
	// Held callbacks waiting for the clerk's decision, oldest first.
	Held      []Held `json:"held"`
	HeldTotal int    `json:"held_total"`
}

// PendingRelease is one guarantee the platform asked to release (2.8) that
// we have not released (2.9) yet.
type PendingRelease struct {
	RevokeNo    string `json:"revoke_no"`
	BlockNumber string `json:"block_number"`
	BlockName   string `json:"block_name"`
	Creditor    string `json:"creditor"`
	ReceivedAt  int64  `json:"received_at"`
	List        string `json:"list"` // ListCurrent or ListSuccess
	GuaranteeNo string `json:"guarantee_no"`
	SerialNum   string `json:"serial_num"`
	Principal   string `json:"principal"`
	OrderNo     string `json:"order_no"`
	// DoubtAt (unix ms, 0 none): a release was sent and its answer left
	// this guarantee in doubt (解保结果不明); releasing again settles it.
	DoubtAt int64 `json:"doubt_at"`
}

const notIssued = `order_status NOT IN ('HAS_OUT_GUARANTEE', 'FINISH', 'CANCEL')`

const pendingReleaseFrom = ` FROM revocation_items i
	JOIN revocations r ON r.revoke_no = i.revoke_no
	JOIN guarantees g ON g.guarantee_no = i.guarantee_no AND g.serial_num = i.serial_num
	WHERE i.list IN ('current', 'success') AND g.released_at = 0
	AND NOT EXISTS (SELECT 1 FROM revocation_items p WHERE p.guarantee_no = g.guarantee_no
		AND p.serial_num = g.serial_num AND p.list = 'penalty')`

// Pending gathers the 待办 lists, each at most limit long (<= 0: DefaultLimit).
func (s *Store) Pending(ctx context.Context, limit int) (*Pending, error) {
	limit = limitOf(limit)
	p := &Pending{Orders: []Order{}, Releases: []PendingRelease{}, Claims: []Claim{}, Flagged: []Order{}, Held: []Held{}}
	var err error

	// One read transaction, so that the sections are one consistent snapshot.
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("pending: %w", err)
	}
	defer tx.Rollback()

	p.Orders, err = queryOrders(ctx, tx, `SELECT `+orderCols+` FROM orders WHERE `+notIssued+` ORDER BY deadline_key, order_no LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending orders: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM orders) -
		(SELECT count(*) FROM orders WHERE order_status IN ('HAS_OUT_GUARANTEE', 'FINISH', 'CANCEL'))`).Scan(&p.OrdersTotal); err != nil {
		return nil, fmt.Errorf("pending orders: %w", err)
	}

	p.Flagged, err = queryOrders(ctx, tx, `SELECT `+orderCols+` FROM orders WHERE flagged = 1 ORDER BY updated_at DESC, order_no DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending flagged orders: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE flagged = 1`).Scan(&p.FlaggedTotal); err != nil {
		return nil, fmt.Errorf("pending flagged orders: %w", err)
	}

	// max(r.received_at) makes SQLite take the other bare columns from the
	// latest batch naming the guarantee.
	rows, err := tx.QueryContext(ctx, `SELECT r.revoke_no, r.block_number, r.block_name, r.creditor, max(r.received_at),
		i.list, g.guarantee_no, g.serial_num, i.principal, g.order_no, g.release_doubt`+pendingReleaseFrom+`
		GROUP BY g.guarantee_no ORDER BY 5, g.guarantee_no LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending releases: %w", err)
	}
	for rows.Next() {
		var r PendingRelease
		if err := rows.Scan(&r.RevokeNo, &r.BlockNumber, &r.BlockName, &r.Creditor, &r.ReceivedAt,
			&r.List, &r.GuaranteeNo, &r.SerialNum, &r.Principal, &r.OrderNo, &r.DoubtAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("pending releases: %w", err)
		}
		p.Releases = append(p.Releases, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending releases: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT g.guarantee_no)`+pendingReleaseFrom).Scan(&p.ReleasesTotal); err != nil {
		return nil, fmt.Errorf("pending releases: %w", err)
	}

	crows, err := tx.QueryContext(ctx, `SELECT `+claimCols+` FROM claims c WHERE c.status IN ('APPLY_WAIT_DEAL', 'DEAL_PASS')
		ORDER BY c.received_at, c.claim_no LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending claims: %w", err)
	}
	claims, err := collectClaims(crows)
	if err != nil {
		return nil, fmt.Errorf("pending claims: %w", err)
	}
	if err := loadAttachments(ctx, tx, claims); err != nil {
		return nil, fmt.Errorf("pending claims: %w", err)
	}
	if claims != nil {
		p.Claims = claims
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM claims WHERE status IN ('APPLY_WAIT_DEAL', 'DEAL_PASS')`).Scan(&p.ClaimsTotal); err != nil {
		return nil, fmt.Errorf("pending claims: %w", err)
	}
	p.Held, err = queryCollect(ctx, tx, collectHeld, `SELECT `+heldCols+` FROM held WHERE state = 'held' ORDER BY received_at, id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending held callbacks: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM held WHERE state = 'held'`).Scan(&p.HeldTotal); err != nil {
		return nil, fmt.Errorf("pending held callbacks: %w", err)
	}
	return p, nil
}

func queryOrders(ctx context.Context, q querier, query string, args ...any) ([]Order, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Order{}
	for rows.Next() {
		var o Order
		if err := scanOrder(rows, &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
