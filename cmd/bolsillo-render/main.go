// Command bolsillo-render renders the Markdown of an explanation for the
// terminal on its standard output. The bolsillo CLI runs it only when its
// stderr is a terminal, so that the CLI itself does not link glamour (see
// package bolsillo/explain/render).
//
//	echo '# Hola' | bolsillo-render --width 80
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/muesli/termenv"

	"bolsillo/explain/render"
)

func main() {
	width := flag.Int("width", render.MaxWidth, "columnas de la terminal")
	flag.Parse()
	md, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bolsillo-render: %v\n", err)
		os.Exit(1)
	}
	out, err := render.Markdown(string(md), render.Options{
		Width:   *width,
		Profile: termenv.NewOutput(os.Stdout).EnvColorProfile(),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "bolsillo-render: %v\n", err)
		os.Exit(1)
	}
	// Write at once: the caller falls back to plain Markdown only when
	// nothing was written.
	if _, err := io.Copy(os.Stdout, bytes.NewBufferString(out)); err != nil {
		os.Exit(1)
	}
}
