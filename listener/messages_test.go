package listener

import (
	"encoding/json"
	"testing"

	"baohan/platform"
	"baohan/platform/sandbox"
)

// Valid callbacks of each kind, for the good paths and as the base the
// refusal cases break.

func (e *env) applyCallback(orderNo string) sandbox.Callback {
	o := e.sb.GenerateOrder(sandbox.OrderSpec{OrderNo: orderNo})
	return sandbox.Callback{Path: sandbox.PathApplyGuarantee, Msg: o.ApplyGuarantee}
}

func statusCallback(orderNo, old, status string) sandbox.Callback {
	return sandbox.Callback{Path: sandbox.PathOrderStatus, Msg: platform.OrderStatusNotice{
		RequestMethod: platform.CallbackOrderStatus, OrderNo: platform.Str(orderNo),
		BlockNumber: "E3501000001" + platform.Str(orderNo[len(orderNo)-3:]), BlockName: "福州市鼓楼区某某小学改造工程施工（标段一）",
		Principal: "福建某某建设工程有限公司", Creditor: "福州市鼓楼区教育局", Applicant: "福建某某建设工程有限公司",
		OrderStatusOld: platform.Str(old), OrderStatus: platform.Str(status),
	}}
}

func verifyCallback(serial string, pdf []byte) sandbox.Callback {
	cb := sandbox.Callback{Path: sandbox.PathVerify, Msg: map[string]any{"serial_num": serial}}
	if pdf != nil {
		cb.Files = []sandbox.File{{Field: "guarantee_pdf", Name: "保函.pdf", Data: pdf}}
	}
	return cb
}

func queryCallback(guaranteeNo, serial string) sandbox.Callback {
	return sandbox.Callback{Path: sandbox.PathQuery, Msg: platform.QueryRequest{GuaranteeNo: platform.Str(guaranteeNo), SerialNum: platform.SerialNum(serial)}}
}

func releaseQueryCallback(blockNumber, guaranteeNo, serial string) sandbox.Callback {
	return sandbox.Callback{Path: sandbox.PathReleaseQuery, Msg: platform.ReleaseQuery{
		RequestMethod: platform.CallbackReleaseSearch, BlockNumber: platform.Str(blockNumber),
		GuaranteeNo: platform.Str(guaranteeNo), SerialNum: platform.SerialNum(serial)}}
}

// revokeCallback revokes items (current list) and penalises penalty; a
// declaration file and its hash go along when decl is not nil.
func revokeCallback(t testing.TB, revokeNo, blockNumber string, current, penalty []platform.RevokeItem, decl []byte, hash string) sandbox.Callback {
	t.Helper()
	if current == nil {
		current = []platform.RevokeItem{}
	}
	if penalty == nil {
		penalty = []platform.RevokeItem{}
	}
	data, err := platform.Marshal(platform.RevokeData{RevokeSuccessData: []platform.RevokeItem{}, CurrentRevokeData: current, PenaltyData: penalty})
	if err != nil {
		t.Fatal(err)
	}
	cb := sandbox.Callback{Path: sandbox.PathRevoke, Msg: platform.RevokeNotice{
		RequestMethod: platform.CallbackGuaranteeRelease, RevokeNo: platform.Str(revokeNo),
		BlockName: "福州市鼓楼区某某小学改造工程施工（标段一）", BlockNumber: platform.Str(blockNumber),
		Creditor: "福州市鼓楼区教育局", Note: "招标终止，撤销本标段保函", RevokeGuaranteeData: platform.Str(data),
		RevokeGuaranteeDeclareFileHash: platform.Str(hash),
	}}
	if decl != nil {
		cb.Files = []sandbox.File{{Field: "revoke_guarantee_declare_file", Name: "撤销保函声明.pdf", Data: decl}}
	}
	return cb
}

func claimMsg(claimNo, status, guaranteeNo, blockNumber string) platform.ApplyClaim {
	return platform.ApplyClaim{
		RequestMethod: platform.CallbackApplyClaim, ClaimNo: platform.Str(claimNo), Status: platform.Str(status),
		GuaranteeNo: platform.Str(guaranteeNo), BlockName: "福州市鼓楼区某某小学改造工程施工（标段一）",
		BlockNumber: platform.Str(blockNumber), Principal: "福建某某建设工程有限公司", Creditor: "福州市鼓楼区教育局",
		Guarantor: "福州某某融资担保有限公司", OutGuarantee: "福州某某融资担保有限公司", ClaimAmount: "80000.00",
		ClaimReason: "中标人放弃中标资格", ContactPerson: "林某某", ContactPhone: "13805912345", ContactMail: "lin@example.cn",
	}
}

func claimCallback(msg platform.ApplyClaim, pdf []byte, attach ...sandbox.File) sandbox.Callback {
	files := []sandbox.File{{Field: "guarantee_pdf", Name: "保函.pdf", Data: pdf}}
	return sandbox.Callback{Path: sandbox.PathClaim, Msg: msg, Files: append(files, attach...)}
}

// fieldsOf turns a callback message into mutable fields.
func fieldsOf(t testing.TB, msg any) platform.Fields {
	t.Helper()
	f, err := platform.ToFields(msg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func jsonStr(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
