// Command initmod asks the kernel to load a module (a one-byte image that
// is not a module) and prints the error name the kernel answered. Inside a
// default container it must be EPERM: neither CAP_SYS_MODULE nor the
// seccomp profile let init_module through. With every privilege the kernel
// gets to read the image and rejects it as invalid instead.
package main

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
	err := unix.InitModule([]byte{0}, "")
	var errno unix.Errno
	switch {
	case err == nil:
		fmt.Println("init_module: ok")
	case errors.As(err, &errno):
		fmt.Println("init_module:", unix.ErrnoName(errno))
	default:
		fmt.Println("init_module:", err)
		os.Exit(1)
	}
}
