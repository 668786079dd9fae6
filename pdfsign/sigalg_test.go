package pdfsign

import (
	"math/big"
	"testing"
)

// TestBrainpoolMulAdd checks the Jacobian u1·G + u2·Q against affine
// double-and-add with the affine addition.
func TestBrainpoolMulAdd(t *testing.T) {
	for _, c := range brainpoolCurves {
		mul := func(k, x, y *big.Int) (*big.Int, *big.Int) {
			var rx, ry *big.Int
			for i := k.BitLen() - 1; i >= 0; i-- {
				rx, ry = c.add(rx, ry, rx, ry)
				if k.Bit(i) == 1 {
					rx, ry = c.add(rx, ry, x, y)
				}
			}
			return rx, ry
		}
		qx, qy := mul(big.NewInt(7), c.gx, c.gy)
		nm1 := new(big.Int).Sub(c.n, big.NewInt(1))
		// u1 + 7·u2 ≡ 0 (mod n): the sum is the point at infinity.
		u2 := big.NewInt(12345)
		u1 := new(big.Int).Mod(new(big.Int).Neg(new(big.Int).Mul(u2, big.NewInt(7))), c.n)
		cases := [][2]*big.Int{
			{big.NewInt(1), big.NewInt(0)}, {big.NewInt(0), big.NewInt(1)}, {big.NewInt(1), big.NewInt(1)},
			{big.NewInt(3), big.NewInt(5)}, {nm1, new(big.Int).Rsh(c.n, 3)}, {new(big.Int).Rsh(c.n, 1), nm1},
			{u1, u2}, {big.NewInt(7), nm1},
		}
		for _, k := range cases {
			x1, y1 := c.mulAdd(k[0], c.gx, c.gy, k[1], qx, qy)
			ax, ay := mul(k[0], c.gx, c.gy)
			bx, by := mul(k[1], qx, qy)
			x2, y2 := c.add(ax, ay, bx, by)
			if (x1 == nil) != (x2 == nil) || x1 != nil && (x1.Cmp(x2) != 0 || y1.Cmp(y2) != 0) {
				t.Errorf("%s: %v·G + %v·Q differs: %v,%v vs %v,%v", c.name, k[0], k[1], x1, y1, x2, y2)
			}
			if x1 != nil && !c.onCurve(x1, y1) {
				t.Errorf("%s: %v·G + %v·Q not on the curve", c.name, k[0], k[1])
			}
		}
	}
}
