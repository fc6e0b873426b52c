package image_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"bolsillo/engine/image"
	"bolsillo/engine/layer"
)

func Example() {
	dataRoot, err := os.MkdirTemp("", "bolsillo")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dataRoot)

	layers, err := layer.NewStore(filepath.Join(dataRoot, "layers"))
	if err != nil {
		log.Fatal(err)
	}
	images, err := image.Open(filepath.Join(dataRoot, "image"), layers)
	if err != nil {
		log.Fatal(err)
	}

	// A filesystem with one file, as `tar -c` would give it.
	var rootfs bytes.Buffer
	tw := tar.NewWriter(&rootfs)
	tw.WriteHeader(&tar.Header{Name: "hola.txt", Mode: 0o644, Size: 5})
	tw.Write([]byte("hola\n"))
	tw.Close()

	img, err := images.Import(context.Background(), &rootfs, image.ImportOptions{
		Ref:     "mi-imagen:1.0",
		Changes: []string{`CMD ["cat", "/hola.txt"]`},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.RepoTags, img.Config.Config.Cmd, len(img.Config.RootFS.DiffIDs), "layer")

	same, err := images.Get("docker.io/library/mi-imagen:1.0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(same.ID == img.ID)
	// Output:
	// [mi-imagen:1.0] [cat /hola.txt] 1 layer
	// true
}
