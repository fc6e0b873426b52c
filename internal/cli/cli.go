// Package cli implements the bolsillo command line: one cobra command per
// docker verb. Each command parses its flags, calls the Docker Engine API
// through github.com/moby/moby/client, prints to stdout exactly what the
// docker CLI prints, and writes a Spanish explanation to stderr.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"bolsillo/explain"
)

// Version is the bolsillo client version; release builds set it with
// -ldflags "-X bolsillo/internal/cli.Version=...".
var Version = "0.1.0-dev"

// Main runs the bolsillo command line with the process arguments and returns
// the exit status.
func Main() int {
	return execute(context.Background(), newFactory(), os.Args[1:])
}

// execute runs the root command with args and maps its error to an exit code.
func execute(ctx context.Context, f *factory, args []string) int {
	root := newRootCommandFor(f, args)
	root.SetArgs(args)
	root.SetIn(f.In)
	root.SetOut(f.Out)
	root.SetErr(f.Err)
	cmd, err := root.ExecuteContextC(ctx)
	code := handleError(f, err)
	lessonAfterCommand(ctx, f, cmd)
	if f.client != nil {
		_ = f.client.Close()
	}
	return code
}

// newRootCommand builds the whole bolsillo command tree.
func newRootCommand(f *factory) *cobra.Command { return newRoot(f, commands) }

// newRootCommandFor builds the tree that running args needs: the root with
// only the command args names, when they name one of the commands table. A
// command's flags are most of the cost of the tree (0.3 to 0.6 ms for all of
// them), and every run of bolsillo pays it. Anything else (help, --version,
// completion, a mistyped command that cobra answers with a suggestion) gets
// the whole tree.
func newRootCommandFor(f *factory, args []string) *cobra.Command {
	if name, ok := commandName(args); ok {
		for _, c := range commands {
			if slices.Contains(c.names, name) {
				return newRoot(f, []command{c})
			}
		}
	}
	return newRootCommand(f)
}

// commandName returns the first of args that is neither a global flag nor a
// global flag's value: the name of the command to run. It reports false
// when a flag the commands table cannot decide on comes first (--help,
// --version, a mistake).
func commandName(args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-H" || a == "--host":
			i++ // the flag's value
		case strings.HasPrefix(a, "--host=") || strings.HasPrefix(a, "-H") && len(a) > 2:
		case a == "--explicar" || a == "--explicar-api" ||
			strings.HasPrefix(a, "--explicar=") || strings.HasPrefix(a, "--explicar-api="):
		case strings.HasPrefix(a, "-"):
			return "", false
		default:
			return a, true
		}
	}
	return "", false
}

// newRoot builds the root command with the global flags and cmds under it.
func newRoot(f *factory, cmds []command) *cobra.Command {
	root := &cobra.Command{
		Use:   "bolsillo [OPCIONES] COMANDO",
		Short: "Docker de bolsillo: aprende Docker con contenedores reales",
		Long: "bolsillo habla con el daemon bolsillod (o con Docker) por la API REST de Docker.\n" +
			"Imprime en stdout lo mismo que docker y explica en stderr, en español, lo que pasó.",
		SilenceErrors: true,
		SilenceUsage:  true,
		// Global flags go before the command, as in docker, so that a
		// command may reuse a global shorthand (history -H is --human).
		TraverseChildren:  true,
		Version:           Version,
		DisableAutoGenTag: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			f.explicarSet = cmd.Flags().Changed("explicar")
			return nil
		},
		// Without a command, the help. Anything else is a command that
		// does not exist: cobra, which walks the tree from the root
		// (TraverseChildren), would otherwise print the help and exit 0
		// for a mistyped one.
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return unknownCommandError{name: args[0], suggestions: cmd.SuggestionsFor(args[0])}
		},
	}
	root.SetVersionTemplate("bolsillo {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVarP(&f.host, "host", "H", "", "Dirección del daemon (por defecto $"+envHost+" o "+DefaultHost+")")
	pf.BoolVar(&f.explicar, "explicar", true, "Explica en español lo que pasó (o $"+envExplicar+"=0 para apagarlo)")
	pf.BoolVar(&f.explicarAPI, "explicar-api", false, "Muestra cada petición a la API REST del daemon y qué le pidió")
	pf.Bool("help", false, "Muestra la ayuda")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return flagError{err: err, hint: flagHint(cmd, err)}
	})

	for _, c := range cmds {
		cmd := c.build(f)
		rejectUnknownSubcommands(cmd)
		root.AddCommand(cmd)
	}
	localize(root)
	addExplicaHelp(root)
	return root
}

// usageTemplate is cobra's usage text, in Spanish. The root and the groups
// of commands run only to report a command that does not exist, so their
// usage line is the COMANDO one.
const usageTemplate = `Uso:{{if and .Runnable .HasParent (not .HasAvailableSubCommands)}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} COMANDO{{end}}{{if gt (len .Aliases) 0}}

Alias:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Ejemplos:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Comandos:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Opciones:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Opciones globales:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Usa "{{.CommandPath}} COMANDO --help" para saber más de un comando.{{end}}
`

// localize puts cobra's own texts (usage, help, version and completion
// commands) in Spanish, like the rest of the command line.
func localize(root *cobra.Command) {
	root.SetUsageTemplate(usageTemplate)
	root.Flags().BoolP("version", "v", false, "Muestra la versión de bolsillo")
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [COMANDO]",
		Short: "Muestra la ayuda de un comando",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, _, err := c.Root().Find(args)
			if cmd == nil || err != nil {
				c.Printf("No hay ayuda sobre %q\n", strings.Join(args, " "))
				return c.Root().Usage()
			}
			return cmd.Help()
		},
	})
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Short = "Genera el script de autocompletado para tu shell"
		c.Long = "Genera el script de autocompletado de bolsillo para bash, zsh, fish o powershell.\n" +
			"Por ejemplo, en bash: source <(bolsillo completion bash)"
		for _, sh := range c.Commands() {
			sh.Short = "Genera el script de autocompletado para " + sh.Name()
			sh.Long = sh.Short + ".\nPor ejemplo: source <(bolsillo completion " + sh.Name() + ")"
			if f := sh.Flags().Lookup("no-descriptions"); f != nil {
				f.Usage = "sin descripciones en las sugerencias"
			}
		}
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.DisableFlagsInUseLine = true
		if f := c.Flags().Lookup("help"); f == nil {
			c.Flags().Bool("help", false, "Muestra la ayuda")
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// statusError ends the program with a given exit code. A nil err means the
// code is the container's own exit status and nothing more is printed.
type statusError struct {
	code int
	err  error
}

func (e statusError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e statusError) Unwrap() error { return e.err }

// flagError is a mistake in the command line itself: an unknown flag, a
// value that does not parse, a wrong number of arguments. No API call has
// been made when it is returned.
type flagError struct {
	err error
	// hint is a Spanish explanation; when empty a generic one is shown.
	hint string
}

func (e flagError) Error() string { return e.err.Error() }

func (e flagError) Unwrap() error { return e.err }

// invalidFlag builds a flagError with a Spanish explanation.
func invalidFlag(hint string, err error) error {
	return flagError{err: err, hint: hint}
}

// flagHint explains a pflag parsing error in Spanish.
func flagHint(cmd *cobra.Command, err error) string {
	help := fmt.Sprintf("Mira las opciones con `%s --help`.", cmd.CommandPath())
	var (
		invalid  *pflag.InvalidValueError
		notExist *pflag.NotExistError
		required *pflag.ValueRequiredError
	)
	switch {
	case errors.As(err, &invalid):
		fl := invalid.GetFlag()
		return fmt.Sprintf("El valor `%s` no sirve para la opción `--%s`. %s %s", invalid.GetValue(), fl.Name, valueHint(fl.Value.Type()), help)
	case errors.As(err, &notExist):
		return fmt.Sprintf("La opción `%s` no existe en `%s`. %s", flagSpelling(notExist.GetSpecifiedName(), notExist.GetSpecifiedShortnames()), cmd.CommandPath(), help)
	case errors.As(err, &required):
		return fmt.Sprintf("A la opción `--%s` le falta su valor. %s", required.GetFlag().Name, help)
	}
	return "No entendí la línea de comandos. " + help
}

func flagSpelling(name, shorthands string) string {
	if name != "" {
		return "--" + name
	}
	return "-" + shorthands
}

// valueHint says in Spanish what a flag of the given pflag type expects.
func valueHint(typ string) string {
	switch typ {
	case "bytes":
		return "Escribe un tamaño con su unidad, por ejemplo `512m` o `1g`."
	case "int", "int64", "uint", "uint16":
		return "Escribe un número entero, por ejemplo `10`."
	case "bool":
		return "Escribe `true` o `false`."
	case "duration":
		return "Escribe una duración, por ejemplo `10s` o `2m`."
	}
	return "Revisa cómo se escribe ese valor."
}

// Exit codes used like docker's.
const (
	exitGeneric     = 1
	exitDaemonError = 125 // run/create: the daemon or the command line failed
	exitCannotExec  = 126 // start: permission denied
	exitNotFound    = 127 // start: executable file not found
)

// handleError prints err for a student and returns the exit code.
func handleError(f *factory, err error) int {
	if err == nil {
		return 0
	}
	var se statusError
	code := exitGeneric
	if errors.As(err, &se) {
		code = se.code
		if se.err == nil {
			return code
		}
	}
	var fe flagError
	var unknown unknownCommandError
	switch {
	case errors.As(err, &fe):
		hint := fe.hint
		if hint == "" {
			hint = "No entendí la línea de comandos. Revisa las opciones con `--help`."
		}
		fmt.Fprintln(f.Err, hint)
		fmt.Fprintf(f.Err, "Mensaje original: %s\n", fe.err)
		if code == exitGeneric {
			code = exitDaemonError
		}
		return code
	case errors.As(err, &unknown):
		md := explain.UnknownCommand(unknown.name, unknown.suggestions)
		if unknown.group != "" {
			md = explain.UnknownSubcommand(unknown.group, unknown.name, unknown.suggestions, unknown.available)
		}
		explain.NewPrinter(f.Err, true).Print(md)
		fmt.Fprintf(f.Err, "Mensaje original: %s\n", err)
		return exitGeneric
	case strings.HasPrefix(err.Error(), "unknown command"):
		fmt.Fprintln(f.Err, "Ese comando no existe en bolsillo. Mira la lista con `bolsillo --help`.")
		fmt.Fprintf(f.Err, "Mensaje original: %s\n", err)
		return exitGeneric
	}
	reportError(f, err)
	return code
}

// unknownCommandError is a first argument that names no command, with the
// commands cobra finds close to it.
type unknownCommandError struct {
	group       string   // "network" for `bolsillo network crear`; empty at the top
	name        string   // what was typed
	suggestions []string // full names: "exec", "network ls"
	available   []string // the group's commands
}

// Error is docker's wording.
func (e unknownCommandError) Error() string {
	if e.group != "" {
		return "unknown command: bolsillo " + e.group + " " + e.name
	}
	return "unknown command: bolsillo " + e.name
}

// rejectUnknownSubcommands makes every group of commands under cmd
// (network, volume, image...) answer a word that is none of its commands
// with an error, as docker does. Cobra would print the group's help and
// exit 0. The group alone still prints its help.
func rejectUnknownSubcommands(cmd *cobra.Command) {
	if !cmd.HasSubCommands() {
		return
	}
	for _, sub := range cmd.Commands() {
		rejectUnknownSubcommands(sub)
	}
	if cmd.Runnable() {
		return
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		group := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
		e := unknownCommandError{group: group, name: args[0]}
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2 // cobra's own default
		}
		for _, s := range cmd.SuggestionsFor(args[0]) {
			e.suggestions = append(e.suggestions, group+" "+s)
		}
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() {
				e.available = append(e.available, sub.Name())
			}
		}
		return e
	}
}

// reportError explains an API error in Spanish on stderr, followed by the
// original message so a teacher can search for it.
func reportError(f *factory, err error) {
	var he hintedError
	if errors.As(err, &he) {
		explain.NewPrinter(f.Err, true).Print(he.hint)
		fmt.Fprintf(f.Err, "Mensaje original: %s\n", err)
		return
	}
	// explain.Error ends with the original message already.
	md := explain.Error(err, f.Host())
	if client.IsErrConnectionFailed(err) && !strings.Contains(md, "make demo") {
		md += fmt.Sprintf("\n\nPara probar sin instalar nada, desde el repositorio: `sudo make demo`. "+
			"O arranca el daemon a mano con `sudo bolsillod &` (escucha en `%s`).\n", DefaultHost)
	}
	explain.NewPrinter(f.Err, true).Print(md)
}
