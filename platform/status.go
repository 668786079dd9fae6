package platform

import (
	"fmt"
	"strings"
)

// The manual's status code tables. 5.3 is the general table (answers of the
// platform's API, and of our callbacks); 5.5 is for verify (验真, 2.6) and
// 5.6 for query (查验, 2.7), whose codes overlap 5.3's 2600-2606 with other
// meanings.

// StatusOK is the success status of every answer.
const StatusOK = 200

// Status codes our listener answers with (5.3, 5.5, 5.6).
const (
	StatusFailed          = 404  // 失败
	StatusDecryptFailed   = 1000 // 解密失败
	StatusSignFailed      = 1001 // 验签失败
	StatusTokenExpired    = 1006 // 解密失败,token错误或已过期
	StatusIllegalAccess   = 1050 // 非法访问
	StatusOrderNoMissing  = 1100 // 参数缺失：order_no
	StatusOrderNotFound   = 1101 // 订单不存在
	StatusGuaranteeExists = 2428 // 保函编号已存在

	VerifySerialMissing = 2600 // 参数缺失：serial_num
	VerifyPDFMissing    = 2601 // 参数缺失：guarantee_pdf
	VerifyNotPDF        = 2602 // 保函文件格式错误,仅支持PDF
	VerifyTooLarge      = 2603 // 保函文件过大
	VerifyReceiveFailed = 2604 // 保函文件接收失败
	VerifyUnreadable    = 2605 // 无法识别该文件
	VerifyDecryptFailed = 2606 // 解密失败
	VerifySignFailed    = 2607 // 验签失败
	VerifyTimeout       = 2608 // 请求超时
	VerifySystemError   = 2609 // 系统错误

	QueryGuaranteeNoMissing = 2700 // 参数缺失：guarantee_no
	QuerySerialMissing      = 2701 // 参数缺失：serial_num
	QueryNotFound           = 2702 // 保函不存在
	QueryTimeout            = 2705 // 请求超时
	QuerySystemError        = 2706 // 系统错误
)

// StatusText is the meaning of a 5.3 code, or "" when the table lacks it.
func StatusText(code int) string { return statusTable[code] }

// VerifyStatusText is the meaning of a 5.5 (验真) code.
func VerifyStatusText(code int) string { return verifyStatusTable[code] }

// QueryStatusText is the meaning of a 5.6 (查验) code.
func QueryStatusText(code int) string { return queryStatusTable[code] }

// DescribeStatus gives "code 含义" for a 5.3 code, or the code alone.
// StatusDetail is what the platform's msg adds to the manual's meaning of
// its status code: "" when it only repeats it, the rest when it starts with
// it ("对应的订单不存在：1813..." → "1813..."), else msg.
func StatusDetail(code int, msg string) string {
	msg = strings.TrimSpace(msg)
	t := StatusText(code)
	if t == "" {
		return msg
	}
	if rest, ok := strings.CutPrefix(msg, t); ok {
		return strings.TrimLeft(rest, "：:，,。;； ")
	}
	return msg
}

func DescribeStatus(code int) string {
	if t := StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

// statusTable is 5.3 状态码.
var statusTable = map[int]string{
	200:  "成功",
	404:  "失败",
	1000: "解密失败",
	1001: "验签失败",
	1002: "无权调用该接口",
	1004: "无权调用该接口",
	1005: "验签失败",
	1006: "解密失败,token错误或已过期",
	1007: "验签失败",
	1008: "无权调用该接口",
	1010: "无权调用该接口",
	1013: "无权调用该接口,不在IP白名单内",
	1014: "无权调用该接口,不在IP白名单内",
	1015: "非法的担保公司",
	1017: "参数缺失：btc_id",
	1018: "非法的担保公司",
	1019: "参数缺失：btc_id",
	1020: "非法的担保公司",
	1021: "非法的担保公司",
	1050: "非法访问",
	1100: "参数缺失：order_no",
	1101: "订单不存在",
	1102: "订单不存在",
	2300: "参数缺失：order_no",
	2301: "参数缺失：order_do_type",
	2302: "订单不存在",
	2303: "参数错误：order_do_type",
	2304: "参数缺失：status",
	2305: "参数错误: status",
	2306: "参数错误：order_do_type",
	2307: "参数缺失：status",
	2308: "参数错误: status",
	2309: "参数缺失: price",
	2310: "参数错误: price",
	2311: "参数缺失：guarantee_template_file",
	2312: "该订单不能再申请审批",
	2313: "该订单不允许审批操作",
	2314: "参数缺失：principal",
	2315: "参数缺失：creditor",
	2316: "参数缺失：applicant",
	2317: "该订单的信息缺失",
	2318: "该订单的信息缺失",
	2319: "被保证人名称不正确",
	2320: "申请人名称不正确",
	2321: "受益人名称不正确",
	2322: "申请人名称不正确",
	2323: "该订单不允许初审审批操作",
	2324: "该订单不允许尽调审批操作",
	2325: "该订单不允许报价操作",
	2326: "保函模板文件类型缺失",
	2327: "保函模板文件类型错误",
	2328: "保函模板文件保存失败",
	2329: "参数错误: status",
	2330: "该订单不允许报价取消操作",
	2331: "该订单不允许报价取消操作",
	2332: "该订单初审审批正在等待对方处理中",
	2333: "该订单尽调审批正在等待对方处理中",
	2334: "订单不存在",
	2400: "参数缺失：order_no",
	2401: "参数缺失：guarantee_no",
	2402: "参数缺失：guarantee_state",
	2403: "参数缺失：guarantee_item",
	2404: "参数缺失：guarantee_type",
	2405: "参数缺失：block_number",
	2406: "参数缺失：block_name",
	2407: "参数缺失：principal",
	2408: "参数缺失：creditor",
	2409: "参数缺失：guarantor",
	2410: "参数缺失：applicant",
	2411: "参数缺失：guarantee_amount",
	2412: "参数缺失：guarantee_apply_time",
	2413: "参数缺失：guarantee_start_date",
	2414: "参数缺失：guarantee_end_date",
	2415: "参数缺失：out_guarantee_time",
	2416: "参数缺失：guarantee_pdf",
	2417: "参数缺失：guarantee_pdf_hash",
	2418: "参数错误：guarantee_state",
	2419: "参数错误：guarantee_item",
	2420: "参数错误：guarantee_type",
	2421: "文件接收失败,[error_no:N](N是整数)",
	2422: "保函文件有误",
	2423: "保函文件保存失败",
	2424: "对应的订单不存在",
	2426: "保函文件格式错误,必须是PDF",
	2427: "该订单不允许出函操作",
	2428: "保函编号已存在",
	2500: "参数缺失：serial_num",
	2501: "参数缺失：guarantee_pdf",
	2502: "该保函不存在",
	2503: "该保函的开函担保公司不存在",
	2504: "该保函的开函担保公司暂未开放查询接口",
	2505: "该保函的订单不存在",
	2506: "该保函的开函担保公司不存在",
	2600: "参数缺失：guarantee_no",
	2601: "参数缺失：serial_num",
	2602: "该保函不存在",
	2603: "该保函的开函担保公司不存在",
	2604: "该保函的开函担保公司暂未开放查询接口",
	2605: "该保函的订单不存在",
	2606: "该保函的开函担保公司不存在",
	3200: "参数缺失：claim_no",
	3201: "参数缺失：guarantee_no",
	3202: "参数缺失：block_number",
	3203: "参数缺失：block_name",
	3204: "参数缺失：principal",
	3205: "参数缺失：creditor",
	3206: "参数缺失：guarantor",
	3207: "参数缺失：claim_state",
	3208: "参数缺失：update_time",
	3209: "参数错误：claim_state",
	4400: "参数缺失：file_id",
	4401: "文件不存在",
	4402: "获取文件URL地址失败",
	4500: "参数缺失：file_id",
	4501: "文件不存在",
}

// verifyStatusTable is 5.5 保函验真状态码.
var verifyStatusTable = map[int]string{
	200:  "成功",
	2600: "参数缺失：serial_num",
	2601: "参数缺失：guarantee_pdf",
	2602: "保函文件格式错误,仅支持PDF",
	2603: "保函文件过大",
	2604: "保函文件接收失败",
	2605: "无法识别该文件",
	2606: "解密失败",
	2607: "验签失败",
	2608: "请求超时",
	2609: "系统错误",
}

// queryStatusTable is 5.6 保函查验状态码.
var queryStatusTable = map[int]string{
	200:  "成功",
	2700: "参数缺失：guarantee_no",
	2701: "参数缺失：serial_num",
	2702: "保函不存在",
	2705: "请求超时",
	2706: "系统错误",
}
