package platform

// fieldTitles are the manual's Chinese names of the message fields.
var fieldTitles = map[string]string{
	"request_method":                     "请求方法",
	"method":                             "请求方法",
	"sign":                               "签名",
	"timestamp":                          "时间戳",
	"btc_id":                             "担保公司id",
	"btc_name":                           "交易中心名称",
	"enter_institution_type":             "对接机构类型",
	"order_no":                           "订单编号",
	"order_status":                       "订单状态",
	"order_status_old":                   "旧订单状态",
	"ktype":                              "保函属性",
	"gtype":                              "保函类型",
	"project_number":                     "项目编号",
	"project_name":                       "项目名称",
	"block_number":                       "标段编号",
	"block_name":                         "标段名称",
	"project_type":                       "项目类型",
	"address":                            "工程地址",
	"bid_deadline":                       "投标截止时间",
	"valid_day":                          "投标有效期(天)",
	"guarantee_amount":                   "担保金额(元)",
	"update_time":                        "更新时间",
	"claim_state":                        "理赔状态",
	"guarantee_state":                    "保函状态",
	"guarantee_item":                     "保函事项",
	"guarantee_type":                     "保函类型",
	"guarantee_apply_time":               "申请时间",
	"project_amount":                     "项目金额(元)",
	"contract_reckon_amount":             "合同估算价(元)",
	"project_city_code":                  "项目行政区代码",
	"guarantee_start_date":               "担保期间(开始)",
	"guarantee_end_date":                 "担保期间(结束)",
	"creditor":                           "受益人",
	"creditor_name":                      "建设单位经办人",
	"creditor_phone":                     "建设单位联系电话",
	"creditor_account_bank_name":         "建设单位开户行",
	"creditor_account_bank_no":           "建设单位银行账号",
	"tender_notice_url":                  "招标公告地址",
	"tender_file_url":                    "招标文件地址",
	"bidding_agent":                      "招标代理机构",
	"bidding_agent_name":                 "招标代理经办人",
	"bidding_agent_phone":                "招标代理联系电话",
	"principal":                          "被保证人",
	"principal_name":                     "被保证人经办人",
	"principal_phone":                    "被保证人联系电话",
	"principal_email":                    "被保证人邮箱",
	"principal_id_card":                  "联系人身份证号",
	"principal_legal_person":             "法定代表人",
	"principal_legal_id_card":            "法定代表人身份证号",
	"principal_legal_phone":              "法定代表人电话",
	"principal_phone_social_credit_code": "统一社会信用代码",
	"principal_address":                  "被保证人地址",
	"principal_bank_account_no":          "被保证人开户账号",
	"principal_bank_account_name":        "被保证人开户银行",
	"guarantee_template_name":            "保函模板文件名称",
	"guarantee_template_file_name":       "保函模板文件名称",
	"guarantee_sign_files":               "签署文件",
	"attach_files":                       "附件",
	"guarantee_pdf":                      "电子保函原件",
	"revoke_guarantee_declare_file":      "撤销保函声明文件",
	"order_amount":                       "订单金额(元)",
	"is_withdraw":                        "审批退回",
	"statement":                          "说明",
	"pay_method":                         "扣款方式",
	"redirect_url":                       "跳转地址",
	"applicant":                          "申请人",
	"guarantor":                          "保证人",
	"guarantee_no":                       "保函编号",
	"serial_num":                         "保函序列号",
	"out_guarantee_time":                 "出函时间",
	"guarantee_pdf_hash":                 "电子保函哈希码",
	"trans_no":                           "传输流水号",
	"cancel_reason":                      "取消订单原因",
	"revoke_no":                          "批次号",
	"note":                               "说明/备注",
	"revoke_guarantee_data":              "要撤销的保函数据",
	"revoke_guarantee_declare_file_hash": "撤销声明文件hash",
	"remove_guarantee_data":              "保函解保信息",
	"remove_guarantee_date":              "解保日期",
	"claim_no":                           "理赔序列号",
	"status":                             "状态",
	"out_guarantee":                      "保证人(出函担保公司)",
	"claim_amount":                       "索赔金额(元)",
	"claim_reason":                       "索赔理由",
	"contact_person":                     "联系人",
	"contact_phone":                      "联系人手机号",
	"contact_mail":                       "联系人邮箱",
	"do_type":                            "处理类型",
	"file_id":                            "文件id",
	"file_url":                           "文件URL",
	"file_name":                          "文件名称",
	"access_token":                       "access_token",
	"expired_at":                         "过期时间",
}

// FieldTitle is the manual's Chinese name of a message field, or the
// name itself when the manual gives none.
func FieldTitle(name string) string {
	if l, ok := fieldTitles[name]; ok {
		return l
	}
	return name
}

// FieldNamed is a field as the clerk reads it in a sentence: "解保日期
// (remove_guarantee_date)", or the name alone when the manual gives none.
func FieldNamed(name string) string {
	if t := FieldTitle(name); t != name {
		return t + "（" + name + "）"
	}
	return name
}
