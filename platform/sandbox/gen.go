package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Realistic data of Fuzhou (福州) tenders for generated orders and claims.

func randIntN(n int) int { return rand.IntN(n) }

func pick[T any](list []T) T { return list[rand.IntN(len(list))] }

var districts = []struct {
	name, code, bank string
	places           []string
}{
	{"福州市鼓楼区", "350102", "鼓楼", []string{"温泉街道", "东街街道", "洪山镇", "五凤街道"}},
	{"福州市台江区", "350103", "台江", []string{"瀛洲街道", "宁化街道", "上海街道"}},
	{"福州市仓山区", "350104", "仓山", []string{"盖山镇", "城门镇", "建新镇", "螺洲镇"}},
	{"福州市马尾区", "350105", "马尾", []string{"亭江镇", "琅岐镇", "罗星街道"}},
	{"福州市晋安区", "350111", "晋安", []string{"新店镇", "鼓山镇", "宦溪镇", "岳峰镇"}},
	{"福州市长乐区", "350112", "长乐", []string{"吴航街道", "航城街道", "营前街道", "滨海新城", "潭头镇"}},
	{"闽侯县", "350121", "闽侯", []string{"上街镇", "南屿镇", "青口镇", "甘蔗街道", "大学城"}},
	{"连江县", "350122", "连江", []string{"凤城镇", "琯头镇", "敖江镇"}},
	{"罗源县", "350123", "罗源", []string{"凤山镇", "松山镇"}},
	{"闽清县", "350124", "闽清", []string{"梅城镇", "白樟镇"}},
	{"永泰县", "350125", "永泰", []string{"樟城镇", "嵩口镇"}},
	{"福清市", "350181", "福清", []string{"音西街道", "龙田镇", "江阴镇", "元洪投资区"}},
}

var works = []struct {
	name, kind string // kind: project_type
}{
	{"污水管网提升改造工程", "construction"}, {"市政道路提升改造工程", "construction"},
	{"安置房项目（一期）", "construction"}, {"中心小学扩建工程", "construction"},
	{"农村供水保障工程", "construction"}, {"河道综合治理工程", "construction"},
	{"老旧小区改造项目", "construction"}, {"体育公园建设工程", "construction"},
	{"综合管廊工程", "construction"}, {"城市主干道绿化提升工程", "construction"},
	{"卫生院迁建工程", "construction"}, {"滨江步道景观工程", "construction"},
	{"防洪排涝工程", "construction"}, {"工业园区标准厂房", "EPC"},
	{"智慧停车场建设项目", "EPC"}, {"片区开发项目", "supervisor"},
	{"道路改造工程", "design"}, {"地质灾害治理工程", "survey"},
}

var blockKinds = map[string][]string{
	"construction": {"施工", "施工总承包"},
	"EPC":          {"工程总承包（EPC）"},
	"supervisor":   {"施工监理"},
	"design":       {"勘察设计"},
	"survey":       {"岩土工程勘察"},
}

var numerals = []string{"一", "二", "三", "四", "五", "六"}

var creditors = []string{
	"福州城市建设投资集团有限公司", "福州市城乡建设发展有限公司", "福州新区开发投资集团有限公司",
	"闽侯县城市建设投资有限公司", "福州市长乐区城市建设投资有限公司", "福州市水务投资发展有限公司",
	"福州地铁集团有限公司", "连江县国有资产投资经营有限公司", "福州市仓山区教育局",
	"福清市城市建设投资控股集团有限公司", "福州市晋安区住房和城乡建设局", "永泰县城市建设投资有限公司",
}

var agents = []string{
	"福建省建融工程咨询有限公司", "福建闽诚招标代理有限公司", "福州永信工程管理有限公司",
	"福建华闽建设工程造价咨询有限公司", "中信国际招标有限公司福州分公司",
}

var firmPrefixes = []string{"福建", "福州", "福建省", "福建榕城", "福建海峡"}
var firmNames = []string{
	"闽江", "鼓山", "榕辉", "华宇", "恒盛", "中闽", "三坊", "乌山", "旗山", "东南",
	"建永", "鑫泰", "宏达", "天晟", "盛安", "汇通", "联合", "闽发", "福泰", "润丰",
}
var firmKinds = []string{
	"建设工程", "建筑工程", "市政工程", "路桥建设", "水利水电工程", "建工集团", "城建工程", "园林建设",
}

var surnames = []string{"林", "陈", "黄", "郑", "王", "张", "刘", "吴", "李", "何", "许", "翁", "杨", "游", "郭"}
var givenNames = []string{
	"建华", "志强", "秀英", "丽娟", "文斌", "明辉", "晓燕", "国平", "海峰", "美玲", "德华", "振宇",
	"雪梅", "伟", "敏", "强", "静", "磊", "婷", "斌", "锦云", "榕生", "闽生", "金水",
}

var banks = []string{
	"中国建设银行福州%s支行", "中国工商银行福州%s支行", "兴业银行福州%s支行", "福建海峡银行%s支行",
	"中国农业银行福州%s支行", "福州农村商业银行%s支行", "中国银行福州%s支行",
}

var streets = []string{"五四路", "八一七北路", "华林路", "杨桥中路", "福飞南路", "工业路", "浦上大道", "福湾路", "学府南路", "首山路"}

var claimReasons = []string{
	"投标人在投标有效期内撤销投标文件",
	"中标人无正当理由放弃中标资格",
	"中标人未在规定期限内与招标人签订合同",
	"中标人未按招标文件要求提交履约担保",
	"投标人提供虚假材料谋取中标，经查证属实",
}

func personName() string { return pick(surnames) + pick(givenNames) }

func mobile() string {
	return fmt.Sprintf("1%d%d%08d", pick([]int{3, 5, 7, 8, 9}), rand.IntN(10), rand.IntN(100000000))
}

func firmName() string {
	return pick(firmPrefixes) + pick(firmNames) + pick(firmKinds) + "有限公司"
}

// idCard is an 18-digit resident ID of Fuzhou with a valid check digit.
func idCard() string {
	district := pick(districts).code
	birth := time.Date(1962+rand.IntN(36), time.Month(1+rand.IntN(12)), 1+rand.IntN(28), 0, 0, 0, 0, time.UTC)
	body := fmt.Sprintf("%s%s%03d", district, birth.Format("20060102"), rand.IntN(1000))
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}

// creditCode is a unified social credit code (统一社会信用代码) with a valid
// check character (GB 32100-2015).
func creditCode() string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	var b strings.Builder
	b.WriteString("91") // 工商 / 企业
	b.WriteString(pick(districts).code)
	for range 9 {
		b.WriteByte(alphabet[rand.IntN(len(alphabet))])
	}
	body := b.String()
	sum := 0
	for i := range body {
		sum += strings.IndexByte(alphabet, body[i]) * weights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return body + string(alphabet[c])
}

func bankAccount() string {
	return fmt.Sprintf("%d%018d", 3+rand.IntN(6), rand.Int64N(1e18))
}

// money formats yuan with two decimals.
func money(yuan float64) string { return fmt.Sprintf("%.2f", yuan) }

// bidDeadline is a deadline a few hours to a few days ahead, on a working
// half hour between 09:00 and 16:30 (UTC+8).
func bidDeadline(now time.Time, cst *time.Location) time.Time {
	t := now.In(cst).Add(time.Duration(3+rand.IntN(6*24)) * time.Hour)
	h := 9 + rand.IntN(8)
	m := pick([]int{0, 30})
	d := time.Date(t.Year(), t.Month(), t.Day(), h, m, 0, 0, cst)
	if d.Before(now.Add(time.Hour)) {
		// The day's working hours may be over already: the next day's.
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// guaranteeFee is the order amount (保费) of a guarantee: 0.15% of the
// amount, at least 300 yuan.
func guaranteeFee(amount string) string {
	var a float64
	if _, err := fmt.Sscan(amount, &a); err != nil || a <= 0 {
		return "300.00"
	}
	return money(max(300, a*0.0015))
}
