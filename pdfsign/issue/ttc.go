package issue

import (
	"encoding/binary"
	"errors"
)

// fontFromCollection takes one font out of a TrueType collection (.ttc)
// as a standalone .ttf: its offset table and its tables, copied with new
// offsets (tables shared by several members are copied once per member).
// pdfcpu v0.15.0 installs a collection only when every member parses,
// which WenQuanYi Micro Hei's third member does not.
func fontFromCollection(ttc []byte, index int) ([]byte, error) {
	errBad := errors.New("字体集合（.ttc）文件无效")
	if len(ttc) < 12 || string(ttc[:4]) != "ttcf" {
		return nil, errBad
	}
	n := int(binary.BigEndian.Uint32(ttc[8:12]))
	if index < 0 || index >= n || len(ttc) < 12+4*n {
		return nil, errBad
	}
	off := int(binary.BigEndian.Uint32(ttc[12+4*index:]))
	if off < 0 || off+12 > len(ttc) {
		return nil, errBad
	}
	numTables := int(binary.BigEndian.Uint16(ttc[off+4:]))
	dirLen := 12 + 16*numTables
	if off+dirLen > len(ttc) || numTables == 0 || numTables > 100 {
		return nil, errBad
	}
	out := make([]byte, dirLen, len(ttc)/2)
	copy(out, ttc[off:off+dirLen])
	for i := 0; i < numTables; i++ {
		rec := out[12+16*i:]
		tOff := int(binary.BigEndian.Uint32(rec[8:]))
		tLen := int(binary.BigEndian.Uint32(rec[12:]))
		if tOff < 0 || tLen < 0 || tOff+tLen > len(ttc) || tOff+tLen < tOff {
			return nil, errBad
		}
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		out = append(out, ttc[tOff:tOff+tLen]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}
