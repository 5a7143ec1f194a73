// Command pulumi-resource-command is fabric's build of the Pulumi "command" resource provider.
//
// The upstream provider (github.com/pulumi/pulumi-command/provider) is not published as a Go
// module version that the Go module proxy serves, and its release binaries live on GitHub,
// which these machines cannot reach. This is a compatible implementation of the parts of
// its 1.2.1 schema that fabric uses: command:local:Command and command:remote:Command, with
// the same property names, defaults and update/replace behaviour (the same pulumi-go-provider
// infer framework derives the diff: a change of `triggers` replaces, any other change runs
// `update`, or `create` when there is no `update`). remote.CopyToRemote, remote.CopyFile and
// local.run are not implemented (the engine reports an unknown resource type or function), nor
// are local assetPaths/archivePaths (an error when set).
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi-go-provider/infer"

	"fabric.local/tools/pulumi-engine/command/local"
	"fabric.local/tools/pulumi-engine/command/remote"
)

// Version is the provider version reported to the engine; set with
// -ldflags "-X main.Version=1.2.1". It must match the npm @pulumi/command version, which
// asks the engine for exactly this plugin version.
var Version = "1.2.1"

func main() {
	provider, err := infer.NewProviderBuilder().
		WithDisplayName("Command").
		WithDescription("fabric's build of the Pulumi Command provider: local and remote (SSH) commands.").
		WithLicense("Apache-2.0").
		WithResources(
			infer.Resource(&local.Command{}),
			infer.Resource(&remote.Command{}),
		).
		Build()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
	if err := provider.Run(context.Background(), "command", strings.TrimPrefix(Version, "v")); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}
