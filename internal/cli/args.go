package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// noArgs rejects positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return invalidFlag(fmt.Sprintf("`bolsillo %s` no recibe argumentos. Mira `bolsillo %s --help`.", cmd.Name(), cmd.Name()),
		fmt.Errorf("%q accepts no arguments", cmd.CommandPath()))
}

// requiresMinArgs demands at least min positional arguments.
func requiresMinArgs(min int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= min {
			return nil
		}
		return invalidFlag(fmt.Sprintf("A `bolsillo %s` le falta %s. Uso: `bolsillo %s`.", cmd.Name(), plural(min, "un argumento", "argumentos"), cmd.Use),
			fmt.Errorf("%q requires at least %d argument(s)", cmd.CommandPath(), min))
	}
}

// requiresRangeArgs demands between min and max positional arguments.
func requiresRangeArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= min && len(args) <= max {
			return nil
		}
		return invalidFlag(fmt.Sprintf("`bolsillo %s` recibe entre %d y %d argumentos. Uso: `bolsillo %s`.", cmd.Name(), min, max, cmd.Use),
			fmt.Errorf("%q requires at least %d and at most %d arguments", cmd.CommandPath(), min, max))
	}
}

// exactArgs demands exactly n positional arguments.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == n {
			return nil
		}
		return invalidFlag(fmt.Sprintf("`bolsillo %s` recibe exactamente %s. Uso: `bolsillo %s`.", cmd.Name(), plural(n, "un argumento", fmt.Sprintf("%d argumentos", n)), cmd.Use),
			fmt.Errorf("%q requires exactly %d argument(s)", cmd.CommandPath(), n))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	if many == "argumentos" {
		return fmt.Sprintf("%d argumentos", n)
	}
	return many
}
