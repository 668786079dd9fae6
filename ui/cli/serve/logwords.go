package serve

import (
	"context"
	"log/slog"
)

// logWords are the Chinese messages of the log lines `baohan serve`
// writes: the clerk (or whoever reads the service's log) reads the
// message; the English one stays as the key event, and every other key is
// kept, for scripts.
var logWords = map[string]string{
	"listening": "回调监听已启动",
	"shutting down: draining in-flight callbacks": "正在停止：处理完进行中的回调",
	"callback":                            "收到回调",
	"callback failed":                     "回调处理失败",
	"callback refused":                    "回调被拒收",
	"cannot postpone order refresh":       "无法推迟订单的刷新",
	"cannot record clock fault event":     "无法记录时钟故障",
	"cannot record fault event":           "无法记录故障",
	"cannot record low-disk fault event":  "无法记录磁盘空间不足的故障",
	"cannot record query event":           "无法记录查询",
	"create spool folder":                 "无法创建上传暂存文件夹",
	"health check failed":                 "健康检查未通过",
	"ignoring malformed listener address": "监听地址格式有误，已忽略",
	"listener serving":                    "回调监听开始接收",
	"listener shutdown":                   "回调监听停止时出错",
	"listener stopped":                    "回调监听已停止",
	"lock":                                "无法锁定数据文件夹",
	"open store":                          "无法打开数据库",
	"panic in callback":                   "处理回调时发生内部错误",
	"panic in handler":                    "处理请求时发生内部错误",
	"parse key":                           "无法解析密钥",
	"read key":                            "无法读取密钥",
	"refresh order failed":                "刷新订单失败（获取订单信息 2.2）",
	"refreshed order":                     "已刷新订单（获取订单信息 2.2）",
	"serve":                               "回调监听出错",
	"settle orders":                       "核对订单失败",
	"swept leftover upload files":         "已清理残留的上传文件",
}

// chineseLog gives each record its Chinese message (logWords), the
// English one as the key event; a message without a word passes as is.
type chineseLog struct{ slog.Handler }

// NewLogHandler wraps h so that every line has a Chinese message.
func NewLogHandler(h slog.Handler) slog.Handler { return chineseLog{h} }

func (c chineseLog) Handle(ctx context.Context, r slog.Record) error {
	if zh, ok := logWords[r.Message]; ok {
		n := slog.NewRecord(r.Time, r.Level, zh, r.PC)
		n.AddAttrs(slog.String("event", r.Message))
		r.Attrs(func(a slog.Attr) bool { n.AddAttrs(a); return true })
		r = n
	}
	return c.Handler.Handle(ctx, r)
}

func (c chineseLog) WithAttrs(as []slog.Attr) slog.Handler {
	return chineseLog{c.Handler.WithAttrs(as)}
}
func (c chineseLog) WithGroup(name string) slog.Handler { return chineseLog{c.Handler.WithGroup(name)} }
