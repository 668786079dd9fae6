package platform

import "baohan/store"

// The store's records of the platform's messages: the one mapping from a
// message's fields to a record, used by the listener (callbacks) and the
// workflows (answers) alike.

// OrderRecord is the order a 2.1 callback sends (its own status).
func (m ApplyGuarantee) OrderRecord() store.Order {
	return store.Order{OrderNo: string(m.OrderNo), OrderStatus: string(m.OrderStatus),
		BlockNumber: string(m.BlockNumber), BlockName: string(m.BlockName),
		Principal: string(m.Principal), Creditor: string(m.Creditor),
		GuaranteeAmount: string(m.GuaranteeAmount), BidDeadline: string(m.BidDeadline),
		ValidDay: string(m.ValidDay), ProjectType: string(m.ProjectType),
		GuaranteeStartDate: string(m.GuaranteeStartDate), GuaranteeEndDate: string(m.GuaranteeEndDate)}
}

// OrderRecord is the order a 2.2 answer gives.
func (i OrderInfo) OrderRecord() store.Order {
	return store.Order{OrderNo: string(i.OrderNo), OrderStatus: string(i.OrderStatus),
		BlockNumber: string(i.BlockNumber), BlockName: string(i.BlockName),
		Principal: string(i.Principal), Creditor: string(i.Creditor),
		GuaranteeAmount: string(i.GuaranteeAmount), BidDeadline: string(i.BidDeadline),
		ValidDay: string(i.ValidDay), ProjectType: string(i.ProjectType),
		GuaranteeStartDate: string(i.GuaranteeStartDate), GuaranteeEndDate: string(i.GuaranteeEndDate),
		OrderAmount: string(i.OrderAmount)}
}

// ClaimRecord is the claim a 3.1 callback sends (its files aside).
func (m ApplyClaim) ClaimRecord() store.Claim {
	return store.Claim{ClaimNo: string(m.ClaimNo), Status: string(m.Status), GuaranteeNo: string(m.GuaranteeNo),
		BlockNumber: string(m.BlockNumber), BlockName: string(m.BlockName),
		Principal: string(m.Principal), Creditor: string(m.Creditor),
		Guarantor: string(m.Guarantor), OutGuarantee: string(m.OutGuarantee),
		ClaimAmount: string(m.ClaimAmount), ClaimReason: string(m.ClaimReason),
		ContactPerson: string(m.ContactPerson), ContactPhone: string(m.ContactPhone),
		ContactMail: string(m.ContactMail)}
}

// ClaimRecord is the claim a 3.3 answer gives.
func (i ClaimInfo) ClaimRecord() store.Claim {
	return store.Claim{ClaimNo: string(i.ClaimNo), Status: string(i.Status), GuaranteeNo: string(i.GuaranteeNo),
		BlockNumber: string(i.BlockNumber), BlockName: string(i.BlockName),
		Principal: string(i.Principal), Creditor: string(i.Creditor),
		Guarantor: string(i.Guarantor), ClaimAmount: string(i.ClaimAmount), ClaimReason: string(i.ClaimReason),
		ContactPerson: string(i.ContactPerson), ContactPhone: string(i.ContactPhone),
		ContactMail: string(i.ContactMail)}
}
