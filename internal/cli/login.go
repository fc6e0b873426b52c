package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/docker/cli/cli/config/credentials"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// loginOptions are the flags of bolsillo login.
type loginOptions struct {
	server        string
	user          string
	password      string
	passwordStdin bool
}

func newLoginCommand(f *factory) *cobra.Command {
	var opts loginOptions
	cmd := &cobra.Command{
		Use:   "login [OPCIONES] [SERVIDOR]",
		Short: "Inicia sesión en un registro",
		Long:  "Inicia sesión en un registro.\nSi no indicas servidor, en Docker Hub.",
		Args:  requiresRangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.server = args[0]
			}
			fl := cmd.Flags()
			if err := opts.verify(fl.Changed("username"), fl.Changed("password"), fl.Changed("password-stdin")); err != nil {
				return err
			}
			return runLogin(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.user, "username", "u", "", "Usuario")
	fl.StringVarP(&opts.password, "password", "p", "", "Contraseña o token, o \"-\" para leerla de la entrada estándar")
	fl.BoolVar(&opts.passwordStdin, "password-stdin", false, "Lee la contraseña de la entrada estándar")
	return cmd
}

// verify rejects the flag combinations docker rejects.
func (o loginOptions) verify(userSet, passwordSet, stdinSet bool) error {
	if stdinSet || o.password == "-" {
		if passwordSet && o.password != "-" {
			return invalidFlag("Elige una: `--password` o `--password-stdin`.",
				errors.New("conflicting options: cannot specify both --password and --password-stdin"))
		}
		if !userSet {
			return invalidFlag("Con `--password-stdin` indica también el usuario con `-u`.",
				errors.New("the --password-stdin option requires --username to be set"))
		}
	}
	if userSet && o.user == "" {
		return invalidFlag("El usuario de `-u` está vacío.", errors.New("username is empty"))
	}
	if passwordSet && o.password == "" {
		return invalidFlag("La contraseña de `-p` está vacía.", errors.New("password is empty"))
	}
	return nil
}

// loginServer returns the address credentials are stored under, and the
// one the daemon is asked to check.
func loginServer(arg string) string {
	if arg == "" || arg == "docker.io" {
		return indexServer
	}
	return credentials.ConvertToHostname(arg)
}

func runLogin(ctx context.Context, f *factory, opts loginOptions) error {
	if opts.password == "-" {
		opts.password, opts.passwordStdin = "", true
	}
	if opts.password != "" {
		fmt.Fprintln(f.Err, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
	}
	if opts.passwordStdin {
		b, err := io.ReadAll(f.In)
		if err != nil {
			return fmt.Errorf("reading password from stdin: %w", err)
		}
		opts.password = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if strings.TrimSpace(opts.password) == "" {
			return invalidFlag("La entrada estándar no trajo ninguna contraseña.", errors.New("password is empty"))
		}
	}
	server := loginServer(opts.server)
	cf, err := f.dockerConfig()
	if err != nil {
		return err
	}
	if opts.user == "" || opts.password == "" {
		if _, tty := isTerminal(f.In); !tty {
			return hintedError{
				hint: "Sin terminal no puedo preguntarte el usuario ni la contraseña. " +
					"Dáselos así: `echo CONTRASEÑA | bolsillo login -u USUARIO --password-stdin " + opts.server + "`.",
				err: errors.New("error: cannot perform an interactive login from a non-TTY device"),
			}
		}
	}
	ac, err := f.promptCredentials(ctx, opts.user, opts.password, server)
	if err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.RegistryLogin(ctx, client.RegistryLoginOptions{
		Username:      ac.Username,
		Password:      ac.Password,
		ServerAddress: ac.ServerAddress,
	})
	if err != nil {
		return err
	}
	if res.Auth.IdentityToken != "" {
		ac.Password, ac.IdentityToken = "", res.Auth.IdentityToken
	}
	stored, err := storeCredentials(cf, registry.AuthConfig{
		Username: ac.Username, Password: ac.Password, ServerAddress: ac.ServerAddress, IdentityToken: ac.IdentityToken,
	})
	if err != nil {
		return err
	}
	if res.Auth.Status != "" {
		fmt.Fprintln(f.Out, res.Auth.Status)
	}
	f.explain(explain.Login(server, ac.Username, stored))
	return nil
}

func newLogoutCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "logout [SERVIDOR]",
		Short: "Cierra la sesión en un registro (borra las credenciales guardadas)",
		Args:  requiresRangeArgs(0, 1),
		RunE: func(_ *cobra.Command, args []string) error {
			server := ""
			if len(args) > 0 {
				server = args[0]
			}
			return runLogout(f, server)
		},
	}
}

// runLogout erases the stored credentials of a registry under every
// spelling docker may have used for it.
func runLogout(f *factory, server string) error {
	cf, err := f.dockerConfig()
	if err != nil {
		return err
	}
	keys := []string{indexServer}
	host := indexServer
	if server != "" && server != "docker.io" {
		host = credentials.ConvertToHostname(server)
		keys = []string{server, host, "http://" + host, "https://" + host}
	}
	fmt.Fprintln(f.Out, "Removing login credentials for", host)
	errs := map[string]error{}
	for _, k := range keys {
		if err := cf.GetCredentialsStore(k).Erase(k); err != nil {
			errs[k] = err
		}
	}
	if len(errs) == len(keys) {
		fmt.Fprintln(f.Err, "WARNING: could not erase credentials:")
		for _, k := range keys {
			fmt.Fprintf(f.Err, "%s: %s\n", k, errs[k])
		}
	}
	return nil
}
