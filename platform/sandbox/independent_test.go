package sandbox

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestSandboxIndependent: the sandbox keeps its own copy of the platform's
// rules (rules.go). Of package platform it may use the wire only: the
// codec, the message types, method names, status codes and date layouts,
// never the client's state tables, checks or workflows. A sandbox that
// imports the client's validation can only agree with it.
func TestSandboxIndependent(t *testing.T) {
	allowed := map[string]bool{
		// codec
		"Str": true, "Int": true, "SerialNum": true, "Fields": true, "FieldText": true, "Marshal": true,
		"ToFields": true, "Seal": true, "DecryptParam": true, "VerifySign": true, "Decode": true, "Timestamp": true,
		// time zone and layouts
		"CST": true, "DateTimeLayout": true, "DateLayout": true, "DeadlineLayout": true,
		// message types
		"ApplyGuarantee": true, "OrderStatusNotice": true, "RevokeItem": true, "RevokeData": true, "RevokeNotice": true,
		"ApplyClaim": true, "VerifyAnswer": true, "QueryAnswer": true, "OrderInfo": true, "ClaimInfo": true,
		"Answer": true, "SignFile": true, "EnterInstitutionType": true,
	}
	prefixes := []string{"Method", "Callback", "Status"} // names and codes of the wire; StatusText is the 5.3 table
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.HasPrefix(p, "baohan/") && p != "baohan/platform" {
				t.Errorf("%s imports %s", n, p)
			}
		}
		ast.Inspect(f, func(node ast.Node) bool {
			sel, ok := node.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "platform" {
				used[sel.Sel.Name] = true
			}
			return true
		})
	}
	var bad []string
	for name := range used {
		ok := allowed[name]
		for _, p := range prefixes {
			ok = ok || strings.HasPrefix(name, p)
		}
		if !ok {
			bad = append(bad, name)
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("the sandbox uses the client's rules: platform.%s", strings.Join(bad, ", platform."))
	}
}
