// Command bolsillo is the client of bolsillod: it speaks the Docker Engine API,
// prints what docker prints and explains in Spanish what just happened.
package main

import (
	"os"

	"bolsillo/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
