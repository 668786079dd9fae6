package platform

import (
	"bytes"
	"encoding/json"
	"sort"
)

// HeldField is one field of a held callback as the clerk reads it
// (protocol.md: every field of the plaintext by its Chinese name, the
// JSON-valued fields as tables, never cut).
type HeldField struct {
	Name  string `json:"name"`  // the manual's field name
	Title string `json:"title"` // its Chinese name (FieldTitle)
	Value string `json:"value"` // the value as text, whole
	// Tables, when the value is JSON that holds lists of objects (the
	// guarantee lists of 2.8, the file lists of 2.1): one table per list.
	Tables []HeldTable `json:"tables,omitempty"`
}

// HeldTable is a list of objects inside a JSON-valued field.
type HeldTable struct {
	Name    string     `json:"name"`  // the list's field name ("" for a top-level array)
	Title   string     `json:"title"` // its Chinese name
	Columns []string   `json:"columns"`
	Titles  []string   `json:"titles"` // the columns' Chinese names
	Rows    [][]string `json:"rows"`
}

// listTitles are the Chinese names of the lists inside JSON-valued fields
// (2.8's revoke_guarantee_data).
var listTitles = map[string]string{
	"revoke_success_data": "已撤销的保函",
	"current_revoke_data": "当次撤销的保函",
	"penalty_data":        "罚没的保函",
}

// HeldFields lists every field of a held callback's plaintext, sorted by
// name with sign last, each by its Chinese name with its whole value; a
// field whose text is JSON holding lists of objects comes with those
// lists as tables. A plaintext that does not parse gives nil.
func HeldFields(plaintext string) []HeldField {
	f, err := ParseFields([]byte(plaintext))
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "sign") != (names[j] == "sign") {
			return names[j] == "sign"
		}
		return names[i] < names[j]
	})
	out := make([]HeldField, 0, len(names))
	for _, n := range names {
		v := FieldText(f[n])
		hf := HeldField{Name: n, Title: FieldTitle(n), Value: v}
		hf.Tables = jsonTables(v)
		out = append(out, hf)
	}
	return out
}

// jsonTables reads text as JSON: an array of objects is one table, an
// object whose members are arrays of objects one table per member (in
// the member order of listTitles first, then by name). Anything else,
// or an empty list, gives no table for it.
func jsonTables(text string) []HeldTable {
	t := bytes.TrimSpace([]byte(text))
	if len(t) == 0 || (t[0] != '[' && t[0] != '{') {
		return nil
	}
	if t[0] == '[' {
		if tb, ok := objectTable("", t); ok {
			return []HeldTable{tb}
		}
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(t, &obj) != nil {
		return nil
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	order := map[string]int{"current_revoke_data": 0, "penalty_data": 1, "revoke_success_data": 2}
	sort.Slice(names, func(i, j int) bool {
		oi, iok := order[names[i]]
		oj, jok := order[names[j]]
		if iok != jok {
			return iok
		}
		if iok {
			return oi < oj
		}
		return names[i] < names[j]
	})
	var out []HeldTable
	for _, n := range names {
		if tb, ok := objectTable(n, obj[n]); ok {
			out = append(out, tb)
		}
	}
	return out
}

// objectTable reads an array of objects as a table; the columns are every
// member name met, in first-met order. A list that is empty gives a table
// without rows (the clerk sees the list is empty); anything else than an
// array of objects gives false.
func objectTable(name string, raw json.RawMessage) (HeldTable, bool) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return HeldTable{}, false
	}
	title := listTitles[name]
	if title == "" {
		title = FieldTitle(name)
	}
	tb := HeldTable{Name: name, Title: title, Columns: []string{}, Titles: []string{}, Rows: [][]string{}}
	col := map[string]int{}
	var objs []Fields
	for _, it := range items {
		f, err := ParseFields(it)
		if err != nil {
			return HeldTable{}, false
		}
		objs = append(objs, f)
		for _, k := range memberOrder(it) {
			if _, seen := col[k]; !seen {
				col[k] = len(tb.Columns)
				tb.Columns = append(tb.Columns, k)
				tb.Titles = append(tb.Titles, FieldTitle(k))
			}
		}
	}
	for _, f := range objs {
		row := make([]string, len(tb.Columns))
		for k, v := range f {
			row[col[k]] = FieldText(v)
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb, true
}

// memberOrder is the member names of a JSON object in the order they
// stand in its text.
func memberOrder(raw json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var out []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return out
		}
		k, _ := t.(string)
		out = append(out, k)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return out
		}
	}
	return out
}
