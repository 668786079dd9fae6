package issue

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // seal images are usually PNG with transparency
)

// MaxSealImage bounds the seal image file and its pixels.
const (
	MaxSealImage  = 5 << 20
	maxSealPixels = 4000 * 4000
)

type pdfImage struct {
	object string // the image XObject; "/SMask 0 0 R" stands for its mask
	smask  string // the alpha channel as an image XObject, or ""
}

// sealImage makes PDF image objects of a PNG or JPEG seal: JPEG as it is
// (DCTDecode), anything else decoded to RGB with its alpha as a soft mask.
func sealImage(data []byte) (*pdfImage, error) {
	if len(data) > MaxSealImage {
		return nil, fmt.Errorf("印章图片超过 %d 字节", MaxSealImage)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errors.New("印章图片不是 PNG 或 JPEG")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxSealPixels {
		return nil, fmt.Errorf("印章图片 %d×%d 像素，过大", cfg.Width, cfg.Height)
	}
	if format == "jpeg" {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			return nil, errors.New("印章图片（JPEG）无法解码")
		}
		cs := "/DeviceRGB"
		switch cfg.ColorModel {
		case color.GrayModel:
			cs = "/DeviceGray"
		case color.CMYKModel:
			cs = "/DeviceCMYK /Decode [1 0 1 0 1 0 1 0]"
		}
		return &pdfImage{object: fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream",
			cfg.Width, cfg.Height, cs, len(data), data)}, nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, errors.New("印章图片无法解码")
	}
	bnd := img.Bounds()
	rgb := make([]byte, 0, 3*bnd.Dx()*bnd.Dy())
	alpha := make([]byte, 0, bnd.Dx()*bnd.Dy())
	opaque := true
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			rgb = append(rgb, c.R, c.G, c.B)
			alpha = append(alpha, c.A)
			if c.A != 0xff {
				opaque = false
			}
		}
	}
	out := &pdfImage{}
	mask := ""
	if !opaque {
		mask = " /SMask 0 0 R"
		z := deflate(alpha)
		out.smask = fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream",
			bnd.Dx(), bnd.Dy(), len(z), z)
	}
	z := deflate(rgb)
	out.object = fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode%s /Length %d >>\nstream\n%s\nendstream",
		bnd.Dx(), bnd.Dy(), mask, len(z), z)
	return out, nil
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}
