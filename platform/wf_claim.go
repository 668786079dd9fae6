package platform

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"baohan/store"
)

// ClaimResultInput is what the clerk gives for 3.2.
type ClaimResultInput struct {
	ClaimNo string
	DoType  string // 1 受理, 2 理赔, 3 追偿
	Status  string // per do_type (ClaimResultChoices)
	Note    string
}

func (w *Workflows) knownClaim(ctx context.Context, claimNo string) (store.Claim, error) {
	if err := required("claim_no", "", claimNo); err != nil {
		return store.Claim{}, err
	}
	c, err := w.Store.GetClaim(ctx, claimNo)
	if errors.Is(err, store.ErrNotFound) {
		return c, inputErr("本地没有理赔 %s（理赔申请由平台推送）", claimNo)
	}
	return c, err
}

// PlanClaimResult validates 3.2 guarantor_update_claim_result: the
// do_type/status pair must be one the manual allows, and the claim's fields
// come from the apply_claim the store holds.
func (w *Workflows) PlanClaimResult(ctx context.Context, in ClaimResultInput) (*Plan, error) {
	c, err := w.knownClaim(ctx, in.ClaimNo)
	if err != nil {
		return nil, err
	}
	label := ClaimResultText(in.DoType, in.Status)
	if label == "" {
		return nil, inputErr("do_type %q 与 status %q 不是手册3.2允许的组合（受理 1:1通过/2退回；理赔 2:1调解解决/2保证人代偿/4被保证人清偿/5驳回申请；追偿 3:1反担保代偿/2司法处置/3被保证人清偿）", in.DoType, in.Status)
	}
	if err := required("note", "--note", in.Note); err != nil {
		return nil, err
	}
	doType, _ := strconv.Atoi(in.DoType)
	status, _ := strconv.Atoi(in.Status)
	// 5.7: 受理 first, 理赔 only after 受理通过, 追偿 only after 代偿.
	if why := ClaimResultAllowed(c.Status, doType); why != "" {
		return nil, inputErr("理赔 %s 现为 %s：%s", c.ClaimNo, ClaimStateLabel(c.Status), why)
	}
	next := ClaimStateAfter(doType, status)
	req := ClaimResultRequest{ClaimNo: c.ClaimNo, GuaranteeNo: c.GuaranteeNo, Principal: c.Principal,
		Creditor: c.Creditor, Guarantor: w.claimGuarantor(c), DoType: in.DoType, Status: in.Status, Note: in.Note,
		BlockNumber: c.BlockNumber, BlockName: c.BlockName, ClaimState: next,
		UpdateTime: w.now().In(CST).Format(DateTimeLayout)}
	p := &Plan{Method: MethodUpdateClaimResult, Title: "理赔结果更新：" + label, Ref: c.ClaimNo, Request: req}
	p.run = func(ctx context.Context) (*Result, error) {
		err := w.call(ctx, MethodUpdateClaimResult, c.ClaimNo, req, func(ctx context.Context) (string, error) {
			if err := w.Client.UpdateClaimResult(ctx, req); err != nil {
				return "", err
			}
			return fmt.Sprintf("理赔 %s 结果已更新：%s", c.ClaimNo, label), nil
		}, func(tx *store.Tx) error {
			if _, err := tx.AddClaimResult(store.ClaimResult{ClaimNo: c.ClaimNo, DoType: doType, Status: status, Note: in.Note}); err != nil {
				return err
			}
			// The claim moves on (5.7), so it leaves 待办 when it no
			// longer waits for the guarantor.
			return tx.PutClaim(store.Claim{ClaimNo: c.ClaimNo, Status: next})
		})
		if err != nil {
			return nil, err
		}
		return &Result{Summary: fmt.Sprintf("理赔 %s 结果已更新：%s", c.ClaimNo, label)}, nil
	}
	return p, nil
}

// RefreshClaim is 3.3 guarantor_get_lp_info: it fetches the claim and
// stores what came back.
func (w *Workflows) RefreshClaim(ctx context.Context, claimNo string) (*store.Claim, error) {
	c, err := w.knownClaim(ctx, claimNo)
	if err != nil {
		return nil, err
	}
	req := claimInfoRequest(w, c)
	var info *ClaimInfo
	var raw []byte
	err = w.call(ctx, MethodGetClaimInfo, claimNo, req, func(ctx context.Context) (string, error) {
		var err error
		info, raw, err = w.Client.GetClaimInfo(ctx, req)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("获取理赔信息 %s：%s", claimNo, ClaimStateLabel(string(info.Status))), nil
	}, nil)
	if err != nil {
		return nil, err
	}
	upd := info.ClaimRecord()
	upd.ClaimNo, upd.Fields, upd.Raw = claimNo, fieldsJSON(raw), fieldsJSON(raw)
	if err := w.Store.Update(ctx, func(tx *store.Tx) error { return tx.PutClaim(upd) }); err != nil {
		return nil, fmt.Errorf("store claim %s: %w", claimNo, err)
	}
	got, err := w.Store.GetClaim(ctx, claimNo)
	if err != nil {
		return nil, err
	}
	return &got, nil
}

// claimGuarantor is the guarantor a claim message names: the claim's own
// (as 3.1 sent it), else ours.
func (w *Workflows) claimGuarantor(c store.Claim) string {
	if c.Guarantor != "" {
		return c.Guarantor
	}
	return w.Guarantor
}

func claimInfoRequest(w *Workflows, c store.Claim) ClaimInfoRequest {
	return ClaimInfoRequest{ClaimNo: c.ClaimNo, GuaranteeNo: c.GuaranteeNo, Principal: c.Principal, Creditor: c.Creditor, Guarantor: w.claimGuarantor(c)}
}

// PlanRefreshClaim is 3.3 for a confirmation: the request as it will be
// sent (Fields), and RefreshClaim when executed (Result.Data the claim).
func (w *Workflows) PlanRefreshClaim(c store.Claim) *Plan {
	p := &Plan{Method: MethodGetClaimInfo, Title: "获取理赔信息", Ref: c.ClaimNo, Request: claimInfoRequest(w, c)}
	p.run = func(ctx context.Context) (*Result, error) {
		got, err := w.RefreshClaim(ctx, c.ClaimNo)
		if err != nil {
			return nil, err
		}
		return &Result{Summary: fmt.Sprintf("获取理赔信息 %s：%s", got.ClaimNo, ClaimStateLabel(got.Status)), Data: got}, nil
	}
	return p
}
