package platform

import (
	"bytes"
	"encoding/json"
)

// OrderFiles reads an order's guarantee_sign_files and attach_files (2.1,
// 2.2) from its stored fields: each a JSON array, or a string holding one
// ("json格式化后的字符"), or a single object.
func OrderFiles(fields []byte) (sign, attach []SignFile) {
	var m map[string]json.RawMessage
	if json.Unmarshal(fields, &m) != nil {
		return nil, nil
	}
	return fileList(m["guarantee_sign_files"]), fileList(m["attach_files"])
}

func fileList(raw json.RawMessage) []SignFile {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		raw = json.RawMessage(s)
	}
	var items []SignFile
	if json.Unmarshal(raw, &items) == nil {
		return items
	}
	var one SignFile
	if json.Unmarshal(raw, &one) == nil && one.FileID != "" {
		return []SignFile{one}
	}
	return nil
}
