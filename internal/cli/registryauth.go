package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/credentials"
	configtypes "github.com/docker/cli/cli/config/types"
	"github.com/moby/moby/api/pkg/authconfig"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
	"golang.org/x/term"

	"bolsillo/internal/imageref"
)

// indexServer is the key under which docker stores Docker Hub credentials.
const indexServer = "https://index.docker.io/v1/"

// envDockerConfig overrides the docker configuration directory, as in docker.
const envDockerConfig = "DOCKER_CONFIG"

// dockerConfigDir returns the directory of docker's config.json:
// $DOCKER_CONFIG, or ~/.docker.
func (f *factory) dockerConfigDir() string {
	if d := f.getenv(envDockerConfig); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".docker"
	}
	return filepath.Join(home, ".docker")
}

// dockerConfig loads docker's config.json (an empty one when it does not
// exist). Credentials live there or in the credential helpers it names.
func (f *factory) dockerConfig() (*configfile.ConfigFile, error) {
	cf, err := config.Load(f.dockerConfigDir())
	if err != nil {
		return nil, hintedError{
			hint: fmt.Sprintf("No pude leer la configuración de docker en `%s`. Revisa que `config.json` sea un JSON válido.",
				filepath.Join(f.dockerConfigDir(), config.ConfigFileName)),
			err: fmt.Errorf("loading docker config: %w", err),
		}
	}
	return cf, nil
}

// authKey returns the key docker uses for the credentials of a registry
// domain: Docker Hub has its historical URL, any other registry its host.
func authKey(domain string) string {
	if domain == "docker.io" || domain == "index.docker.io" {
		return indexServer
	}
	return credentials.ConvertToHostname(domain)
}

// registryAuth is the X-Registry-Auth header docker sends for ref: the
// stored credentials of its registry as base64url JSON, "{}" when there
// are none. It also reports whether credentials were found.
func registryAuth(cf *configfile.ConfigFile, ref imageref.Named) (header string, found bool, err error) {
	key := authKey(imageref.Domain(ref))
	ac, err := cf.GetAuthConfig(key)
	if err != nil {
		return "", false, fmt.Errorf("reading credentials for %s: %w", key, err)
	}
	a := registry.AuthConfig{
		Username:      ac.Username,
		Password:      ac.Password,
		Auth:          ac.Auth,
		ServerAddress: ac.ServerAddress,
		IdentityToken: ac.IdentityToken,
		RegistryToken: ac.RegistryToken,
	}
	found = a.Username != "" || a.Password != "" || a.Auth != "" || a.IdentityToken != "" || a.RegistryToken != ""
	if !found {
		a = registry.AuthConfig{}
	}
	header, err = authconfig.Encode(a)
	return header, found, err
}

// privilegeFunc returns what the API client calls after a 401: like
// docker, it asks for a user name and password on the terminal and sends
// them. Without a terminal there is nobody to ask, and it returns nil.
func (f *factory) privilegeFunc(ref imageref.Named, verb string) func(context.Context) (string, error) {
	if _, ok := isTerminal(f.In); !ok {
		return nil
	}
	return func(ctx context.Context) (string, error) {
		fmt.Fprintf(f.Out, "\nLogin prior to %s:\n", verb)
		ac, err := f.promptCredentials(ctx, "", "", authKey(imageref.Domain(ref)))
		if err != nil {
			return "", err
		}
		return authconfig.Encode(ac)
	}
}

// promptCredentials asks on the terminal for whatever of user and password
// is missing, as docker login does (the password without echo).
func (f *factory) promptCredentials(_ context.Context, user, password, server string) (registry.AuthConfig, error) {
	in := bufio.NewReader(f.In)
	if strings.TrimSpace(user) == "" {
		fmt.Fprint(f.Out, "Username: ")
		line, err := in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return registry.AuthConfig{}, fmt.Errorf("reading username: %w", err)
		}
		user = strings.TrimSpace(line)
		if user == "" {
			return registry.AuthConfig{}, errors.New("error: username is required")
		}
	}
	if strings.TrimSpace(password) == "" {
		fmt.Fprint(f.Out, "Password: ")
		p, err := readSecret(f.In, in)
		fmt.Fprintln(f.Out)
		if err != nil {
			return registry.AuthConfig{}, err
		}
		if p == "" {
			return registry.AuthConfig{}, errors.New("error: password is required")
		}
		password = p
	}
	return registry.AuthConfig{Username: user, Password: password, ServerAddress: server}, nil
}

// readSecret reads one line without echo when in is a terminal.
func readSecret(in io.Reader, buffered *bufio.Reader) (string, error) {
	if fd, ok := isTerminal(in); ok {
		b, err := term.ReadPassword(int(fd))
		if err != nil {
			return "", fmt.Errorf("reading password: %w", err)
		}
		return string(b), nil
	}
	line, err := buffered.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// storeCredentials saves credentials where docker would: the credential
// helper configured for the server, or config.json. It returns where
// they went, for the explanation.
func storeCredentials(cf *configfile.ConfigFile, ac registry.AuthConfig) (string, error) {
	store := cf.GetCredentialsStore(ac.ServerAddress)
	err := store.Store(configtypes.AuthConfig{
		Username:      ac.Username,
		Password:      ac.Password,
		ServerAddress: ac.ServerAddress,
		IdentityToken: ac.IdentityToken,
		RegistryToken: ac.RegistryToken,
	})
	if err != nil {
		return "", fmt.Errorf("error saving credentials: %w", err)
	}
	return credentialsLocation(cf, ac.ServerAddress), nil
}

// credentialsLocation names where credentials for server are kept: the
// credential helper program, or the config.json file itself.
func credentialsLocation(cf *configfile.ConfigFile, server string) string {
	if h := cf.CredentialHelpers[credentials.ConvertToHostname(server)]; h != "" {
		return "docker-credential-" + h
	}
	if cf.CredentialsStore != "" {
		return "docker-credential-" + cf.CredentialsStore
	}
	return cf.Filename
}

// prepareTransfer is what pull and push do before their request, as the
// docker CLI: a name without tag or digest gets "latest" (and says so unless
// quiet), the credentials for its registry are read from the docker config,
// and the API client is made.
func (f *factory) prepareTransfer(ref imageref.Named, quiet bool) (imageref.Named, string, client.APIClient, error) {
	if imageref.IsNameOnly(ref) {
		ref = imageref.TagNameOnly(ref)
		if t, ok := ref.(imageref.Tagged); ok && !quiet {
			fmt.Fprintln(f.Out, "Using default tag:", t.Tag())
		}
	}
	cf, err := f.dockerConfig()
	if err != nil {
		return nil, "", nil, err
	}
	auth, _, err := registryAuth(cf, ref)
	if err != nil {
		return nil, "", nil, err
	}
	api, err := f.Client()
	if err != nil {
		return nil, "", nil, err
	}
	return ref, auth, api, nil
}
