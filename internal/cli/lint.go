package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"bolsillo/explain"
	"bolsillo/explain/lint"
)

// lintOptions are the flags and the argument of bolsillo lint.
type lintOptions struct {
	path   string // CONTEXTO, or the Dockerfile itself
	file   string // -f, relative to the current directory, as in build
	format string // "" (Markdown) or "json"
	strict bool   // --estricto
}

func newLintCommand(f *factory) *cobra.Command {
	return lintCommand(f, func(opts lintOptions) error {
		return runLint(f, opts)
	})
}

// lintCommand wires the flags of lint to run, which tests replace.
func lintCommand(f *factory, run func(lintOptions) error) *cobra.Command {
	var opts lintOptions
	cmd := &cobra.Command{
		Use:   "lint [OPCIONES] [CONTEXTO|DOCKERFILE]",
		Short: "Revisa las buenas prácticas de un Dockerfile",
		Long: "Revisa un Dockerfile y su contexto de construcción (build context) con las buenas prácticas del curso:\n" +
			"pocas capas, sin paquetes innecesarios, COPY en vez de ADD, LABEL, un USER que no es root,\n" +
			"un servicio por contenedor, CMD en forma JSON, etiquetas fijas, WORKDIR en vez de cd,\n" +
			"nada interactivo y un .dockerignore a la medida. Cada aviso trae su regla, la línea, el porqué\n" +
			"y tu línea corregida. No necesita el daemon.\n\n" +
			"Sin argumentos revisa ./Dockerfile. Si el argumento es un archivo, ese es el Dockerfile y su\n" +
			"carpeta el contexto. Termina con 0 aunque haya avisos; con --estricto, termina con 1 si hay\n" +
			"algún error o aviso (los consejos no cuentan).",
		Example: "  bolsillo lint\n" +
			"  bolsillo lint Dockerfile\n" +
			"  bolsillo lint -f Dockerfile.dev .\n" +
			"  bolsillo lint --format json . | jq '.[].rule'",
		Args: requiresRangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.path = "."
			if len(args) == 1 {
				opts.path = args[0]
			}
			switch opts.format {
			case "", "markdown", "json":
			default:
				return invalidFlag(fmt.Sprintf("`--format %s` no existe en `lint`: usa `--format json` (o nada, para leerlo tú).", opts.format),
					fmt.Errorf("invalid argument %q for \"--format\" flag: want json", opts.format))
			}
			return run(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.file, "file", "f", "", "Ruta del Dockerfile (por defecto CONTEXTO/Dockerfile)")
	fl.StringVar(&opts.format, "format", "", "Formato de salida: json, para herramientas (por defecto, Markdown para leer)")
	fl.BoolVar(&opts.strict, "estricto", false, "Termina con código 1 si hay algún error o aviso")
	return cmd
}

// lintTarget finds the Dockerfile and the context as build does: -f is
// relative to the current directory, the default is CONTEXTO/Dockerfile
// (or dockerfile). An argument that is a file is the Dockerfile, and its
// directory the context.
func lintTarget(path, file string) (lint.Context, error) {
	st, err := os.Stat(path)
	if err != nil {
		return lint.Context{}, hintedError{
			hint: fmt.Sprintf("No encuentro %s. `lint` recibe la carpeta del contexto de construcción (build context), normalmente `.`, o el Dockerfile mismo.", "`"+path+"`"),
			err:  err,
		}
	}
	if !st.IsDir() {
		if file != "" {
			return lint.Context{}, invalidFlag(fmt.Sprintf("Diste el Dockerfile dos veces: `%s` y `-f %s`. Usa uno: `bolsillo lint %s` o `bolsillo lint -f %s CONTEXTO`.", path, file, path, file),
				fmt.Errorf("%s is a file and -f %s was given", path, file))
		}
		return lint.Context{Dir: filepath.Dir(path), Dockerfile: path}, nil
	}
	ctx := lint.Context{Dir: path, Dockerfile: file}
	if file == "" {
		ctx.Dockerfile = filepath.Join(path, defaultDockerfile)
		if _, err := os.Lstat(ctx.Dockerfile); errors.Is(err, fs.ErrNotExist) {
			if alt := filepath.Join(path, strings.ToLower(defaultDockerfile)); fileExists(alt) {
				ctx.Dockerfile = alt
			}
		}
	}
	return ctx, nil
}

// readLintTarget lints the Dockerfile and the context of target.
func readLintTarget(ctx lint.Context) ([]lint.Finding, error) {
	b, err := os.ReadFile(ctx.Dockerfile)
	if err != nil {
		hint := fmt.Sprintf("No puedo leer el Dockerfile `%s`.", ctx.Dockerfile)
		if errors.Is(err, fs.ErrNotExist) {
			hint = fmt.Sprintf("No hay ningún Dockerfile en `%s`. Escríbelo ahí, o di cuál es: `bolsillo lint RUTA/Dockerfile` o `bolsillo lint -f RUTA/Dockerfile CONTEXTO`.", ctx.Dockerfile)
		}
		return nil, hintedError{hint: hint, err: err}
	}
	return lint.Lint(b, ctx), nil
}

func runLint(f *factory, opts lintOptions) error {
	ctx, err := lintTarget(opts.path, opts.file)
	if err != nil {
		return err
	}
	findings, err := readLintTarget(ctx)
	if err != nil {
		return err
	}
	if opts.format == "json" {
		b, err := lint.JSON(findings)
		if err != nil {
			return err
		}
		if _, err := f.Out.Write(b); err != nil {
			return err
		}
	} else {
		// The findings are this command's output: stdout, rendered when
		// it is a terminal.
		explain.NewPagePrinter(f.Out).Print(lint.Markdown(findings, ctx.Dockerfile))
	}
	if errs, warnings, _ := lint.Count(findings); opts.strict && errs+warnings > 0 {
		return statusError{code: exitGeneric}
	}
	return nil
}

// buildAdvice lints the Dockerfile and the context of a finished build and
// returns the findings as brief advice, or "" when there are none or the
// Dockerfile came from stdin.
func buildAdvice(opts buildOptions) string {
	if opts.context == "-" || opts.file == "-" {
		return ""
	}
	ctx, err := lintTarget(opts.context, opts.file)
	if err != nil {
		return ""
	}
	findings, err := readLintTarget(ctx)
	if err != nil {
		return ""
	}
	command := "bolsillo lint"
	if opts.file != "" {
		command += " -f " + opts.file
	}
	return lint.Advice(findings, ctx.Dockerfile, command+" "+opts.context)
}
