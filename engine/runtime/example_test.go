package runtime_test

import (
	"fmt"
	"log"
	"os"

	"bolsillo/engine/runtime"
)

// The life of a container: start it, wait for it, destroy it. The program
// must call runtime.Init first thing in main, and import
// github.com/opencontainers/runc/libcontainer/nsenter for its side effects.
func Example() {
	r, err := runtime.New("/var/lib/bolsillo/runtime", "bolsillo-1a2b3c4d")
	if err != nil {
		log.Fatal(err)
	}
	c, err := r.Start(runtime.Spec{
		ID:       "4f1c0c8e2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",
		Rootfs:   "/var/lib/bolsillo/containers/4f1c0c8e2b3a/merged",
		Args:     []string{"sh", "-c", "echo hola desde $(hostname)"},
		Hostname: "4f1c0c8e2b3a",
		Memory:   64 << 20,
	}, runtime.Stdio{Stdout: os.Stdout, Stderr: os.Stderr})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Destroy()
	code, err := c.Wait()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("exit code:", code)
}
