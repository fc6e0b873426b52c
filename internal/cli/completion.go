package cli

import (
	"strings"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// completeContainers completes container names from the daemon; all
// includes stopped containers.
func completeContainers(f *factory, all bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		api, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		res, err := api.ContainerList(cmd.Context(), client.ContainerListOptions{All: all})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		for _, c := range res.Items {
			for _, n := range c.Names {
				n = strings.TrimPrefix(n, "/")
				if !strings.Contains(n, "/") && strings.HasPrefix(n, toComplete) {
					names = append(names, n)
				}
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeImages completes the first argument with repository:tag names.
func completeImages(f *factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		api, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		res, err := api.ImageList(cmd.Context(), client.ImageListOptions{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		for _, img := range res.Items {
			for _, t := range img.RepoTags {
				if t != "<none>:<none>" && strings.HasPrefix(t, toComplete) {
					names = append(names, t)
				}
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
