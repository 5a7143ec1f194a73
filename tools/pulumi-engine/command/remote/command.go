// Package remote implements command:remote:Command over SSH.
package remote

import (
	"context"
	"fmt"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"fabric.local/tools/pulumi-engine/command/run"
)

// Logging is command:remote:Logging.
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

// Command is command:remote:Command: a command run on a host over SSH.
type Command struct{}

// Inputs of command:remote:Command (the names are the 1.2.1 schema's).
type Inputs struct {
	Triggers               *[]any            `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Create                 *string           `pulumi:"create,optional"`
	Update                 *string           `pulumi:"update,optional"`
	Delete                 *string           `pulumi:"delete,optional"`
	Stdin                  *string           `pulumi:"stdin,optional"`
	Logging                *Logging          `pulumi:"logging,optional"`
	Connection             *Connection       `pulumi:"connection" provider:"secret"`
	Environment            map[string]string `pulumi:"environment,optional"`
	AddPreviousOutputInEnv *bool             `pulumi:"addPreviousOutputInEnv,optional"`
}

// Outputs of command:remote:Command.
type Outputs struct {
	Inputs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

// Annotate sets the resource's token.
func (c *Command) Annotate(a infer.Annotator) {
	a.SetToken("remote", "Command")
	a.Describe(&c, "A command to run on a remote host over SSH. Runs `create` on creation, `update` "+
		"(or `create`) when its inputs change, and `delete` on deletion.")
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

const setenvHelp = "This only works if the SSH server accepts the variable (AcceptEnv); " +
	"alternatively prefix the command with VAR=value."

// execute runs one command over a new SSH connection; out carries the previous output in and
// the new one back.
func execute(ctx context.Context, command string, in Inputs, out *Outputs) error {
	if in.Connection == nil {
		return fmt.Errorf("command:remote:Command: connection is required")
	}
	client, err := in.Connection.Dial(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return err
	}
	defer session.Close()

	for k, v := range in.Environment {
		if err := session.Setenv(k, v); err != nil {
			p.GetLogger(ctx).Errorf("Unable to set '%s'. %s", k, setenvHelp)
			return fmt.Errorf("could not set environment variable %q: %w", k, err)
		}
	}
	if in.AddPreviousOutputInEnv == nil || *in.AddPreviousOutputInEnv {
		for k, v := range map[string]string{run.EnvStdout: out.Stdout, run.EnvStderr: out.Stderr} {
			if v == "" {
				continue
			}
			if err := session.Setenv(k, v); err != nil {
				p.GetLogger(ctx).Warningf("Unable to set '%s'. %s", k, setenvHelp)
			}
		}
	}
	if in.Stdin != nil && *in.Stdin != "" {
		session.Stdin = strings.NewReader(*in.Stdin)
	}

	capture, stdout, stderr := run.NewCapture(ctx, (*run.Logging)(in.Logging))
	session.Stdout, session.Stderr = stdout, stderr
	err = session.Run(command)
	stdoutText, stderrText := capture.Finish()
	if err != nil {
		return fmt.Errorf("%w: running %q:\n%s", err, command, capture.Combined())
	}
	out.Stdout, out.Stderr = stdoutText, stderrText
	return nil
}
