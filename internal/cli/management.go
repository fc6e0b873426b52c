package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// Docker groups its verbs by object too: `docker container ls`,
// `docker image inspect`, `docker container update` (the course notes use
// that form). These groups hold the same commands under those names.

func newContainerCommand(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "container COMANDO",
		Short: "Administra contenedores",
	}
	cmd.AddCommand(
		renamed(newPsCommand(f), "ls", "list", "ps"),
		newRunCommand(f),
		newCreateCommand(f),
		newStartCommand(f),
		newStopCommand(f),
		newRestartCommand(f),
		newKillCommand(f),
		newRmCommand(f),
		newLogsCommand(f),
		newExecCommand(f),
		ofType(newInspectCommand(f), "container"),
		newStatsCommand(f), newUpdateCommand(f), newTopCommand(f), newPauseCommand(f), newUnpauseCommand(f),
		newRenameCommand(f),
		newWaitCommand(f),
		newCpCommand(f), newDiffCommand(f), newCommitCommand(f),
		newContainerPruneCommand(f),
		newAttachCommand(f),
	)
	return cmd
}

func newImageCommand(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image COMANDO",
		Short: "Administra imágenes",
	}
	cmd.AddCommand(
		renamed(newImagesCommand(f), "ls", "list"),
		newPullCommand(f),
		newPushCommand(f),
		newTagCommand(f),
		renamed(newRmiCommand(f), "rm", "remove", "rmi"),
		newHistoryCommand(f),
		newBuildCommand(f),
		newImagePruneCommand(f),
		newSaveCommand(f),
		newLoadCommand(f),
		newImportCommand(f),
		ofType(newInspectCommand(f), "image"),
	)
	return cmd
}

// renamed gives cmd another name (and aliases), keeping its arguments.
func renamed(cmd *cobra.Command, name string, aliases ...string) *cobra.Command {
	_, rest, _ := strings.Cut(cmd.Use, " ")
	cmd.Use = strings.TrimSpace(name + " " + rest)
	cmd.Aliases = aliases
	return cmd
}

// ofType makes an inspect command look only at one kind of object.
func ofType(cmd *cobra.Command, kind string) *cobra.Command {
	_ = cmd.Flags().Set("type", kind)
	cmd.Flags().Lookup("type").Hidden = true
	cmd.Flags().Lookup("type").DefValue = kind
	return cmd
}
