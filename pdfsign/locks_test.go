package pdfsign

import (
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// TestLocksReadStrictest: a DocMDP or FieldMDP lock that is not written
// as PDF writes it is read the strictest way, never as no lock: a /P that
// is a real, out of range or indirect, an /Action that is indirect,
// missing or unknown, an Include naming a field by a name, a /Reference
// that is one dictionary. An Exclude lock leaves unlocked only its own
// fields, not those another lock names.
func TestLocksReadStrictest(t *testing.T) {
	objs := map[int]types.Object{
		20: types.Integer(1),
		21: types.Name("Include"),
	}
	deref := func(o types.Object) types.Object {
		if r, ok := o.(types.IndirectRef); ok {
			return objs[r.ObjectNumber.Value()]
		}
		return o
	}
	ref := func(method string, params types.Dict) types.Dict {
		return types.Dict{"Type": types.Name("SigRef"), "TransformMethod": types.Name(method), "TransformParams": params}
	}
	fields := func(names ...string) types.Array {
		var a types.Array
		for _, n := range names {
			a = append(a, types.StringLiteral(n))
		}
		return a
	}
	cases := []struct {
		name   string
		sig    types.Dict
		lock   types.Dict // the field's /Lock
		mdpP   int
		locked map[string]bool
	}{
		{"P real", types.Dict{"Reference": types.Array{ref("DocMDP", types.Dict{"P": types.Float(1.0)})}}, nil, 1, nil},
		{"P out of range", types.Dict{"Reference": types.Array{ref("DocMDP", types.Dict{"P": types.Integer(0)})}}, nil, 1, nil},
		{"P indirect", types.Dict{"Reference": types.Array{ref("DocMDP", types.Dict{"P": *types.NewIndirectRef(20, 0)})}}, nil, 1, nil},
		{"P absent", types.Dict{"Reference": types.Array{ref("DocMDP", types.Dict{})}}, nil, 2, nil},
		{"one reference", types.Dict{"Reference": ref("DocMDP", types.Dict{"P": types.Integer(1)})}, nil, 1, nil},
		{"action indirect", types.Dict{"Reference": types.Array{ref("FieldMDP", types.Dict{"Action": *types.NewIndirectRef(21, 0), "Fields": fields("A")})}},
			nil, 0, map[string]bool{"A": true, "A.k": true, "B": false}},
		{"action missing", types.Dict{"Reference": types.Array{ref("FieldMDP", types.Dict{"Fields": fields("A")})}},
			nil, 0, map[string]bool{"A": true, "B": true}},
		{"action unknown", types.Dict{"Reference": types.Array{ref("FieldMDP", types.Dict{"Action": types.Name("Inclued"), "Fields": fields("A")})}},
			nil, 0, map[string]bool{"B": true}},
		{"include by name", types.Dict{"Reference": types.Array{ref("FieldMDP", types.Dict{"Action": types.Name("Include"), "Fields": types.Array{types.Name("A")}})}},
			nil, 0, map[string]bool{"A": true, "B": true}},
		{"exclude beside include", types.Dict{"Reference": types.Array{ref("FieldMDP", types.Dict{"Action": types.Name("Exclude"), "Fields": fields("A")})}},
			types.Dict{"Type": types.Name("SigFieldLock"), "Action": types.Name("Include"), "Fields": fields("A")},
			0, map[string]bool{"A": true, "B": true}},
		{"exclude", types.Dict{"Reference": types.Array{ref("FieldMDP", types.Dict{"Action": types.Name("Exclude"), "Fields": fields("A")})}},
			nil, 0, map[string]bool{"A": false, "A.k": false, "B": true}},
	}
	for _, c := range cases {
		s := &Signature{}
		fd := types.Dict{}
		if c.lock != nil {
			fd["Lock"] = c.lock
		}
		readLocks(s, located{dict: c.sig, fieldD: fd, deref: deref})
		if s.mdpP != c.mdpP {
			t.Errorf("%s: P %d, want %d", c.name, s.mdpP, c.mdpP)
		}
		for f, want := range c.locked {
			if s.locks(f) != want {
				t.Errorf("%s: %s locked %v, want %v", c.name, f, !want, want)
			}
		}
	}
}
