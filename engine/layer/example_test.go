package layer_test

import (
	"archive/tar"
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"bolsillo/engine/layer"
)

func Example() {
	root, err := os.MkdirTemp("", "layers")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)

	// A one-file layer, as it travels in an image.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "hola.txt", Mode: 0o644, Size: 5})
	tw.Write([]byte("hola\n"))
	tw.Close()

	s, err := layer.NewStore(root)
	if err != nil {
		log.Fatal(err)
	}
	diffID, size, err := s.Unpack(&buf)
	if err != nil {
		log.Fatal(err)
	}
	content, _ := os.ReadFile(filepath.Join(s.DiffDir(diffID), "hola.txt"))
	fmt.Println(diffID)
	fmt.Println(size, "bytes:", string(content))
	// Output:
	// sha256:9001781b91902255f2616c94bd63a7b87ff78df632634499ec860efb2410456f
	// 5 bytes: hola
}
