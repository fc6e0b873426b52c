package cli

import "github.com/spf13/cobra"

// command is a command under the root: the names it answers to (its name,
// then its aliases) and its constructor. The names let bolsillo build only
// the command it runs; a test checks them against what each constructor
// builds.
type command struct {
	names []string
	build func(*factory) *cobra.Command
}

// commands are the commands under the root.
var commands = []command{
	{[]string{"run"}, newRunCommand},
	{[]string{"create"}, newCreateCommand},
	{[]string{"start"}, newStartCommand},
	{[]string{"stop"}, newStopCommand},
	{[]string{"restart"}, newRestartCommand},
	{[]string{"kill"}, newKillCommand},
	{[]string{"rm"}, newRmCommand},
	{[]string{"ps"}, newPsCommand},
	{[]string{"logs"}, newLogsCommand},
	{[]string{"exec"}, newExecCommand},
	{[]string{"inspect"}, newInspectCommand},
	{[]string{"images"}, newImagesCommand},
	{[]string{"import"}, newImportCommand},
	{[]string{"pull"}, newPullCommand},
	{[]string{"push"}, newPushCommand},
	{[]string{"tag"}, newTagCommand},
	{[]string{"rmi"}, newRmiCommand},
	{[]string{"history"}, newHistoryCommand},
	{[]string{"build"}, newBuildCommand},
	{[]string{"save"}, newSaveCommand},
	{[]string{"load"}, newLoadCommand},
	{[]string{"login"}, newLoginCommand},
	{[]string{"logout"}, newLogoutCommand},
	{[]string{"version"}, newVersionCommand},
	{[]string{"info"}, newInfoCommand},
	{[]string{"lab"}, newLabCommand},
	{[]string{"registry"}, newRegistryCommand},
	{[]string{"rename"}, newRenameCommand},
	{[]string{"wait"}, newWaitCommand},
	{[]string{"attach"}, newAttachCommand},
	{[]string{"stats"}, newStatsCommand},
	{[]string{"update"}, newUpdateCommand},
	{[]string{"top"}, newTopCommand},
	{[]string{"pause"}, newPauseCommand},
	{[]string{"unpause"}, newUnpauseCommand},
	{[]string{"cp"}, newCpCommand},
	{[]string{"diff"}, newDiffCommand},
	{[]string{"commit"}, newCommitCommand},
	{[]string{"container"}, newContainerCommand},
	{[]string{"image"}, newImageCommand},
	{[]string{"volume"}, newVolumeCommand},
	{[]string{"port"}, newPortCommand},
	{[]string{"network"}, newNetworkCommand},
	{[]string{"lint"}, newLintCommand},
	{[]string{"monitor"}, newMonitorCommand},
	{[]string{"leccion", "lesson"}, newLeccionCommand},
	{[]string{"capas"}, newCapasCommand},
	{[]string{"explica", "explain"}, newExplicaCommand},
	{[]string{"events"}, newEventsCommand},
	{[]string{"system"}, newSystemCommand},
}
