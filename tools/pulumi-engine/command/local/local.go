// Package local implements command:local:Command.
package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"fabric.local/tools/pulumi-engine/command/run"
)

// Logging is command:local:Logging.
type Logging string

// Values makes Logging a schema enum.
func (Logging) Values() []infer.EnumValue[Logging] {
	return []infer.EnumValue[Logging]{
		{Name: "stdout", Value: Logging(run.LogStdout), Description: "Capture stdout in logs but not stderr"},
		{Name: "stderr", Value: Logging(run.LogStderr), Description: "Capture stderr in logs but not stdout"},
		{Name: "stdoutAndStderr", Value: Logging(run.LogStdoutAndStderr), Description: "Capture stdout and stderr in logs"},
		{Name: "none", Value: Logging(run.LogNone), Description: "Capture no logs"},
	}
}

// Command is command:local:Command: a shell command run on the machine running Pulumi.
type Command struct{}

// Inputs of command:local:Command (the names are the 1.2.1 schema's).
type Inputs struct {
	Triggers               *[]any             `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Create                 *string            `pulumi:"create,optional"`
	Update                 *string            `pulumi:"update,optional"`
	Delete                 *string            `pulumi:"delete,optional"`
	Stdin                  *string            `pulumi:"stdin,optional"`
	Logging                *Logging           `pulumi:"logging,optional"`
	Interpreter            *[]string          `pulumi:"interpreter,optional"`
	Dir                    *string            `pulumi:"dir,optional"`
	Environment            *map[string]string `pulumi:"environment,optional"`
	AssetPaths             *[]string          `pulumi:"assetPaths,optional"`
	ArchivePaths           *[]string          `pulumi:"archivePaths,optional"`
	AddPreviousOutputInEnv *bool              `pulumi:"addPreviousOutputInEnv,optional"`
}

// Outputs of command:local:Command.
type Outputs struct {
	Inputs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

// Annotate sets the resource's token.
func (c *Command) Annotate(a infer.Annotator) {
	a.SetToken("local", "Command")
	a.Describe(&c, "A local command to be executed. Runs `create` on creation, `update` (or `create`) "+
		"when its inputs change, and `delete` on deletion.")
}

// Create runs `create`.
func (*Command) Create(ctx context.Context, req infer.CreateRequest[Inputs]) (infer.CreateResponse[Outputs], error) {
	id, err := resource.NewUniqueHex(req.Name, 8, 0)
	if err != nil {
		return infer.CreateResponse[Outputs]{}, err
	}
	state := Outputs{Inputs: req.Inputs}
	if req.DryRun || req.Inputs.Create == nil {
		return infer.CreateResponse[Outputs]{ID: id, Output: state}, nil
	}
	err = execute(ctx, *req.Inputs.Create, req.Inputs, &state)
	return infer.CreateResponse[Outputs]{ID: id, Output: state}, err
}

// Update runs `update`, or `create` when there is no `update`.
func (*Command) Update(
	ctx context.Context, req infer.UpdateRequest[Inputs, Outputs],
) (infer.UpdateResponse[Outputs], error) {
	state := Outputs{Inputs: req.Inputs, Stdout: req.State.Stdout, Stderr: req.State.Stderr}
	if req.DryRun {
		return infer.UpdateResponse[Outputs]{Output: state}, nil
	}
	cmd := req.Inputs.Update
	if cmd == nil {
		cmd = req.Inputs.Create
	}
	if cmd == nil {
		return infer.UpdateResponse[Outputs]{Output: state}, nil
	}
	err := execute(ctx, *cmd, req.Inputs, &state)
	return infer.UpdateResponse[Outputs]{Output: state}, err
}

// Delete runs `delete`, if any.
func (*Command) Delete(ctx context.Context, req infer.DeleteRequest[Outputs]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	state := req.State
	return infer.DeleteResponse{}, execute(ctx, *state.Delete, state.Inputs, &state)
}

// execute runs one command; out carries the previous output in and the new one back.
func execute(ctx context.Context, command string, in Inputs, out *Outputs) error {
	if in.AssetPaths != nil || in.ArchivePaths != nil {
		return errors.New("command:local:Command: assetPaths and archivePaths are not supported by " +
			"fabric's build of the command provider")
	}
	argv := []string{"/bin/sh", "-c"}
	if in.Interpreter != nil && len(*in.Interpreter) > 0 {
		argv = append([]string{}, *in.Interpreter...)
	}
	argv = append(argv, command)

	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if in.Dir != nil {
		cmd.Dir = *in.Dir
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		cmd.Dir = wd
	}
	cmd.Env = os.Environ()
	if in.Environment != nil {
		for k, v := range *in.Environment {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	if in.AddPreviousOutputInEnv == nil || *in.AddPreviousOutputInEnv {
		if out.Stdout != "" {
			cmd.Env = append(cmd.Env, run.EnvStdout+"="+out.Stdout)
		}
		if out.Stderr != "" {
			cmd.Env = append(cmd.Env, run.EnvStderr+"="+out.Stderr)
		}
	}
	if in.Stdin != nil && *in.Stdin != "" {
		cmd.Stdin = strings.NewReader(*in.Stdin)
	}

	capture, stdout, stderr := run.NewCapture(ctx, (*run.Logging)(in.Logging))
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	stdoutText, stderrText := capture.Finish()
	if err != nil {
		return fmt.Errorf("%w: running %q:\n%s", err, command, capture.Combined())
	}
	out.Stdout, out.Stderr = stdoutText, stderrText
	return nil
}
